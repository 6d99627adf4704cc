//! Parsing the typed values while loading, and the messages that name what is wrong.

use std::time::Duration;

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};

use super::{Config, ConfigError, Loaded, LogFormat, load_from};

fn load(toml: &str) -> Result<Loaded, ConfigError> {
    load_from(Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(toml)))
}

fn refused(toml: &str) -> String {
    load(toml).expect_err(toml).to_string()
}

#[test]
fn the_listen_address_is_parsed_once() {
    let loaded = load("[http]\nbind = \"[::]:9000\"").expect("loads");
    assert_eq!(loaded.config.http.bind, "[::]:9000".parse().expect("address"));
    assert_eq!(
        refused("[http]\nbind = \"x\""),
        "configuration: http.bind: \"x\" is not an address like 0.0.0.0:8080"
    );
    assert_eq!(
        refused("[http]\nbind = \"localhost:80\""),
        "configuration: http.bind: \"localhost:80\" is not an address like 0.0.0.0:8080"
    );
}

#[test]
fn the_log_format_is_text_or_json() {
    assert_eq!(load("").expect("loads").config.log.format, LogFormat::Text);
    let json = load("[log]\nformat = \"json\"").expect("loads");
    assert_eq!(json.config.log.format, LogFormat::Json);
    assert_eq!(
        refused("[log]\nformat = \"xml\""),
        "configuration: log.format: must be text or json (not \"xml\")"
    );
}

#[test]
fn a_bad_trusted_proxy_is_named_by_its_position() {
    let err = load("[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"10.0.0.0/40\"]").expect_err("bad");
    assert_eq!(err.key, "http.trusted_proxies");
    assert!(err.message.starts_with("[1] \"10.0.0.0/40\" is not"), "{err}");
    let err = load("[http]\ntrusted_proxies = \"ingress, 10.0.0.0/8\"").expect_err("bad");
    assert!(err.message.starts_with("[0] \"ingress\" is not"), "{err}");
    let ok = load("[http]\ntrusted_proxies = \"10.0.0.0/8, 192.168.0.7\"").expect("loads");
    let ip = "192.168.0.7".parse().expect("ip");
    assert!(ok.config.http.trusted_proxies.iter().any(|net| net.contains(ip)));
}

fn key_text(byte: u8) -> String {
    tessera_domain::crypto::MasterKey::from_bytes([byte; 32]).to_base64()
}

#[test]
fn master_keys_are_decoded_once_and_a_bad_one_is_named_by_its_position() {
    let toml = format!(
        "[secrets]\nmaster_key = \"{}\"\nprevious_master_keys = [\"{}\", \"{}\"]",
        key_text(1),
        key_text(2),
        key_text(3)
    );
    let keys = load(&toml).expect("loads").config.secrets.master_keys();
    let id = |byte| tessera_domain::crypto::MasterKey::from_bytes([byte; 32]).id().to_owned();
    assert_eq!(keys.current.as_ref().map(|k| k.id().to_owned()), Some(id(1)));
    let previous: Vec<_> = keys.previous.iter().map(|k| k.id().to_owned()).collect();
    assert_eq!(previous, [id(2), id(3)]);

    let toml = format!("[secrets]\nprevious_master_keys = [\"{}\", \"c2hvcnQ=\"]", key_text(2));
    let err = load(&toml).expect_err("a short key");
    assert_eq!(err.key, "secrets.previous_master_keys[1]");
    assert_eq!(err.message, "the master key must be exactly 32 bytes");
    let err = load("[secrets]\nmaster_key = \"not base64!\"").expect_err("not base64");
    assert_eq!(
        err.to_string(),
        "configuration: secrets.master_key: the master key is not valid base64"
    );
}

#[test]
fn a_master_key_file_is_decoded_like_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("master-key");
    std::fs::write(&path, "c2hvcnQ=\n").expect("write");
    let toml = format!("[secrets]\nmaster_key_file = {:?}", path.display().to_string());
    let err = load(&toml).expect_err("a short key");
    assert_eq!(err.key, "secrets.master_key_file");
    assert!(!err.to_string().contains("c2hvcnQ"), "{err}");
    // URL-safe base64 without padding, as some secret stores write it.
    std::fs::write(&path, key_text(0xfb).replace('+', "-").replace('/', "_").trim_end_matches('='))
        .expect("write");
    let loaded = load(&toml).expect("loads");
    let id = tessera_domain::crypto::MasterKey::from_bytes([0xfb; 32]).id().to_owned();
    let expected = format!("MasterKey({id})");
    assert_eq!(format!("{:?}", loaded.config.secrets.master_key.expect("set")), expected);
}

