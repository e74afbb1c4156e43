//! SCIM 2.0 (RFC 7643 / 7644) users as Brigade keeps them: what of a SCIM User it stores
//! ([`UserState`]), how a body an identity provider sends becomes one (tolerant of what Okta and
//! Entra ID send: `password`, `"groups": []`, nulls, `"True"` strings, any case of attribute
//! names), how PATCH operations change one ([`patch`]), and the filters it answers ([`filter`]).
//! Server only; the adapter (`api::scim`) owns HTTP and the service (`service::scim`) the writes.

mod equality;
pub mod filter;
pub mod groups;
pub mod patch;

use serde::Serialize;
use serde_json::{Map, Value};

use super::AppError;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A SCIM problem with the request (400), named by its RFC 7644 `scimType`.
pub fn problem(scim_type: &str, detail: impl Into<String>) -> AppError {
    AppError::bad_request(scim_type, detail)
}

/// What Brigade stores of a SCIM user. Everything else an identity provider sends is accepted
/// and not kept (`password`, `displayName`, `groups`, `roles`, the enterprise extension…), and
/// `/Schemas` publishes only these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

/// The key of `object` equal to `name` ignoring case (attribute names are case-insensitive).
pub(crate) fn key<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A string attribute: absent or null is `None`; anything but a string is refused.
pub(crate) fn text(value: Option<&Value>, attribute: &str) -> Result<Option<String>, AppError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(problem(
            "invalidValue",
            format!("{attribute} must be a string."),
        )),
    }
}

/// A boolean attribute, also as Entra ID sends it (`"True"`, `"False"`).
pub(crate) fn boolean(value: &Value, attribute: &str) -> Result<bool, AppError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(problem(
            "invalidValue",
            format!("{attribute} must be true or false."),
        )),
    }
}

/// The value kept of a multi-valued attribute (`emails`, `phoneNumbers`): Brigade keeps one,
/// the one marked primary, else the first. `null` or `[]` means none.
pub(crate) fn one_of_many(
    value: Option<&Value>,
    attribute: &str,
) -> Result<Option<String>, AppError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items.as_slice(),
        Some(single @ Value::Object(_)) => std::slice::from_ref(single),
        Some(_) => {
            return Err(problem(
                "invalidValue",
                format!("{attribute} must be a list of objects with a value."),
            ));
        }
    };
    let mut chosen = None;
    for item in items {
        let Value::Object(item) = item else {
            return Err(problem(
                "invalidValue",
                format!("{attribute} must be a list of objects with a value."),
            ));
        };
        let primary = match key(item, "primary") {
            None | Some(Value::Null) => false,
            Some(flag) => boolean(flag, &format!("{attribute}.primary"))?,
        };
        let value = text(key(item, "value"), &format!("{attribute}.value"))?;
        if primary || chosen.is_none() {
            chosen = value.or(chosen);
        }
        if primary {
            break;
        }
    }
    Ok(chosen)
}

impl UserState {
    /// A User as POST and PUT send it (a full representation).
    pub fn from_body(body: &Value) -> Result<Self, AppError> {
        let Value::Object(object) = body else {
            return Err(problem("invalidSyntax", "The body must be a JSON object."));
        };
        let user_name = text(key(object, "userName"), "userName")?
            .filter(|name| !name.trim().is_empty())
            .ok_or_else(|| problem("invalidValue", "userName is required."))?;
        let (given_name, family_name) = match key(object, "name") {
            None | Some(Value::Null) => (None, None),
            Some(Value::Object(name)) => (
                text(key(name, "givenName"), "name.givenName")?,
                text(key(name, "familyName"), "name.familyName")?,
            ),
            Some(_) => return Err(problem("invalidValue", "name must be an object.")),
        };
        let active = match key(object, "active") {
            None | Some(Value::Null) => true,
            Some(value) => boolean(value, "active")?,
        };
        Ok(Self {
            user_name,
            external_id: text(key(object, "externalId"), "externalId")?,
            given_name,
            family_name,
            email: one_of_many(key(object, "emails"), "emails")?,
            phone: one_of_many(key(object, "phoneNumbers"), "phoneNumbers")?,
            active,
        })
    }

    /// The address Brigade signs the person in with: their email, or a userName that is one.
    pub fn address(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.user_name)
    }
}

