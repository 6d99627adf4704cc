//! The OpenAPI document as clients are generated from it.
//!
//! poem-openapi documents a field whose type is another schema as
//! `allOf: [{$ref: …}, {description: …}]`, the description repeated at the field itself. OpenAPI
//! 3.0 allows it, but client generators choke on it (openapi-python-client drops every schema
//! holding such a field when the reference is an enum), so the document is published in the
//! portable form: `{description: …, allOf: [{$ref: …}]}`.

use serde_yaml::{Mapping, Value};

/// Rewrites every `allOf: [{$ref}, {description}]` below `doc` into the portable form. Works on
/// YAML values, whose mappings keep their order: the document reads as poem-openapi wrote it.
pub(crate) fn portable(mut doc: Value) -> Value {
    rewrite(&mut doc);
    doc
}

fn rewrite(node: &mut Value) {
    match node {
        Value::Mapping(object) => {
            lift_description(object);
            object.values_mut().for_each(rewrite);
        }
        Value::Sequence(items) => items.iter_mut().for_each(rewrite),
        _ => {}
    }
}

/// `{allOf: [{$ref}, {description}]}` → `{description, allOf: [{$ref}]}`; anything else stays.
fn lift_description(object: &mut Mapping) {
    let Some(Value::Sequence(parts)) = object.get_mut("allOf") else { return };
    let [reference, Value::Mapping(annotation)] = parts.as_mut_slice() else { return };
    let only_a_description = annotation.len() == 1 && annotation.contains_key("description");
    if !reference.get("$ref").is_some_and(Value::is_string) || !only_a_description {
        return;
    }
    let description = annotation.remove("description");
    parts.truncate(1);
    if let Some(description) = description {
        object.entry("description".into()).or_insert(description);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// Runs [`super::portable`] on JSON, for readable cases.
    fn portable(doc: serde_json::Value) -> serde_json::Value {
        let yaml = serde_yaml::to_value(doc).expect("JSON is YAML");
        serde_json::to_value(super::portable(yaml)).expect("YAML without tags is JSON")
    }

    #[test]
    fn a_described_reference_keeps_its_description_outside_all_of() {
        let doc = json!({"properties": {"algorithm": {
            "description": "Signature algorithm.",
            "allOf": [{"$ref": "#/components/schemas/Algorithm"}, {"description": "Signature algorithm."}]
        }}});
        assert_eq!(
            portable(doc),
            json!({"properties": {"algorithm": {
                "description": "Signature algorithm.",
                "allOf": [{"$ref": "#/components/schemas/Algorithm"}]
            }}})
        );
    }

    #[test]
    fn the_description_moves_out_when_only_the_annotation_has_one() {
        let doc = json!({"allOf": [{"$ref": "#/x"}, {"description": "d"}]});
        assert_eq!(portable(doc), json!({"description": "d", "allOf": [{"$ref": "#/x"}]}));
    }

    #[test]
    fn other_compositions_are_left_alone() {
        let doc = json!({"a": {"allOf": [{"$ref": "#/x"}, {"type": "object"}]},
                         "b": {"allOf": [{"$ref": "#/x"}, {"description": "d", "nullable": true}]},
                         "c": {"allOf": [{"type": "string"}, {"description": "d"}]},
                         "d": {"oneOf": [{"$ref": "#/x"}, {"description": "d"}]}});
        assert_eq!(portable(doc.clone()), doc);
    }
}
