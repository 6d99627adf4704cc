//! Parsing the typed values while loading, and the messages that name what is wrong.

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
