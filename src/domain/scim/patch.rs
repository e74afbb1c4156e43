//! PATCH (RFC 7644 §3.5.2) on a [`UserState`]: `add`, `replace` and `remove` with a path
//! (`name.givenName`, `emails[type eq "work"].value`, URN-qualified names), and the path-less
//! `add` / `replace` whose value holds the attributes, dotted or URN-qualified keys included.
//! Entra ID's forms are accepted: operations in any case, booleans as `"True"`/`"False"`.
//! Attributes Brigade does not keep (`displayName`, `title`, the enterprise extension…) are
//! accepted and not stored, so an identity provider's routine updates never fail on them.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::Value;

use super::{UserState, boolean, key, one_of_many, problem, strip_core_urn, text};
use crate::domain::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// One operation of a PatchOp body.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub op: Op,
    pub path: Option<String>,
    pub value: Option<Value>,
}

/// At most this many operations in one request.
const MAX_OPERATIONS: usize = 1_000;

/// The operations of a PatchOp body.
pub fn operations(body: &Value) -> Result<Vec<Operation>, AppError> {
    let Value::Object(object) = body else {
        return Err(problem("invalidSyntax", "The body must be a JSON object."));
    };
    let Some(Value::Array(items)) = key(object, "Operations") else {
        return Err(problem(
            "invalidSyntax",
            "A PATCH body has a list of Operations.",
        ));
    };
    if items.len() > MAX_OPERATIONS {
        return Err(problem(
            "invalidSyntax",
            format!("At most {MAX_OPERATIONS} operations in one request."),
        ));
    }
    items
        .iter()
        .map(|item| {
            let Value::Object(item) = item else {
                return Err(problem("invalidSyntax", "Each operation is an object."));
            };
            let op = match text(key(item, "op"), "op")?.map(|op| op.to_ascii_lowercase()) {
                Some(op) if op == "add" => Op::Add,
                Some(op) if op == "replace" => Op::Replace,
                Some(op) if op == "remove" => Op::Remove,
                _ => {
                    return Err(problem(
                        "invalidSyntax",
                        "Each operation's op is add, replace or remove.",
                    ));
                }
            };
            Ok(Operation {
                op,
                path: text(key(item, "path"), "path")?.filter(|p| !p.trim().is_empty()),
                value: key(item, "value").cloned(),
            })
        })
        .collect()
}

/// What a path designates in a [`UserState`].
#[derive(Debug, Clone, PartialEq)]
enum Target {
    UserName,
    ExternalId,
    Active,
    Name,
    GivenName,
    FamilyName,
    /// `emails`, or the address itself (`emails.value`); with a value filter, only when the
    /// kept address matches it.
    Email {
        whole: bool,
        only: Option<ValFilter>,
    },
    Phone {
        whole: bool,
        only: Option<ValFilter>,
    },
    /// Accepted, not kept.
    Ignored,
}

fn target(path: &str) -> Result<Target, AppError> {
    let parsed: PatchPath = path
        .parse()
        .map_err(|_| problem("invalidPath", format!("The path {path:?} cannot be read.")))?;
    let (attr, only, sub) = match parsed {
        PatchPath::Attr(attr) => (attr, None, None),
        PatchPath::Value(value) => (value.attr, Some(value.filter), value.sub_attr),
    };
    Ok(target_of(&attr, only, sub))
}

fn target_of(attr: &AttrPath, only: Option<ValFilter>, sub: Option<String>) -> Target {
    if let Some(uri) = &attr.uri
        && !uri.eq_ignore_ascii_case(super::USER_SCHEMA)
    {
        return Target::Ignored;
    }
    let name = attr.name.to_ascii_lowercase();
    let sub = sub
        .or_else(|| attr.sub_attr.clone())
        .map(|s| s.to_ascii_lowercase());
    match (name.as_str(), sub.as_deref()) {
        ("username", None) => Target::UserName,
        ("externalid", None) => Target::ExternalId,
        ("active", None) => Target::Active,
        ("name", None) => Target::Name,
        ("name", Some("givenname")) => Target::GivenName,
        ("name", Some("familyname")) => Target::FamilyName,
        ("emails", None) => Target::Email { whole: true, only },
        ("emails", Some("value")) => Target::Email { whole: false, only },
        ("phonenumbers", None) => Target::Phone { whole: true, only },
        ("phonenumbers", Some("value")) => Target::Phone { whole: false, only },
        _ => Target::Ignored,
    }
}

