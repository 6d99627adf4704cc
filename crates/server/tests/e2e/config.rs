//! Configuration: defaults, file, environment-style overrides, `*_file` indirection, bad values.

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use tessera::config::{Config, load_from};
use tessera_domain::crypto::MasterKey;

fn with_toml(toml: &str) -> Figment {
    Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(toml))
}

#[test]
fn defaults_match_the_contract() {
    let loaded = load_from(with_toml("")).expect("defaults load");
    let c = loaded.config;
    assert_eq!(c.http.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(c.http.management_bind.to_string(), "127.0.0.1:9090");
    assert_eq!(c.admin.generated_password_path, None);
    assert_eq!(c.http.public_url, "http://127.0.0.1:8080");
    assert_eq!(c.database.url, "sqlite://tessera.db?mode=rwc");
    assert_eq!(c.redis.url, None);
    assert_eq!(c.wechat.api_base_url, "https://api.weixin.qq.com");
    assert_eq!(c.wechat.open_base_url, "https://open.weixin.qq.com");
    assert_eq!(c.wechat.work_base_url, "https://qyapi.weixin.qq.com");
    assert_eq!(c.wechat.work_login_base_url, "https://login.work.weixin.qq.com");
    assert_eq!(c.admin.bootstrap_password, None);
    assert_eq!(c.sqlite_path().as_deref(), Some(std::path::Path::new("tessera.db")));
    assert!(loaded.unknown_keys.is_empty());
}

#[test]
fn an_unset_public_url_is_the_loopback_bind_address() {
    for (bind, url) in
        [("127.0.0.1:9000", "http://127.0.0.1:9000"), ("[::1]:8443", "http://[::1]:8443")]
    {
        let loaded = load_from(with_toml(&format!("[http]\nbind = \"{bind}\"")));
        assert_eq!(loaded.expect(bind).config.http.public_url, url);
    }
    // Bound to every interface with no URL: loads (for `migrate`), but may not serve.
    let wide = load_from(with_toml("[http]\nbind = \"0.0.0.0:8080\"")).expect("loads").config;
    let err = wide.http.require_public_url().expect_err("no URL to serve under");
    assert_eq!(err.key, "http.public_url");
    assert!(err.to_string().contains("0.0.0.0:8080"), "{err}");
    let set = "[http]\nbind = \"0.0.0.0:8080\"\npublic_url = \"http://127.0.0.1:8080\"";
    let loaded = load_from(with_toml(set)).expect("a loopback URL set on purpose is kept");
    assert_eq!(loaded.config.http.public_url, "http://127.0.0.1:8080");
    assert!(loaded.config.http.require_public_url().is_ok());
}

#[test]
fn a_file_overrides_defaults_and_trailing_slashes_go() {
    let key = MasterKey::generate().to_base64();
    let loaded = load_from(with_toml(&format!(
        r#"
        [http]
        bind = "0.0.0.0:9000"
        public_url = "https://id.example.com/"
        [database]
        url = "postgres://tessera@db/tessera"
        [secrets]
        master_key = "{key}"
        "#
    )))
    .expect("loads");
    assert_eq!(loaded.config.http.bind.port(), 9000);
    assert_eq!(loaded.config.http.public_url, "https://id.example.com");
    assert!(!loaded.config.is_sqlite());
}

#[test]
fn bad_values_name_their_key() {
    for (toml, key) in [
        ("[http]\nbind = \"not an address\"", "http.bind"),
        ("[http]\npublic_url = \"ftp://x\"", "http.public_url"),
        ("[http]\nmanagement_bind = \"9090\"", "http.management_bind"),
        (
            "[http]\nbind = \"0.0.0.0:8080\"\nmanagement_bind = \"0.0.0.0:8080\"",
            "http.management_bind",
        ),
        ("[admin]\ngenerated_password_path = \"\"", "admin.generated_password_path"),
        ("[database]\nurl = \"oracle://x\"", "database.url"),
        ("[database]\ntimeout_ms = 5", "database.timeout_ms"),
        ("[database]\ntimeout_ms = \"soon\"", "database.timeout_ms"),
        ("[database]\nurl = \"postgres://db/t\"", "secrets.master_key"),
        ("[secrets]\nmaster_key = \"c2hvcnQ=\"", "secrets.master_key"),
        ("[admin]\nbootstrap_password = \"short\"", "admin.bootstrap_password"),
        ("[redis]\nurl = \"http://redis\"", "redis.url"),
        ("[log]\nformat = \"xml\"", "log.format"),
        ("[wechat]\napi_base_url = \"nope\"", "wechat.api_base_url"),
        ("[wechat]\nopen_base_url = \"open.weixin.qq.com\"", "wechat.open_base_url"),
        ("[wechat]\nwork_base_url = \"qyapi.weixin.qq.com\"", "wechat.work_base_url"),
        ("[wechat]\nwork_login_base_url = \"ftp://x\"", "wechat.work_login_base_url"),
        ("[http]\ntrusted_proxies = [\"10.0.0.0/40\"]", "http.trusted_proxies"),
        ("[audit]\nretention_days = 40000", "audit.retention_days"),
        ("[audit]\nwebhook_url = \"https://siem.example/in\"", "audit.webhook_secret"),
        ("[audit]\nwebhook_url = \"siem.example\"\nwebhook_secret = \"x\"", "audit.webhook_url"),
        (
            "[audit]\nwebhook_url = \"https://siem.example/in\"\nwebhook_secret = \"short\"",
            "audit.webhook_secret",
        ),
        ("[http]\ntrusted_proxies = \"10.0.0.0/8, ingress\"", "http.trusted_proxies"),
    ] {
        let err = load_from(with_toml(toml)).expect_err(toml);
        assert_eq!(err.key, key, "{toml}: {err}");
        let line = err.to_string();
        assert!(line.contains(key) && !line.contains('\n'), "{line}");
    }
}

#[test]
fn secrets_can_come_from_files() {
    let dir = tempfile::tempdir().expect("dir");
    let key = MasterKey::generate().to_base64();
    let key_file = dir.path().join("master-key");
    std::fs::write(&key_file, format!("{key}\n")).expect("write");
    let pw_file = dir.path().join("password");
    std::fs::write(&pw_file, "from-a-file-123\n").expect("write");
    let loaded = load_from(with_toml(&format!(
        "[secrets]\nmaster_key_file = \"{}\"\n[admin]\nbootstrap_password_file = \"{}\"\n[database]\nurl = \"postgres://db/t\"",
        key_file.display(),
        pw_file.display()
    )))
    .expect("loads");
    assert_eq!(
        loaded.config.secrets.master_key.map(|k| k.id()),
        Some(MasterKey::from_base64(&key).expect("key").id().to_owned())
    );
    assert_eq!(loaded.config.admin.bootstrap_password.as_deref(), Some("from-a-file-123"));

    let both = load_from(with_toml(&format!(
        "[secrets]\nmaster_key = \"{key}\"\nmaster_key_file = \"{}\"",
        key_file.display()
    )))
    .expect_err("both");
    assert_eq!(both.key, "secrets.master_key");
    let missing = load_from(with_toml("[secrets]\nmaster_key_file = \"/nonexistent/key\""))
        .expect_err("missing file");
    assert_eq!(missing.key, "secrets.master_key_file");
}

#[test]
fn unknown_keys_are_reported() {
    let loaded = load_from(with_toml("[http]\nbnid = \"x\"\n[telemetry]\nendpoint = \"y\""))
        .expect("still loads");
    assert_eq!(loaded.unknown_keys, ["http.bnid", "telemetry.endpoint"]);
}

#[test]
fn the_configuration_page_lists_exactly_the_known_keys() {
    let page = include_str!("../../../../docs/configuration.md");
    let mut documented: Vec<&str> = page
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(key, _)| key))
        .collect();
    // `x_file` variants of a key `x` are documented once, in prose and as "(`url_file`
    // accepted)"; keys that only name a file (`redis.tls_ca_file`) have lines of their own.
    let keys = tessera::config::known_keys();
    let is_variant =
        |k: &str| k.strip_suffix("_file").is_some_and(|base| keys.iter().any(|key| key == base));
    let mut known: Vec<&str> = keys.iter().map(String::as_str).filter(|k| !is_variant(k)).collect();
    documented.sort_unstable();
    known.sort_unstable();
    assert_eq!(documented, known, "docs/configuration.md is out of step with the code");
}

#[test]
fn trusted_proxies_come_as_a_list_or_as_comma_separated_text() {
    let list = load_from(with_toml("[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]"))
        .expect("a list loads");
    assert_eq!(texts(&list.config.http.trusted_proxies), ["10.0.0.0/8", "fd00::/8"]);
    // What TESSERA_HTTP__TRUSTED_PROXIES="10.0.0.0/8, 192.168.0.7" gives.
    let text = load_from(with_toml("[http]\ntrusted_proxies = \"10.0.0.0/8, 192.168.0.7\""))
        .expect("a comma-separated string loads");
    assert_eq!(texts(&text.config.http.trusted_proxies), ["10.0.0.0/8", "192.168.0.7"]);
    let empty = load_from(with_toml("[http]\ntrusted_proxies = \"\"")).expect("empty loads");
    assert!(empty.config.http.trusted_proxies.is_empty());
}

fn texts(items: &[impl ToString]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}