#[test]
fn the_known_keys_are_the_fields_of_the_defaults() {
    let keys = super::known_keys();
    for key in [
        "http.bind",
        "http.trusted_proxies",
        "http.management_bind",
        "http.admin_bind",
        "http.api_console",
        "http.admin_console",
        "admin.generated_password_path",
        "redis.url",
        "redis.url_file",
        "telemetry.otlp_endpoint",
        "admin.bootstrap_password",
        "secrets.master_key",
        "secrets.master_key_file",
        "secrets.previous_master_keys",
        "log.format",
        "limits.window_seconds",
        "audit.retention_days",
        "limits.key_rotations_per_minute",
        "wechat.api_base_url",
        "wechat.open_base_url",
        "wechat.work_base_url",
        "wechat.work_login_base_url",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
    }
    assert_eq!(keys.len(), 49, "{keys:?}");
    let unknown =
        load("[redis]\nurl = \"redis://r\"\nurl_fle = \"x\"\n[secret]\nmaster_key = \"k\"")
            .expect("loads")
            .unknown_keys;
    assert_eq!(unknown, ["redis.url_fle", "secret.master_key"]);
}

#[test]
fn no_secret_reaches_debug_output_or_an_error() {
    let toml = format!(
        "[database]\nurl = \"postgres://tessera:db-pass-1@db/t\"\n\
         [redis]\nurl = \"rediss+sentinel://:redis-pass-2@r:6380/m\"\n\
         sentinel_password = \"sentinel-pass-4\"\n\
         [admin]\nbootstrap_password = \"admin-pass-3\"\n\
         [audit]\nwebhook_url = \"https://siem:siem-pass-5@siem.example/in\"\n\
         webhook_secret = \"webhook-secret-6-webhook-secret-6-\"\n\
         [secrets]\nmaster_key = \"{}\"\nprevious_master_keys = [\"{}\"]",
        key_text(1),
        key_text(2)
    );
    let loaded = load(&toml).expect("loads");
    let shown = format!("{loaded:?}");
    let secrets = [
        "db-pass-1",
        "redis-pass-2",
        "admin-pass-3",
        "sentinel-pass-4",
        "siem-pass-5",
        "webhook-secret-6",
    ];
    for secret in secrets.iter().copied().chain([key_text(1).as_str(), &key_text(2)]) {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("postgres://tessera:(hidden)@db/t"), "{shown}");
    assert!(shown.contains("rediss+sentinel://:(hidden)@r:6380/m"), "{shown}");
    let id = tessera_domain::crypto::MasterKey::from_bytes([1; 32]).id().to_owned();
    assert!(shown.contains(&format!("MasterKey({id})")), "{shown}");

    // A URL refused for its shape is repeated without its password.
    let bad_url = "[audit]\nwebhook_url = \"https://siem:siem-pass-7@[siem\"\n\
                   webhook_secret = \"webhook-secret-6-webhook-secret-6-\"";
    let err = load(bad_url).expect_err("not a URL");
    assert_eq!(err.key, "audit.webhook_url");
    assert!(!err.to_string().contains("siem-pass-7"), "{err}");

    // Environment variables give numbers for digits-only values.
    let err = load("[admin]\nbootstrap_password = 86753091").expect_err("not a string");
    assert_eq!(err.key, "admin.bootstrap_password");
    assert!(!err.to_string().contains("86753091"), "{err}");
}

/// A value the property below once found: tracing-subscriber's filter parser panicked on it.
#[test]
fn a_log_level_outside_ascii_is_refused_not_a_panic() {
    let value = "\u{a0}\u{113c5}=";
    let err = load(&format!("[log]\nlevel = {}", toml_string(value))).expect_err("refused");
    assert!(err.to_string().contains("log.level"), "{err}");
    assert!(load("[log]\nlevel = \"tessera=debug,info\"").is_ok());
}

