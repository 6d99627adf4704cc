//! The OpenAPI document as clients are generated from it.
//!
//! poem-openapi documents a field whose type is another schema as
//! `allOf: [{$ref: …}, {description: …}]`, the description repeated at the field itself. OpenAPI
//! 3.0 allows it, but client generators choke on it (openapi-python-client drops every schema
//! holding such a field when the reference is an enum), so the document is published in the
//! portable form: `{description: …, allOf: [{$ref: …}]}`.
//!
//! poem-openapi also leaves out what the server does but its derives cannot say
//! ([`complete`]): that an optional field is `null` when unset (and accepts `null`), that a
//! body refusing unknown fields is closed, that no request string holds a control character,
//! and how one operation's answer feeds the next (OpenAPI links).

use std::collections::BTreeSet;

use serde_yaml::{Mapping, Value};

/// Rewrites every `allOf: [{$ref}, {description}]` below `doc` into the portable form. Works on
/// YAML values, whose mappings keep their order: the document reads as poem-openapi wrote it.
pub(crate) fn portable(mut doc: Value) -> Value {
    rewrite(&mut doc);
    doc
}

/// The published form of the rule every request string obeys (checked at the edge by
/// [`crate::constraints`]): no control character, U+0000–U+001F or U+007F–U+009F.
pub(crate) const NO_CONTROL_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// The request body schemas that refuse an unknown field (`deny_unknown_fields`), published as
/// `additionalProperties: false`. The mini program's and the App backend's bodies are kept open:
/// the hosted original's clients may send more than Tessera reads. A test keeps this list equal
/// to what serde refuses.
pub(crate) const CLOSED: &[&str] = &[
    "AdminCredentials",
    "App2WxappPatch",
    "ChangePassword",
    "CreateAdmin",
    "CreateApplication",
    "CreateConnection",
    "CreatePool",
    "CreateUser",
    "MergeUser",
    "PatchApplication",
    "PatchConnection",
    "PatchPool",
    "PatchUser",
    "PoolCredentials",
    "PutConnection",
    "QrcodeLoginStrategyPatch",
    "RotateSecret",
    "SettingsPatch",
];

