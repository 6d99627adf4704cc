//! The keys Tessera knows, read from the serialised defaults (so a new field is known as soon as
//! it exists), and the keys of a configuration it does not know (probably misspelt).

use std::sync::LazyLock;

use figment::Figment;
use serde_json::Value;

use super::Config;

/// Every key Tessera knows, such as `http.bind` or `secrets.previous_master_keys`: the leaves of
/// [`Config::default`] serialised, where unset options are `null` and empty lists `[]`.
/// docs/configuration.md lists exactly these (a test checks).
pub fn known_keys() -> &'static [String] {
    static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
        let mut keys = Vec::new();
        if let Ok(defaults) = serde_json::to_value(Config::default()) {
            flatten("", &defaults, &|_| false, &mut keys);
        }
        keys
    });
    &KEYS
}

fn is_known(key: &str) -> bool {
    known_keys().iter().any(|known| known == key)
}

/// The keys set in `figment` that are not [`known_keys`].
pub(super) fn unknown_keys(figment: &Figment) -> Vec<String> {
    let Ok(value) = figment.extract::<Value>() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    flatten("", &value, &is_known, &mut found);
    found.retain(|key| !is_known(key));
    found
}

/// Appends the dotted keys of `value`'s leaves to `out`, not descending below a key `stop` accepts.
fn flatten(prefix: &str, value: &Value, stop: &dyn Fn(&str) -> bool, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if stop(&key) {
                    out.push(key);
                } else {
                    flatten(&key, v, stop, out);
                }
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}
