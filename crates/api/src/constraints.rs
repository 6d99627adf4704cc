//! The constraints the OpenAPI document publishes for a request body, enforced on the body.
//!
//! [`crate::body::JsonBody`] parses with serde (for errors that name the field), which bypasses
//! poem-openapi's validators. So the body is checked here against the very schema the document
//! publishes for it: whatever the document says (`maxLength`, `minLength`, `pattern`, `enum`,
//! `minimum`, `maximum`, `multipleOf`, item and property counts) is enforced, by construction,
//! and the error names the field by its JSON path (`profile.city: must be at most 64
//! characters`). One rule holds for every string of a typed field, published in the document's
//! description: no control characters (U+0000–U+001F, U+007F–U+009F), which no identifier,
//! credential or name contains and some databases refuse (PostgreSQL refuses NUL in text).

use std::{
    any::TypeId,
    collections::{BTreeMap, HashMap},
    sync::{Arc, OnceLock, PoisonError, RwLock},
};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::Type,
};
use regex::Regex;
use serde_json::{Number, Value};

/// A published constraint a body broke: the JSON path of the value and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// `profile.city`, `items[2]`, or empty for the body itself.
    pub(crate) path: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() { "request body" } else { &self.path };
        write!(f, "{path}: {}", self.message)
    }
}

/// Whether `text` holds a control character (what no field of a typed body may hold).
pub(crate) fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// The schemas of one body type, as the document publishes them.
struct Schemas {
    root: MetaSchemaRef,
    named: BTreeMap<String, MetaSchema>,
}

/// The schemas of `T`, registered once per type.
fn schemas_of<T: Type + 'static>() -> Arc<Schemas> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<Schemas>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(found) = cache.read().unwrap_or_else(PoisonError::into_inner).get(&id) {
        return found.clone();
    }
    let mut registry = Registry::new();
    T::register(&mut registry);
    let schemas = Arc::new(Schemas { root: T::schema_ref(), named: registry.schemas });
    cache.write().unwrap_or_else(PoisonError::into_inner).insert(id, schemas.clone());
    schemas
}

/// The compiled form of a published pattern (compiled once).
fn regex(pattern: &str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().unwrap_or_else(PoisonError::into_inner).get(pattern) {
        return Some(found.clone());
    }
    let compiled = Arc::new(Regex::new(pattern).ok()?);
    let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
    cache.insert(pattern.to_owned(), compiled.clone());
    Some(compiled)
}

/// Checks `value` (already known to deserialize into `T`) against `T`'s published schema.
pub(crate) fn check<T: Type + 'static>(value: &Value) -> Result<(), Violation> {
    let schemas = schemas_of::<T>();
    let mut path = String::new();
    walk(&schemas, &schemas.root, value, &mut path)
}

fn walk(
    s: &Schemas,
    schema: &MetaSchemaRef,
    value: &Value,
    path: &mut String,
) -> Result<(), Violation> {
    let schema = match schema {
        MetaSchemaRef::Inline(schema) => schema,
        MetaSchemaRef::Reference(name) => match s.named.get(name) {
            Some(schema) => schema,
            None => return Ok(()),
        },
    };
    for part in &schema.all_of {
        walk(s, part, value, path)?;
    }
    let broken = match value {
        Value::String(text) => check_string(schema, text),
        Value::Number(number) => check_number(schema, number),
        Value::Array(items) => {
            check_array(s, schema, items, path)?;
            None
        }
        Value::Object(fields) => {
            check_object(s, schema, fields, path)?;
            None
        }
        Value::Null | Value::Bool(_) => None,
    };
    match broken {
        Some(message) => Err(Violation { path: path.clone(), message }),
        None => Ok(()),
    }
}

