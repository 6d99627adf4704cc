//! Assembling the sources (defaults, TOML file, environment), reading the `*_file` secrets and
//! turning figment's errors into one line naming the key.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::Path,
};

use figment::{
    Figment,
    error::{Actual, Kind},
    providers::{Env, Format, Serialized, Toml},
};
use tessera_domain::crypto::CryptoError;

use super::{Config, ConfigError, Loaded, bad, keys::unknown_keys};

/// Loads from the defaults, `file` (or `tessera.toml` if present) and the environment.
pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
    load_from(sources(file)?)
}

/// The address `tessera healthcheck` probes: `http.bind` from the same sources (nothing else is
/// read or checked), an unspecified address (`0.0.0.0`, `::`) replaced by its family's loopback.
pub fn probe_address(file: Option<&Path>) -> Result<SocketAddr, ConfigError> {
    let bind: String = sources(file)?
        .extract_inner("http.bind")
        .map_err(|e| bad("http.bind", message(&e.kind)))?;
    let mut addr: SocketAddr = bind
        .parse()
        .map_err(|_| bad("http.bind", format!("{bind:?} is not an address like 0.0.0.0:8080")))?;
    if addr.ip().is_unspecified() {
        let loopback: IpAddr = match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        };
        addr.set_ip(loopback);
    }
    Ok(addr)
}

/// The defaults, `file` (or `tessera.toml` if present) and the environment, in that order.
fn sources(file: Option<&Path>) -> Result<Figment, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(path) if !path.is_file() => {
            return Err(bad("--config", format!("{} is not a readable file", path.display())));
        }
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None => figment = figment.merge(Toml::file("tessera.toml")),
    }
    Ok(figment.merge(Env::prefixed("TESSERA_").split("__")))
}

/// Loads from an assembled figment (tests use this with their own providers).
pub fn load_from(figment: Figment) -> Result<Loaded, ConfigError> {
    let unknown_keys = unknown_keys(&figment);
    let mut config: Config = figment.extract().map_err(|e| {
        let key = key_of(&e.path);
        bad(if key.is_empty() { "(file)" } else { &key }, message(&e.kind))
    })?;
    resolve_files(&mut config)?;
    config.validate()?;
    Ok(Loaded { config, unknown_keys })
}

/// `["secrets", "previous_master_keys", "1"]` is `secrets.previous_master_keys[1]`.
fn key_of(path: &[String]) -> String {
    let mut key = String::new();
    for part in path {
        let index = !key.is_empty() && !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if index {
            key.push('[');
            key.push_str(part);
            key.push(']');
        } else {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(part);
        }
    }
    key
}

/// What figment found wrong, in the words of the rest of the configuration's messages. A value of
/// the wrong type is described, not repeated: it may be a secret (a numeric password).
fn message(kind: &Kind) -> String {
    match kind {
        Kind::UnknownVariant(found, expected) => {
            format!("must be {} (not {found:?})", expected.join(" or "))
        }
        Kind::InvalidType(found, expected) | Kind::InvalidValue(found, expected) => {
            format!("expected {expected}, found {}", kind_of(found))
        }
        other => other.to_string(),
    }
}

fn kind_of(value: &Actual) -> &'static str {
    match value {
        Actual::Bool(_) => "a boolean",
        Actual::Unsigned(_) | Actual::Signed(_) => "an integer",
        Actual::Float(_) => "a number with a fraction",
        Actual::Char(_) | Actual::Str(_) => "a string",
        Actual::Seq => "a list",
        Actual::Map => "a table",
        _ => "another kind of value",
    }
}

/// Sets `x` from the trimmed contents of `x_file` when that is set (both set is an error);
/// `parse` makes the value of the text (what it refuses is reported against `x_file`).
fn from_file<T>(
    key: &str,
    value: &mut Option<T>,
    file: Option<&Path>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<(), ConfigError> {
    let Some(path) = file else { return Ok(()) };
    let file_key = format!("{key}_file");
    if value.is_some() {
        return Err(bad(key, format!("set both directly and through {file_key}; choose one")));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(&file_key, format!("cannot read {}: {e}", path.display())))?;
    *value = Some(parse(text.trim()).map_err(|message| bad(&file_key, message))?);
    Ok(())
}

/// The text itself, for `*_file` keys whose value is text.
fn as_is(text: &str) -> Result<String, String> {
    Ok(text.to_owned())
}

fn resolve_files(c: &mut Config) -> Result<(), ConfigError> {
    let (secrets, admin, redis) = (&mut c.secrets, &mut c.admin, &mut c.redis);
    from_file(
        "secrets.master_key",
        &mut secrets.master_key,
        secrets.master_key_file.as_deref(),
        |text| text.parse().map_err(|e: CryptoError| e.0.to_owned()),
    )?;
    from_file(
        "admin.bootstrap_password",
        &mut admin.bootstrap_password,
        admin.bootstrap_password_file.as_deref(),
        as_is,
    )?;
    from_file("redis.url", &mut redis.url, redis.url_file.as_deref(), as_is)?;
    let audit = &mut c.audit;
    from_file(
        "audit.webhook_secret",
        &mut audit.webhook_secret,
        audit.webhook_secret_file.as_deref(),
        as_is,
    )?;
    from_file(
        "redis.sentinel_password",
        &mut redis.sentinel_password,
        redis.sentinel_password_file.as_deref(),
        as_is,
    )?;
    if c.database.url_file.is_some() {
        let mut url = None;
        from_file("database.url", &mut url, c.database.url_file.as_deref(), as_is)?;
        c.database.url = url.unwrap_or_default();
    }
    Ok(())
}
