//! The keys Tessera knows, and the keys of a configuration it does not (probably misspelt).

use figment::Figment;

/// Every key Tessera knows (docs/configuration.md lists exactly these; a test checks).
pub const KNOWN_KEYS: &[&str] = &[
    "http.bind",
    "http.public_url",
    "http.trusted_proxies",
    "database.url",
    "database.url_file",
    "database.timeout_ms",
    "database.max_connections",
    "redis.url",
    "redis.url_file",
    "redis.key_prefix",
    "redis.timeout_ms",
    "limits.logins_per_minute",
    "limits.failed_exchanges_per_minute",
    "limits.failed_admin_logins_per_minute",
    "limits.window_seconds",
    "telemetry.otlp_endpoint",
    "wechat.api_base_url",
    "admin.bootstrap_password",
    "admin.bootstrap_password_file",
    "secrets.master_key",
    "secrets.master_key_file",
    "secrets.previous_master_keys",
    "log.format",
    "log.level",
];

/// The keys set in `figment` that are not [`KNOWN_KEYS`].
pub(super) fn unknown_keys(figment: &Figment) -> Vec<String> {
    let Ok(value) = figment.extract::<serde_json::Value>() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    flatten("", &value, &mut found);
    found.retain(|key| !KNOWN_KEYS.contains(&key.as_str()));
    found
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if KNOWN_KEYS.contains(&key.as_str()) {
                    out.push(key);
                } else {
                    flatten(&key, v, out);
                }
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}