fn check_string(schema: &MetaSchema, text: &str) -> Option<String> {
    if schema.ty == "string" && has_control(text) {
        return Some("must not contain control characters".to_owned());
    }
    let chars = text.chars().count();
    if let Some(max) = schema.max_length.filter(|max| chars > *max) {
        return Some(format!("must be at most {max} characters"));
    }
    match schema.min_length.filter(|min| chars < *min) {
        Some(1) => return Some("must not be empty".to_owned()),
        Some(min) => return Some(format!("must be at least {min} characters")),
        None => {}
    }
    if let Some(pattern) = &schema.pattern {
        // A published pattern that does not compile matches nothing: fail closed.
        if !regex(pattern).is_some_and(|re| re.is_match(text)) {
            return Some(format!("must match {pattern}"));
        }
    }
    let listed = schema.enum_items.iter().any(|item| item.as_str() == Some(text));
    if !schema.enum_items.is_empty() && !listed {
        let items: Vec<String> = schema.enum_items.iter().map(ToString::to_string).collect();
        return Some(format!("must be one of {}", items.join(", ")));
    }
    None
}

fn check_number(schema: &MetaSchema, number: &Number) -> Option<String> {
    let x = number.as_f64()?;
    if let Some(max) = schema.maximum {
        if schema.exclusive_maximum == Some(true) && x >= max {
            return Some(format!("must be less than {max}"));
        }
        if x > max {
            return Some(format!("must be at most {max}"));
        }
    }
    if let Some(min) = schema.minimum {
        if schema.exclusive_minimum == Some(true) && x <= min {
            return Some(format!("must be greater than {min}"));
        }
        if x < min {
            return Some(format!("must be at least {min}"));
        }
    }
    match schema.multiple_of {
        Some(step) if step > 0.0 && (x / step).fract() != 0.0 => {
            Some(format!("must be a multiple of {step}"))
        }
        _ => None,
    }
}

fn check_array(
    s: &Schemas,
    schema: &MetaSchema,
    items: &[Value],
    path: &mut String,
) -> Result<(), Violation> {
    let broken = |message: String| Err(Violation { path: path.clone(), message });
    if let Some(max) = schema.max_items.filter(|max| items.len() > *max) {
        return broken(format!("must have at most {max} items"));
    }
    if let Some(min) = schema.min_items.filter(|min| items.len() < *min) {
        return broken(format!("must have at least {min} items"));
    }
    let duplicate = |i: usize| items[..i].contains(&items[i]);
    if schema.unique_items == Some(true) && (0..items.len()).any(duplicate) {
        return broken("must not repeat an item".to_owned());
    }
    let Some(item_schema) = &schema.items else { return Ok(()) };
    for (i, item) in items.iter().enumerate() {
        let len = path.len();
        path.push_str(&format!("[{i}]"));
        walk(s, item_schema, item, path)?;
        path.truncate(len);
    }
    Ok(())
}