/// Whether the one value Brigade keeps of a list (its primary, of any type) matches a value
/// filter: `value` compares ignoring case; `type` and `primary` hold.
fn matches(filter: &ValFilter, kept: &str) -> bool {
    match filter {
        ValFilter::Attr(AttrExp::Present(path)) => {
            !path.name.eq_ignore_ascii_case("value") || !kept.is_empty()
        }
        ValFilter::Attr(AttrExp::Comparison(path, op, value)) => {
            if !path.name.eq_ignore_ascii_case("value") {
                return true;
            }
            let CompValue::Str(wanted) = value else {
                return false;
            };
            let (kept, wanted) = (kept.to_lowercase(), wanted.to_lowercase());
            match op {
                CompareOp::Eq => kept == wanted,
                CompareOp::Ne => kept != wanted,
                CompareOp::Co => kept.contains(&wanted),
                CompareOp::Sw => kept.starts_with(&wanted),
                CompareOp::Ew => kept.ends_with(&wanted),
                _ => false,
            }
        }
        ValFilter::Not(inner) => !matches(inner, kept),
        ValFilter::And(items) => items.as_slice().iter().all(|f| matches(f, kept)),
        ValFilter::Or(items) => items.as_slice().iter().any(|f| matches(f, kept)),
    }
}

/// The value of an `emails` / `phoneNumbers` target given a whole list, an item or a string.
fn list_value(value: &Value, whole: bool, attribute: &str) -> Result<Option<String>, AppError> {
    match value {
        Value::String(s) if !whole => Ok(Some(s.clone())),
        Value::Object(item) => text(key(item, "value"), &format!("{attribute}.value")),
        other => one_of_many(Some(other), attribute),
    }
}

/// The kept value of a list after add/replace at a target (a filter that matches nothing kept
/// is `noTarget`, unless nothing is kept yet: then the value is added).
fn set_list(
    kept: &mut Option<String>,
    only: Option<&ValFilter>,
    value: &Value,
    whole: bool,
    attribute: &str,
) -> Result<(), AppError> {
    if let (Some(filter), Some(current)) = (only, kept.as_deref())
        && !matches(filter, current)
    {
        return Err(problem(
            "noTarget",
            format!("No value of {attribute} matches the path's filter."),
        ));
    }
    *kept = list_value(value, whole, attribute)?;
    Ok(())
}

fn set(state: &mut UserState, target: &Target, value: &Value) -> Result<(), AppError> {
    match target {
        Target::UserName => {
            state.user_name = text(Some(value), "userName")?
                .filter(|name| !name.trim().is_empty())
                .ok_or_else(|| problem("invalidValue", "userName is required."))?;
        }
        Target::ExternalId => state.external_id = text(Some(value), "externalId")?,
        Target::Active => state.active = boolean(value, "active")?,
        Target::Name => match value {
            Value::Object(name) => {
                for (attribute, value) in name {
                    match attribute.to_ascii_lowercase().as_str() {
                        "givenname" => set(state, &Target::GivenName, value)?,
                        "familyname" => set(state, &Target::FamilyName, value)?,
                        _ => {}
                    }
                }
            }
            Value::Null => {
                state.given_name = None;
                state.family_name = None;
            }
            _ => return Err(problem("invalidValue", "name must be an object.")),
        },
        Target::GivenName => state.given_name = text(Some(value), "name.givenName")?,
        Target::FamilyName => state.family_name = text(Some(value), "name.familyName")?,
        Target::Email { whole, only } => {
            set_list(&mut state.email, only.as_ref(), value, *whole, "emails")?;
        }
        Target::Phone { whole, only } => {
            set_list(
                &mut state.phone,
                only.as_ref(),
                value,
                *whole,
                "phoneNumbers",
            )?;
        }
        Target::Ignored => {}
    }
    Ok(())
}

fn remove(state: &mut UserState, target: &Target) -> Result<(), AppError> {
    match target {
        Target::UserName | Target::Active => {
            return Err(problem(
                "mutability",
                "userName and active are required: replace them instead.",
            ));
        }
        Target::ExternalId => state.external_id = None,
        Target::Name => {
            state.given_name = None;
            state.family_name = None;
        }
        Target::GivenName => state.given_name = None,
        Target::FamilyName => state.family_name = None,
        Target::Email { only, .. } => remove_from(&mut state.email, only.as_ref()),
        Target::Phone { only, .. } => remove_from(&mut state.phone, only.as_ref()),
        Target::Ignored => {}
    }
    Ok(())
}

fn remove_from(kept: &mut Option<String>, only: Option<&ValFilter>) {
    if kept
        .as_deref()
        .is_some_and(|current| only.is_none_or(|filter| matches(filter, current)))
    {
        *kept = None;
    }
}

/// A path-less add/replace: each key of the value object is an attribute (`name.givenName`
/// and `urn:…:User:userName` included; other schemas' keys are not kept).
fn set_all(state: &mut UserState, value: &Value) -> Result<(), AppError> {
    let Value::Object(object) = value else {
        return Err(problem(
            "invalidValue",
            "Without a path, the value is an object of attributes.",
        ));
    };
    for (name, value) in object {
        let name = strip_core_urn(name);
        if name.to_ascii_lowercase().starts_with("urn:") {
            continue;
        }
        set(state, &target(name)?, value)?;
    }
    Ok(())
}

