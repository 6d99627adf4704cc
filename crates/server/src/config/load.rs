//! Assembling the sources (defaults, TOML file, environment), reading the `*_file` secrets and
//! turning figment's errors into one line naming the key.

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    error::Kind,
    providers::{Env, Format, Serialized, Toml},
};

use super::{Config, ConfigError, Loaded, bad, keys::unknown_keys};

/// Loads from the defaults, `file` (or `tessera.toml` if present) and the environment.
pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(path) if !path.is_file() => {
            return Err(bad("--config", format!("{} is not a readable file", path.display())));
        }
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None => figment = figment.merge(Toml::file("tessera.toml")),
    }
    load_from(figment.merge(Env::prefixed("TESSERA_").split("__")))
}

/// Loads from an assembled figment (tests use this with their own providers).
pub fn load_from(figment: Figment) -> Result<Loaded, ConfigError> {
    let unknown_keys = unknown_keys(&figment);
    let mut config: Config = figment.extract().map_err(|e| {
        let key = e.path.join(".");
        bad(if key.is_empty() { "(file)" } else { &key }, message(&e.kind))
    })?;
    resolve_files(&mut config)?;
    config.validate()?;
    Ok(Loaded { config, unknown_keys })
}

/// What figment found wrong, in the words of the rest of the configuration's messages.
fn message(kind: &Kind) -> String {
    match kind {
        Kind::UnknownVariant(found, expected) => {
            format!("must be {} (not {found:?})", expected.join(" or "))
        }
        other => other.to_string(),
    }
}

/// Replaces `x` by the trimmed contents of `x_file` when that is set (both set is an error).
fn from_file(
    key: &str,
    value: &mut Option<String>,
    file: &Option<PathBuf>,
) -> Result<(), ConfigError> {
    let Some(path) = file else { return Ok(()) };
    if value.is_some() {
        return Err(bad(key, format!("set both directly and through {key}_file; choose one")));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(&format!("{key}_file"), format!("cannot read {}: {e}", path.display())))?;
    *value = Some(text.trim().to_owned());
    Ok(())
}

fn resolve_files(c: &mut Config) -> Result<(), ConfigError> {
    from_file("secrets.master_key", &mut c.secrets.master_key, &c.secrets.master_key_file)?;
    from_file(
        "admin.bootstrap_password",
        &mut c.admin.bootstrap_password,
        &c.admin.bootstrap_password_file,
    )?;
    from_file("redis.url", &mut c.redis.url, &c.redis.url_file)?;
    if c.database.url_file.is_some() {
        let mut url = None;
        from_file("database.url", &mut url, &c.database.url_file)?;
        c.database.url = url.unwrap_or_default();
    }
    Ok(())
}