/// `meta` of a resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub resource_type: &'static str,
    pub created: String,
    pub last_modified: String,
    pub location: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

/// The address Brigade keeps (one: no `primary` or `type` to tell apart).
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phone {
    pub value: String,
}

/// A User as `/scim/v2/Users` answers it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResource {
    pub schemas: [&'static str; 1],
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub user_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    pub emails: Vec<Email>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<Phone>,
    pub active: bool,
    pub meta: Meta,
}

impl UserResource {
    /// The resource of `state`; its version is set by [`UserResource::versioned`].
    pub fn new(id: String, state: &UserState, meta: Meta) -> Self {
        let name = (state.given_name.is_some() || state.family_name.is_some()).then(|| Name {
            given_name: state.given_name.clone(),
            family_name: state.family_name.clone(),
        });
        Self {
            schemas: [USER_SCHEMA],
            id,
            external_id: state.external_id.clone(),
            user_name: state.user_name.clone(),
            name,
            emails: state
                .email
                .iter()
                .map(|value| Email {
                    value: value.clone(),
                })
                .collect(),
            phone_numbers: state
                .phone
                .iter()
                .map(|value| Phone {
                    value: value.clone(),
                })
                .collect(),
            active: state.active,
            meta,
        }
    }
}

/// A resource answered one at a time, with its version as `ETag`.
pub trait Versioned: Serialize + Clone {
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;

    /// The resource without its version: what the version is the hash of.
    fn unversioned(&self) -> Self {
        let mut copy = self.clone();
        copy.meta_mut().version = String::new();
        copy
    }
}

impl Versioned for UserResource {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
}

/// Which attributes an answer carries (`attributes` / `excludedAttributes`, RFC 7644 §3.9):
/// `schemas` and `id` always; names compare ignoring case; `name.givenName` keeps only that
/// sub-attribute of `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Projection {
    #[default]
    All,
    Only(Vec<String>),
    Except(Vec<String>),
}

impl Projection {
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Self {
        let list = |raw: &str| -> Vec<String> {
            raw.split(',')
                .map(|a| strip_core_urn(a.trim()).to_ascii_lowercase())
                .filter(|a| !a.is_empty())
                .collect()
        };
        match (attributes, excluded) {
            (Some(raw), _) if !list(raw).is_empty() => Projection::Only(list(raw)),
            (_, Some(raw)) if !list(raw).is_empty() => Projection::Except(list(raw)),
            _ => Projection::All,
        }
    }

    /// The resource's JSON with only what the caller asked for.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(object) = resource else {
            return resource;
        };
        let always = |k: &str| k == "schemas" || k == "id";
        let mut kept = Map::new();
        for (name, value) in object {
            let lower = name.to_ascii_lowercase();
            let keep = match self {
                Projection::All => Some(value),
                _ if always(&lower) => Some(value),
                Projection::Only(names) => {
                    if names.contains(&lower) {
                        Some(value)
                    } else {
                        let subs: Vec<&str> = names
                            .iter()
                            .filter_map(|n| n.strip_prefix(&format!("{lower}.")))
                            .collect();
                        sub_attributes(value, |sub| subs.contains(&sub))
                    }
                }
                Projection::Except(names) => {
                    if names.contains(&lower) {
                        None
                    } else {
                        let subs: Vec<&str> = names
                            .iter()
                            .filter_map(|n| n.strip_prefix(&format!("{lower}.")))
                            .collect();
                        if subs.is_empty() {
                            Some(value)
                        } else {
                            sub_attributes(value, |sub| !subs.contains(&sub))
                        }
                    }
                }
            };
            if let Some(value) = keep {
                kept.insert(name, value);
            }
        }
        Value::Object(kept)
    }
}

/// The sub-attributes of a complex value (or of each item of a list) that `keep` names.
fn sub_attributes(value: Value, keep: impl Fn(&str) -> bool + Copy) -> Option<Value> {
    let filter = |object: Map<String, Value>| -> Map<String, Value> {
        object
            .into_iter()
            .filter(|(k, _)| keep(&k.to_ascii_lowercase()))
            .collect()
    };
    match value {
        Value::Object(object) => {
            let kept = filter(object);
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(object) => {
                        let kept = filter(object);
                        (!kept.is_empty()).then_some(Value::Object(kept))
                    }
                    _ => None,
                })
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    }
}