/// The state after `operations`, applied in order (all or nothing: the caller writes only
/// the result).
pub fn apply(state: &UserState, operations: &[Operation]) -> Result<UserState, AppError> {
    let mut state = state.clone();
    for operation in operations {
        match (operation.op, &operation.path, &operation.value) {
            (Op::Remove, None, _) => {
                return Err(problem("noTarget", "A remove operation needs a path."));
            }
            (Op::Remove, Some(path), _) => remove(&mut state, &target(path)?)?,
            (_, _, None) => {
                return Err(problem(
                    "invalidValue",
                    "An add or replace operation needs a value.",
                ));
            }
            (_, None, Some(value)) => set_all(&mut state, value)?,
            (_, Some(path), Some(value)) => set(&mut state, &target(path)?, value)?,
        }
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ana() -> UserState {
        UserState {
            user_name: "ana@x.example".into(),
            external_id: Some("e-1".into()),
            given_name: Some("Ana".into()),
            family_name: Some("Lopes".into()),
            email: Some("ana@x.example".into()),
            phone: None,
            active: true,
        }
    }

    fn patched(body: serde_json::Value) -> Result<UserState, AppError> {
        apply(&ana(), &operations(&body)?)
    }

    #[test]
    fn okta_and_entra_operations_change_what_they_name() {
        type Change = fn(&mut UserState);
        let cases: Vec<(serde_json::Value, Change)> = vec![
            // Okta's deactivation: a path-less replace.
            (
                json!({"schemas": [super::super::PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": false}}]}),
                |s| s.active = false,
            ),
            // Entra ID: capitalised op, a string boolean.
            (
                json!({"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}),
                |s| s.active = false,
            ),
            // Entra ID: single-path replaces, a value filter, an enterprise path.
            (
                json!({"Operations": [
                    {"op": "Replace", "path": "name.givenName", "value": "Anna"},
                    {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "anna@x.example"},
                    {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Kitchen"},
                    {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+32 470 11 22 33"}
                ]}),
                |s| {
                    s.given_name = Some("Anna".into());
                    s.email = Some("anna@x.example".into());
                    s.phone = Some("+32 470 11 22 33".into());
                },
            ),
            // Entra ID: one path-less replace with dotted and URN-qualified keys.
            (
                json!({"Operations": [{"op": "replace", "value": {
                    "name.familyName": "Silva",
                    "urn:ietf:params:scim:schemas:core:2.0:User:userName": "ana.silva@x.example",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "77",
                    "displayName": "Ana Silva",
                    "active": "True"
                }}]}),
                |s| {
                    s.family_name = Some("Silva".into());
                    s.user_name = "ana.silva@x.example".into();
                },
            ),
            (
                json!({"Operations": [{"op": "remove", "path": "externalId"}, {"op": "remove", "path": "name"}]}),
                |s| {
                    s.external_id = None;
                    s.given_name = None;
                    s.family_name = None;
                },
            ),
            (
                json!({"Operations": [{"op": "add", "path": "emails", "value": [{"value": "b@x.example", "primary": true}]}]}),
                |s| s.email = Some("b@x.example".into()),
            ),
            (
                json!({"Operations": [{"op": "remove", "path": "emails[value eq \"ANA@x.example\"]"}]}),
                |s| s.email = None,
            ),
            (
                json!({"Operations": [{"op": "remove", "path": "emails[value eq \"other@x.example\"]"}]}),
                |_| {},
            ),
            (
                json!({"Operations": [{"op": "replace", "path": "name", "value": {"familyName": "Silva"}}]}),
                |s| s.family_name = Some("Silva".into()),
            ),
        ];
        for (body, change) in cases {
            let mut expected = ana();
            change(&mut expected);
            assert_eq!(patched(body.clone()).unwrap(), expected, "{body}");
        }
    }

    #[test]
    fn operations_brigade_cannot_apply_are_refused_by_scim_type() {
        let cases = [
            (json!({"Operations": [{"op": "remove"}]}), "noTarget"),
            (
                json!({"Operations": [{"op": "remove", "path": "userName"}]}),
                "mutability",
            ),
            (
                json!({"Operations": [{"op": "replace", "path": "userName", "value": ""}]}),
                "invalidValue",
            ),
            (
                json!({"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]}),
                "invalidValue",
            ),
            (
                json!({"Operations": [{"op": "replace", "path": "emails[type eq", "value": "x"}]}),
                "invalidPath",
            ),
            (
                json!({"Operations": [{"op": "replace", "path": "emails[value eq \"z@x.example\"].value", "value": "y@x.example"}]}),
                "noTarget",
            ),
            (
                json!({"Operations": [{"op": "replace", "value": "x"}]}),
                "invalidValue",
            ),
            (
                json!({"Operations": [{"op": "replace", "path": "name.givenName"}]}),
                "invalidValue",
            ),
            (
                json!({"Operations": [{"op": "move", "path": "userName", "value": "x"}]}),
                "invalidSyntax",
            ),
            (json!({"operations": "x"}), "invalidSyntax"),
        ];
        for (body, scim_type) in cases {
            match patched(body.clone()) {
                Err(AppError::BadRequest { code, .. }) => assert_eq!(code, scim_type, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