proptest::proptest! {
    /// Any string for a typed key loads, or is refused with one line naming that key: never a
    /// panic, never a message about another key.
    #[test]
    fn any_value_of_a_typed_key_loads_or_names_the_key(value in "\\PC{0,60}") {
        let quoted = toml_string(&value);
        for (section, key) in [
            ("http", "bind"),
            ("http", "trusted_proxies"),
            ("http", "public_url"),
            ("log", "format"),
            ("log", "level"),
            ("secrets", "master_key"),
            ("redis", "url"),
            ("database", "url"),
        ] {
            if let Err(err) = load(&format!("[{section}]\n{key} = {quoted}")) {
                let text = err.to_string();
                let named = text.contains(&format!("{section}.{key}"))
                    || text.contains("secrets.master_key")
                    || text.contains("(file)");
                proptest::prop_assert!(named, "{}.{}: {}", section, key, text);
                proptest::prop_assert!(!text.contains('\n'), "one line: {}", text);
            }
        }
    }
}

/// `value` as a TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn the_connection_limits_are_read_checked_and_named() {
    let loaded =
        load("[http]\nheader_read_timeout_ms = 2000\nmax_connections = 10").expect("loads");
    let limits = loaded.config.http.connection_limits();
    assert_eq!(limits.header_read_timeout, Duration::from_millis(2000));
    assert_eq!(limits.idle_timeout, Duration::from_millis(75_000));
    assert_eq!(limits.max_connections, 10);
    assert_eq!(loaded.config.http.body_read_timeout(), Duration::from_millis(30_000));
    for (toml, key) in [
        ("[http]\nheader_read_timeout_ms = 99", "http.header_read_timeout_ms"),
        ("[http]\nbody_read_timeout_ms = 0", "http.body_read_timeout_ms"),
        ("[http]\nidle_timeout_ms = 3600001", "http.idle_timeout_ms"),
        ("[http]\nmax_connections = 0", "http.max_connections"),
    ] {
        assert_eq!(load(toml).expect_err(toml).key, key);
    }
}

#[test]
fn redis_tls_files_are_read_for_tls_urls_only() {
    let dir = tempfile::tempdir().expect("dir");
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        .expect("write");
    let text = dir.path().join("ca.txt");
    std::fs::write(&text, "not a certificate").expect("write");
    let redis = |url: &str, extra: &str| format!("[redis]\nurl = \"{url}\"\n{extra}");
    let file =
        |key: &str, path: &std::path::Path| format!("{key} = {:?}\n", path.display().to_string());

    let loaded = load(&redis("rediss://r:6380", &file("tls_ca_file", &pem))).expect("loads");
    let pems = loaded.config.redis.tls_pems().expect("read");
    assert!(pems.ca.is_some_and(|ca| ca.starts_with(b"-----BEGIN")) && pems.client.is_none());
    let both = file("tls_cert_file", &pem) + &file("tls_key_file", &pem);
    let loaded = load(&redis("rediss+cluster://a:1,b:2", &both)).expect("loads");
    assert!(loaded.config.redis.tls_pems().expect("read").client.is_some());

    for (toml, key, says) in [
        (redis("redis://r:6379", &file("tls_ca_file", &pem)), "redis.tls_ca_file", "TLS only"),
        (redis("rediss://r", &file("tls_ca_file", &text)), "redis.tls_ca_file", "not a PEM file"),
        (
            redis("rediss://r", &file("tls_ca_file", &dir.path().join("none"))),
            "redis.tls_ca_file",
            "cannot read",
        ),
        (redis("rediss://r", &file("tls_cert_file", &pem)), "redis.tls_key_file", "set both"),
        (redis("redis://r", "sentinel_password = \"x\""), "redis.sentinel_password", "Sentinel"),
    ] {
        let err = load(&toml).expect_err(&toml);
        assert_eq!(err.key, key, "{toml}");
        assert!(err.message.contains(says), "{toml}: {err}");
    }
}

#[test]
fn the_sentinel_password_may_come_from_a_file_and_may_be_empty() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("sentinel-password");
    std::fs::write(&path, "sentinel-pass\n").expect("write");
    let toml = format!(
        "[redis]\nurl = \"redis+sentinel://:p@s:26379/m\"\nsentinel_password_file = {:?}",
        path.display().to_string()
    );
    let loaded = load(&toml).expect("loads");
    assert_eq!(loaded.config.redis.sentinel_password.as_deref(), Some("sentinel-pass"));
    let none = "[redis]\nurl = \"redis+sentinel://:p@s:26379/m\"\nsentinel_password = \"\"";
    assert_eq!(load(none).expect("loads").config.redis.sentinel_password.as_deref(), Some(""));
}