/// `userName` for `urn:ietf:params:scim:schemas:core:2.0:User:userName` (attribute names
/// may carry their schema).
pub(crate) fn strip_core_urn(name: &str) -> &str {
    for schema in [USER_SCHEMA, GROUP_SCHEMA] {
        let prefix = schema.len() + 1;
        if name.len() > prefix
            && name.is_char_boundary(schema.len())
            && name[..schema.len()].eq_ignore_ascii_case(schema)
            && name.as_bytes()[schema.len()] == b':'
        {
            return &name[prefix..];
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_keeps_what_brigade_stores_and_tolerates_the_rest() {
        let okta = json!({
            "schemas": [USER_SCHEMA], "userName": "ana@harbor.example",
            "name": {"givenName": "Ana", "familyName": "Lopes"},
            "emails": [{"primary": true, "value": "ana@harbor.example", "type": "work"}],
            "password": "secret", "groups": [], "active": true, "displayName": "Ana Lopes"
        });
        let entra = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA], "externalId": "0a1b", "UserName": "ben@x.example",
            "active": "False", "emails": [{"type": "work", "value": "ben@x.example", "primary": "True"}],
            "name": {"givenName": null, "familyName": "Okafor", "formatted": null}, "roles": [],
            "phoneNumbers": [{"type": "mobile", "value": "+32 470 00 00 00"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": null}
        });
        let cases = [
            (okta, ("ana@harbor.example", None, Some("Ana"), true, None)),
            (
                entra,
                (
                    "ben@x.example",
                    Some("0a1b"),
                    None,
                    false,
                    Some("+32 470 00 00 00"),
                ),
            ),
        ];
        for (body, (user_name, external_id, given, active, phone)) in cases {
            let state = UserState::from_body(&body).unwrap();
            assert_eq!(state.user_name, user_name);
            assert_eq!(state.external_id.as_deref(), external_id);
            assert_eq!(state.given_name.as_deref(), given);
            assert_eq!(state.active, active);
            assert_eq!(state.phone.as_deref(), phone);
            assert_eq!(state.email.as_deref(), Some(user_name));
        }
    }

    #[test]
    fn a_body_without_a_user_name_or_with_wrong_types_is_refused() {
        for body in [
            json!({}),
            json!({"userName": ""}),
            json!({"userName": 7}),
            json!({"userName": "a", "active": "maybe"}),
            json!({"userName": "a", "emails": "a@b.c"}),
            json!([]),
        ] {
            let error = UserState::from_body(&body).unwrap_err();
            assert!(matches!(error, AppError::BadRequest { .. }), "{body}");
        }
    }

    #[test]
    fn the_primary_value_of_a_list_is_kept() {
        let emails = json!([{"value": "a@x.example"}, {"value": "b@x.example", "primary": true}]);
        assert_eq!(
            one_of_many(Some(&emails), "emails").unwrap().as_deref(),
            Some("b@x.example")
        );
        let emails = json!([{"value": "a@x.example"}, {"value": "b@x.example"}]);
        assert_eq!(
            one_of_many(Some(&emails), "emails").unwrap().as_deref(),
            Some("a@x.example")
        );
        assert_eq!(one_of_many(Some(&json!([])), "emails").unwrap(), None);
    }

    #[test]
    fn a_projection_keeps_schemas_and_id_and_what_was_asked() {
        let resource = json!({"schemas": ["s"], "id": "1", "userName": "u", "name": {"givenName": "A", "familyName": "B"}, "active": true});
        let cases = [
            (
                Some("userName"),
                None,
                json!({"schemas": ["s"], "id": "1", "userName": "u"}),
            ),
            (
                Some("NAME.givenName"),
                None,
                json!({"schemas": ["s"], "id": "1", "name": {"givenName": "A"}}),
            ),
            (
                None,
                Some("name,active"),
                json!({"schemas": ["s"], "id": "1", "userName": "u"}),
            ),
            (None, Some("id"), resource.clone()),
            (
                Some(&format!("{USER_SCHEMA}:active")[..]),
                None,
                json!({"schemas": ["s"], "id": "1", "active": true}),
            ),
        ];
        for (attributes, excluded, expected) in cases {
            let projected = Projection::parse(attributes, excluded).apply(resource.clone());
            assert_eq!(projected, expected, "{attributes:?} {excluded:?}");
        }
    }
}