fn check_object(
    s: &Schemas,
    schema: &MetaSchema,
    fields: &serde_json::Map<String, Value>,
    path: &mut String,
) -> Result<(), Violation> {
    let broken = |message: String| Err(Violation { path: path.clone(), message });
    if let Some(max) = schema.max_properties.filter(|max| fields.len() > *max) {
        return broken(format!("must have at most {max} properties"));
    }
    if let Some(min) = schema.min_properties.filter(|min| fields.len() < *min) {
        return broken(format!("must have at least {min} properties"));
    }
    for (name, value) in fields {
        let declared = schema.properties.iter().find(|(n, _)| *n == name).map(|(_, s)| s);
        let Some(field_schema) = declared.or(schema.additional_properties.as_deref()) else {
            continue;
        };
        let len = path.len();
        if len > 0 {
            path.push('.');
        }
        path.push_str(name);
        walk(s, field_schema, value, path)?;
        path.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Object, serde::Deserialize)]
    #[oai(rename_all = "camelCase")]
    struct Outer {
        #[oai(validator(min_length = 1, max_length = 8))]
        name: String,
        #[oai(validator(pattern = "^wx[0-9]{2}$"))]
        code: Option<String>,
        #[oai(validator(minimum(value = "0"), maximum(value = "2")))]
        gender: Option<i64>,
        /// A described field of an object type (`allOf` in the document).
        inner: Option<Inner>,
        #[oai(validator(max_items = 2))]
        list: Option<Vec<Inner>>,
        free: Option<Value>,
    }

    #[derive(Debug, Object, serde::Deserialize)]
    #[oai(rename_all = "camelCase")]
    struct Inner {
        #[oai(validator(max_length = 4))]
        city_name: Option<String>,
    }

    fn violation(body: Value) -> Option<String> {
        check::<Outer>(&body).err().map(|v| v.to_string())
    }

    #[test]
    fn what_the_document_publishes_is_enforced_and_the_field_named() {
        assert_eq!(violation(json!({"name": "ok", "code": "wx12", "gender": 2})), None);
        for (body, expected) in [
            (json!({"name": ""}), "name: must not be empty"),
            (json!({"name": "123456789"}), "name: must be at most 8 characters"),
            (json!({"name": "ok", "code": "wx1"}), "code: must match ^wx[0-9]{2}$"),
            (json!({"name": "ok", "gender": 3}), "gender: must be at most 2"),
            (json!({"name": "ok", "gender": -1}), "gender: must be at least 0"),
            (
                json!({"name": "ok", "inner": {"cityName": "12345"}}),
                "inner.cityName: must be at most 4 characters",
            ),
            (
                json!({"name": "ok", "list": [{}, {"cityName": "12345"}]}),
                "list[1].cityName: must be at most 4 characters",
            ),
            (json!({"name": "ok", "list": [{}, {}, {}]}), "list: must have at most 2 items"),
        ] {
            assert_eq!(violation(body.clone()).as_deref(), Some(expected), "{body}");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(violation(json!({"name": "éééééééé"})), None);
        assert!(violation(json!({"name": "ééééééééé"})).is_some());
    }

    #[test]
    fn no_typed_string_holds_a_control_character() {
        for bad in ["nul\u{0}", "tab\t", "line\n", "del\u{7f}", "c1\u{85}"] {
            assert_eq!(
                violation(json!({"name": bad})).as_deref(),
                Some("name: must not contain control characters"),
                "{bad:?}"
            );
            let nested = json!({"name": "ok", "inner": {"cityName": bad}});
            assert!(violation(nested).is_some_and(|v| v.starts_with("inner.cityName:")));
        }
        // Free-form JSON is stored as JSON, escaped: its text may say anything.
        assert_eq!(violation(json!({"name": "ok", "free": {"note": "two\nlines\u{0}"}})), None);
        assert_eq!(violation(json!({"name": "emoji 😀"})), None);
    }

    /// Every keyword of the published document is either checked here or by serde and
    /// poem-openapi (types, required fields, integer and date-time formats): none is published
    /// and ignored.
    #[test]
    fn the_document_publishes_nothing_the_check_ignores() {
        let doc = serde_json::to_value(crate::document()).unwrap();
        fn visit(node: &Value, found: &mut Vec<String>) {
            match node {
                Value::Object(map) => {
                    for (key, value) in map {
                        let unchecked = ["anyOf", "oneOf", "not", "patternProperties", "const"];
                        if unchecked.contains(&key.as_str()) {
                            found.push(key.clone());
                        }
                        // Formats of typed values, which poem-openapi parses strictly: the
                        // integers, and the times of `since`/`until` (chrono's RFC 3339).
                        let typed =
                            ["int16", "int32", "int64", "uint16", "uint32", "uint64", "date-time"];
                        if key == "format" && !value.as_str().is_some_and(|f| typed.contains(&f)) {
                            found.push(format!("format: {value}"));
                        }
                        visit(value, found);
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| visit(item, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        visit(&doc, &mut found);
        assert!(found.is_empty(), "published but not enforced: {found:?}");
    }
}