/// Adds to `doc` what the server does and poem-openapi does not publish:
/// - every optional property is `nullable`: poem-openapi answers an unset `Option` as `null`,
///   and serde reads `null` as unset (or, for a `PATCH`, as "clear");
/// - the [`CLOSED`] schemas have `additionalProperties: false`;
/// - every request string without a pattern of its own (body fields, query and path
///   parameters) gets [`NO_CONTROL_PATTERN`];
/// - the [`LINKS`] between operations.
pub(crate) fn complete(mut doc: Value) -> Value {
    let requests = request_schemas(&doc);
    if let Some(Value::Mapping(schemas)) =
        doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    {
        for (name, schema) in schemas.iter_mut() {
            let name = name.as_str().unwrap_or_default();
            let Value::Mapping(schema) = schema else { continue };
            nullable_optionals(schema);
            if CLOSED.contains(&name) {
                schema.insert("additionalProperties".into(), Value::Bool(false));
            }
            if requests.contains(name) {
                no_control_strings(schema);
            }
        }
    }
    if let Some(Value::Mapping(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut().filter_map(Value::as_mapping_mut) {
            for operation in item.values_mut().filter_map(Value::as_mapping_mut) {
                let parameters = operation.get_mut("parameters").and_then(Value::as_sequence_mut);
                for parameter in parameters.into_iter().flatten() {
                    if let Some(Value::Mapping(schema)) = parameter.get_mut("schema") {
                        no_control_strings(schema);
                    }
                }
            }
        }
    }
    add_links(&mut doc);
    doc
}

/// An OpenAPI link: what of an operation's answer (or request) the next operation takes.
struct Link {
    /// The operation answering.
    from: &'static str,
    /// Its answer's status.
    status: &'static str,
    /// The link's name.
    name: &'static str,
    /// The operation it leads to.
    to: &'static str,
    /// Parameters of `to` (`path.id`), as runtime expressions.
    parameters: &'static [(&'static str, &'static str)],
    /// Fields of `to`'s body, as runtime expressions.
    body: &'static [(&'static str, &'static str)],
}

/// A [`Link`], on one line.
const fn link(
    from: &'static str,
    status: &'static str,
    name: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    body: &'static [(&'static str, &'static str)],
) -> Link {
    Link { from, status, name, to, parameters, body }
}

const POOL_ID: (&str, &str) = ("path.id", "$response.body#/id");
const SAME_POOL: (&str, &str) = ("path.id", "$request.path.id");
const CLIENT_ID: (&str, &str) = ("path.client_id", "$response.body#/clientId");

/// How the operations chain: a new pool is read, changed, logged in to, given a connection,
/// users, applications and keys, and deleted; a new secret logs in; a new user, application or
/// admin is read, changed and deleted (an application's secret rotated; a user's identities
/// listed, another user merged into it); a mini program login's ticket is exchanged.
const LINKS: &[Link] = &[
    link("createUserPool", "201", "GetPool", "getUserPool", &[POOL_ID], &[]),
    link("createUserPool", "201", "UpdatePool", "updateUserPool", &[POOL_ID], &[]),
    link("createUserPool", "201", "DeletePool", "deleteUserPool", &[POOL_ID], &[]),
    link("createUserPool", "201", "RotateSecret", "rotateUserPoolSecret", &[POOL_ID], &[]),
    link("createUserPool", "201", "AuditEvents", "listAuditEvents", &[POOL_ID], &[]),
    link("createUserPool", "201", "PutConnection", "putApp2WxappConnection", &[POOL_ID], &[]),
    link("createUserPool", "201", "CreateConnection", "createConnection", &[POOL_ID], &[]),
    link("createUserPool", "201", "ListConnections", "listConnections", &[POOL_ID], &[]),
    link("createUserPool", "201", "ListUsers", "listUsers", &[POOL_ID], &[]),
    link("createUserPool", "201", "CreateUser", "createUser", &[POOL_ID], &[]),
    link("createUserPool", "201", "RotateKey", "rotateSigningKey", &[POOL_ID], &[]),
    link("createUserPool", "201", "ListApplications", "listApplications", &[POOL_ID], &[]),
    link("createUserPool", "201", "CreateApplication", "createApplication", &[POOL_ID], &[]),
    link("createUserPool", "201", "Jwks", "getJwks", &[POOL_ID], &[]),
    link("createUserPool", "201", "OpenIdConfiguration", "getOpenIdConfiguration", &[POOL_ID], &[]),
    link(
        "createUserPool",
        "201",
        "PoolLogin",
        "userPoolLogin",
        &[],
        &[("userPoolId", "$response.body#/id"), ("secret", "$response.body#/secret")],
    ),
    link(
        "createUserPool",
        "201",
        "Exchange",
        "app2wxappExchange",
        &[("path.userPoolId", "$response.body#/id")],
        &[("secret", "$response.body#/secret")],
    ),
    link(
        "rotateUserPoolSecret",
        "200",
        "PoolLogin",
        "userPoolLogin",
        &[],
        &[("userPoolId", "$request.path.id"), ("secret", "$response.body#/secret")],
    ),
    link(
        "rotateUserPoolSecret",
        "200",
        "Exchange",
        "app2wxappExchange",
        &[("path.userPoolId", "$request.path.id")],
        &[("secret", "$response.body#/secret")],
    ),
    link(
        "createConnection",
        "201",
        "GetConnection",
        "getConnection",
        &[SAME_POOL, ("path.connection_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createConnection",
        "201",
        "UpdateConnection",
        "updateConnection",
        &[SAME_POOL, ("path.connection_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createConnection",
        "201",
        "DeleteConnection",
        "deleteConnection",
        &[SAME_POOL, ("path.connection_id", "$response.body#/id")],
        &[],
    ),
    link(
        "putApp2WxappConnection",
        "200",
        "GetApp2WxappConnection",
        "getApp2WxappConnection",
        &[SAME_POOL],
        &[],
    ),
    link(
        "putApp2WxappConnection",
        "200",
        "DeleteConnection",
        "deleteApp2WxappConnection",
        &[SAME_POOL],
        &[],
    ),
    link(
        "putApp2WxappConnection",
        "200",
        "Login",
        "app2wxappLogin",
        &[("path.userPoolId", "$request.path.id")],
        &[],
    ),
    link(
        "createUser",
        "201",
        "GetUser",
        "getUser",
        &[SAME_POOL, ("path.user_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createUser",
        "201",
        "UpdateUser",
        "updateUser",
        &[SAME_POOL, ("path.user_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createUser",
        "201",
        "DeleteUser",
        "deleteUser",
        &[SAME_POOL, ("path.user_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createUser",
        "201",
        "ListIdentities",
        "listUserIdentities",
        &[SAME_POOL, ("path.user_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createUser",
        "201",
        "MergeInto",
        "mergeUser",
        &[SAME_POOL, ("path.user_id", "$response.body#/id")],
        &[],
    ),
    link(
        "createApplication",
        "201",
        "GetApplication",
        "getApplication",
        &[SAME_POOL, CLIENT_ID],
        &[],
    ),
    link(
        "createApplication",
        "201",
        "UpdateApplication",
        "updateApplication",
        &[SAME_POOL, CLIENT_ID],
        &[],
    ),
    link(
        "createApplication",
        "201",
        "RotateApplicationSecret",
        "rotateApplicationSecret",
        &[SAME_POOL, CLIENT_ID],
        &[],
    ),
    link(
        "createApplication",
        "201",
        "DeleteApplication",
        "deleteApplication",
        &[SAME_POOL, CLIENT_ID],
        &[],
    ),
    link(
        "createAdmin",
        "201",
        "DeleteAdmin",
        "deleteAdmin",
        &[("path.adminId", "$response.body#/id")],
        &[],
    ),
    link(
        "createAdmin",
        "201",
        "RevokeTokens",
        "revokeAdminTokens",
        &[("path.adminId", "$response.body#/id")],
        &[],
    ),
    link(
        "createAdmin",
        "201",
        "AdminLogin",
        "adminLogin",
        &[],
        &[("username", "$request.body#/username"), ("password", "$request.body#/password")],
    ),
    link(
        "app2wxappLogin",
        "200",
        "Exchange",
        "app2wxappExchange",
        &[("path.userPoolId", "$request.path.userPoolId")],
        &[("ticket", "$response.body#/ticket")],
    ),
];

/// Adds the [`LINKS`] to the answers they start from.
fn add_links(doc: &mut Value) {
    let Some(Value::Mapping(paths)) = doc.get_mut("paths") else { return };
    for item in paths.values_mut().filter_map(Value::as_mapping_mut) {
        for operation in item.values_mut().filter_map(Value::as_mapping_mut) {
            let id = operation.get("operationId").and_then(Value::as_str).unwrap_or_default();
            let links: Vec<&Link> = LINKS.iter().filter(|link| link.from == id).collect();
            for link in links {
                let answer = operation
                    .get_mut("responses")
                    .and_then(|r| r.get_mut(link.status))
                    .and_then(Value::as_mapping_mut);
                let Some(answer) = answer else { continue };
                let mut published = Mapping::new();
                published.insert("operationId".into(), link.to.into());
                let pairs = |pairs: &[(&str, &str)]| -> Mapping {
                    pairs.iter().map(|(k, v)| (Value::from(*k), Value::from(*v))).collect()
                };
                if !link.parameters.is_empty() {
                    published.insert("parameters".into(), Value::Mapping(pairs(link.parameters)));
                }
                if !link.body.is_empty() {
                    published.insert("requestBody".into(), Value::Mapping(pairs(link.body)));
                }
                let links = answer.entry("links".into()).or_insert_with(|| Mapping::new().into());
                if let Value::Mapping(links) = links {
                    links.insert(link.name.into(), Value::Mapping(published));
                }
            }
        }
    }
}

/// The names of the component schemas a request body reaches.
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut todo = Vec::new();
    for item in doc.get("paths").and_then(Value::as_mapping).into_iter().flat_map(Mapping::values) {
        for operation in item.as_mapping().into_iter().flat_map(Mapping::values) {
            references(operation.get("requestBody").unwrap_or(&Value::Null), &mut todo);
        }
    }
    let schemas = doc.get("components").and_then(|c| c.get("schemas"));
    while let Some(name) = todo.pop() {
        if found.insert(name.clone()) {
            references(schemas.and_then(|s| s.get(&name)).unwrap_or(&Value::Null), &mut todo);
        }
    }
    found
}

/// Every `$ref` below `node`, as a component schema name.
fn references(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Mapping(object) => {
            for (key, value) in object {
                match (key.as_str(), value.as_str()) {
                    (Some("$ref"), Some(target)) => {
                        out.push(target.rsplit('/').next().unwrap_or_default().to_owned());
                    }
                    _ => references(value, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| references(item, out)),
        _ => {}
    }
}

/// Marks every property of `schema` that is not required as `nullable`.
fn nullable_optionals(schema: &mut Mapping) {
    let required: Vec<Value> =
        schema.get("required").and_then(Value::as_sequence).cloned().unwrap_or_default();
    let Some(Value::Mapping(properties)) = schema.get_mut("properties") else { return };
    for (name, property) in properties.iter_mut() {
        if let Value::Mapping(property) = property
            && !required.contains(name)
        {
            property.insert("nullable".into(), Value::Bool(true));
        }
    }
}

/// Gives every string below `schema` that has no pattern or enum of its own the rule on
/// control characters.
fn no_control_strings(schema: &mut Mapping) {
    let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
    if is_string && !schema.contains_key("pattern") && !schema.contains_key("enum") {
        schema.insert("pattern".into(), NO_CONTROL_PATTERN.into());
    }
    if let Some(Value::Mapping(properties)) = schema.get_mut("properties") {
        for property in properties.values_mut().filter_map(Value::as_mapping_mut) {
            no_control_strings(property);
        }
    }
    if let Some(Value::Mapping(items)) = schema.get_mut("items") {
        no_control_strings(items);
    }
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
    use serde::de::DeserializeOwned;
    use serde_json::{Value as Json, json};

    use super::{CLOSED, LINKS, NO_CONTROL_PATTERN};

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

    /// The published document, as JSON.
    fn document() -> Json {
        serde_json::to_value(crate::document()).expect("YAML without tags is JSON")
    }

    /// Whether serde refuses an unknown field of `T`: given first, serde's derive reports it
    /// before any missing field.
    fn refuses_unknown_fields<T: DeserializeOwned>() -> bool {
        let error = serde_json::from_str::<T>(r#"{"\u0001unknown": 0}"#).err();
        error.is_some_and(|e| e.to_string().contains("unknown field"))
    }

    #[test]
    fn closed_schemas_are_exactly_the_bodies_that_refuse_unknown_fields() {
        use crate::{
            admins, app2wxapp, applications, auth, connections, identities, pools, qrcode, users,
            wxapp_qrcode,
        };
        let bodies = [
            ("AdminCredentials", refuses_unknown_fields::<auth::AdminCredentials>()),
            ("PoolCredentials", refuses_unknown_fields::<auth::PoolCredentials>()),
            ("CreateAdmin", refuses_unknown_fields::<admins::CreateAdmin>()),
            ("ChangePassword", refuses_unknown_fields::<admins::ChangePassword>()),
            ("CreatePool", refuses_unknown_fields::<pools::CreatePool>()),
            ("PatchPool", refuses_unknown_fields::<pools::PatchPool>()),
            ("RotateSecret", refuses_unknown_fields::<pools::RotateSecret>()),
            ("SettingsPatch", refuses_unknown_fields::<pools::SettingsPatch>()),
            ("App2WxappPatch", refuses_unknown_fields::<pools::App2WxappPatch>()),
            ("PutConnection", refuses_unknown_fields::<connections::PutConnection>()),
            ("CreateConnection", refuses_unknown_fields::<connections::CreateConnection>()),
            ("PatchConnection", refuses_unknown_fields::<connections::PatchConnection>()),
            ("CreateUser", refuses_unknown_fields::<users::CreateUser>()),
            ("PatchUser", refuses_unknown_fields::<users::PatchUser>()),
            ("MergeUser", refuses_unknown_fields::<identities::MergeUser>()),
            ("CreateApplication", refuses_unknown_fields::<applications::CreateApplication>()),
            ("PatchApplication", refuses_unknown_fields::<applications::PatchApplication>()),
            ("LoginBody", refuses_unknown_fields::<app2wxapp::LoginBody>()),
            ("ProfileBody", refuses_unknown_fields::<app2wxapp::ProfileBody>()),
            ("ExchangeBody", refuses_unknown_fields::<app2wxapp::ExchangeBody>()),
            ("SceneBody", refuses_unknown_fields::<wxapp_qrcode::SceneBody>()),
            ("ConfirmBody", refuses_unknown_fields::<wxapp_qrcode::ConfirmBody>()),
            (
                "QrcodeLoginStrategyPatch",
                refuses_unknown_fields::<pools::QrcodeLoginStrategyPatch>(),
            ),
            // The original's SDK sends fields these endpoints ignore.
            ("GeneBody", refuses_unknown_fields::<qrcode::GeneBody>()),
            ("UserinfoBody", refuses_unknown_fields::<qrcode::UserinfoBody>()),
        ];
        for (name, refuses) in bodies {
            assert_eq!(CLOSED.contains(&name), refuses, "{name}");
        }
        // Every object a request body reaches is in the table above.
        let doc = document();
        let objects: Vec<String> = super::request_schemas(&crate::document())
            .into_iter()
            .filter(|name| doc["components"]["schemas"][name]["type"] == "object")
            .collect();
        let mut listed: Vec<String> = bodies.iter().map(|(name, _)| (*name).to_owned()).collect();
        listed.sort();
        assert_eq!(objects, listed);
        for name in CLOSED {
            assert_eq!(doc["components"]["schemas"][name]["additionalProperties"], false, "{name}");
        }
    }

    #[test]
    fn unset_fields_are_published_as_nullable() {
        let doc = document();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for (name, schema) in schemas {
            let required = schema["required"].as_array().cloned().unwrap_or_default();
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                let optional = !required.contains(&json!(field));
                assert_eq!(property["nullable"] == true, optional, "{name}.{field}");
            }
        }
    }

    #[test]
    fn every_request_string_refuses_control_characters() {
        let rule = regex::Regex::new(NO_CONTROL_PATTERN).expect("the pattern compiles");
        for bad in ["nul\u{0}", "tab\t", "del\u{7f}", "c1\u{85}"] {
            assert!(!rule.is_match(bad), "{bad:?}");
        }
        assert!(rule.is_match("Acme 😀"));
        let doc = document();
        let mut strings = Vec::new();
        for name in super::request_schemas(&crate::document()) {
            let schema = &doc["components"]["schemas"][&name];
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                strings.push((format!("{name}.{field}"), property.clone()));
            }
        }
        for operation in doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|p| p.as_object())
            .flat_map(|p| p.values())
        {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                strings.push((format!("{}", parameter["name"]), parameter["schema"].clone()));
            }
        }
        for (name, schema) in strings.iter().filter(|(_, s)| s["type"] == "string") {
            let Some(pattern) = schema["pattern"].as_str() else {
                assert!(schema["enum"].is_array(), "{name} has neither pattern nor enum");
                continue;
            };
            let pattern = regex::Regex::new(pattern).expect("every published pattern compiles");
            for bad in ["nul\u{0}", "line\nfeed", "c1\u{85}"] {
                assert!(!pattern.is_match(bad), "{name} lets {bad:?} through");
            }
        }
    }

    #[test]
    fn every_link_joins_published_operations_and_parameters() {
        let doc = document();
        let mut operations = std::collections::BTreeMap::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
                operations.insert(operation["operationId"].as_str().unwrap_or_default(), operation);
            }
        }
        for link in LINKS {
            let from = operations.get(link.from).unwrap_or_else(|| panic!("{}", link.from));
            let published = &from["responses"][link.status]["links"][link.name];
            assert_eq!(published["operationId"], link.to, "{}.{}", link.from, link.name);
            let to = operations.get(link.to).unwrap_or_else(|| panic!("{}", link.to));
            for (parameter, _) in link.parameters {
                let (place, name) = parameter.split_once('.').expect("qualified");
                let declared = to["parameters"].as_array().into_iter().flatten();
                let found = declared.into_iter().any(|p| p["in"] == place && p["name"] == name);
                assert!(found, "{} has no {parameter}", link.to);
            }
            let body = &to["requestBody"]["content"]["application/json; charset=utf-8"]["schema"];
            let reference = body["$ref"].as_str().unwrap_or_default();
            let schema =
                &doc["components"]["schemas"][reference.rsplit('/').next().unwrap_or_default()];
            for (field, _) in link.body {
                assert!(
                    schema["properties"][field].is_object(),
                    "{} has no body field {field}",
                    link.to
                );
            }
        }
    }
}
