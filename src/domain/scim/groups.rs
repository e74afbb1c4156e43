//! SCIM Groups as Brigade maps them: a group is one of the organization's roles
//! (`displayName` = the role's name, `id` = the role's id); its members are the people holding
//! that role — a library role across the organization, an outlet role at the person's default
//! outlet, which is where adding a member grants it. What a body or a PATCH asks of a group is
//! read here ([`GroupState`], [`GroupPatch`]), tolerant of Okta's and Entra ID's forms; the
//! service (`service::scim_groups`) grants and revokes through the connectors' use-cases.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};
use serde::Serialize;
use serde_json::{Map, Value};

use super::patch::{Op, Operation};
use super::{GROUP_SCHEMA, Meta, key, problem, strip_core_urn, text};
use crate::domain::AppError;

/// A group as a POST or PUT body gives it: its name, the identity provider's id for it, and
/// its members' user ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupState {
    pub display_name: String,
    pub external_id: Option<String>,
    pub members: Vec<String>,
}

/// The longest external id kept.
pub const MAX_EXTERNAL_ID: usize = 255;

fn external_id(value: Option<&Value>) -> Result<Option<String>, AppError> {
    match text(value, "externalId")?.map(|id| id.trim().to_string()) {
        None => Ok(None),
        Some(id) if id.is_empty() => Ok(None),
        Some(id) if id.chars().count() > MAX_EXTERNAL_ID => Err(problem(
            "invalidValue",
            format!("externalId: at most {MAX_EXTERNAL_ID} characters."),
        )),
        Some(id) => Ok(Some(id)),
    }
}

fn display_name(value: Option<&Value>) -> Result<String, AppError> {
    match text(value, "displayName")?.map(|name| name.trim().to_string()) {
        Some(name) if !name.is_empty() => Ok(name),
        _ => Err(problem(
            "invalidValue",
            "displayName is required: it is the role's name.",
        )),
    }
}

/// The user ids of a `members` value: a list of objects with a `value` (one object alone is
/// taken as a list of one; `null` is none).
fn member_ids(value: Option<&Value>) -> Result<Vec<String>, AppError> {
    let wrong = || problem("invalidValue", "members is a list of objects with a value.");
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.as_slice(),
        Some(single @ Value::Object(_)) => std::slice::from_ref(single),
        Some(_) => return Err(wrong()),
    };
    items
        .iter()
        .map(|item| {
            let Value::Object(item) = item else {
                return Err(wrong());
            };
            text(key(item, "value"), "members.value")?.ok_or_else(wrong)
        })
        .collect()
}

impl GroupState {
    /// A POST or PUT body. Attributes Brigade does not keep for a group are accepted and not
    /// stored.
    pub fn from_body(body: &Value) -> Result<Self, AppError> {
        let Value::Object(object) = body else {
            return Err(problem("invalidSyntax", "The body must be a JSON object."));
        };
        let field = |name: &str| -> Option<&Value> {
            key(object, name).or_else(|| {
                object
                    .iter()
                    .find(|(k, _)| strip_core_urn(k).eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
        };
        Ok(Self {
            display_name: display_name(field("displayName"))?,
            external_id: external_id(field("externalId"))?,
            members: member_ids(field("members"))?,
        })
    }
}

/// A change to a group's members, in the order the PATCH asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Add(Vec<String>),
    Remove(Vec<String>),
    /// `replace` of `members`: exactly these.
    Replace(Vec<String>),
    RemoveAll,
}

/// What a PATCH asks of a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupPatch {
    pub display_name: Option<String>,
    /// `Some(None)`: removed.
    pub external_id: Option<Option<String>>,
    pub members: Vec<MemberChange>,
}

/// What a path designates in a group.
enum Target {
    DisplayName,
    ExternalId,
    Members,
    /// `members[value eq "…"]`: these members.
    SomeMembers(Vec<String>),
    /// Accepted, not kept (an extension, an attribute groups do not have here).
    Ignored,
}

/// The ids a value filter inside `members[…]` names: `value eq "x"`, joined by `or`.
fn filtered_ids(filter: &ValFilter) -> Result<Vec<String>, AppError> {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(id)))
            if path.name.eq_ignore_ascii_case("value") =>
        {
            Ok(vec![id.clone()])
        }
        ValFilter::Or(items) => {
            let mut ids = Vec::new();
            for item in items.as_slice() {
                ids.extend(filtered_ids(item)?);
            }
            Ok(ids)
        }
        _ => Err(problem(
            "invalidFilter",
            "Brigade selects members by value eq \"<user id>\" (joined by or).",
        )),
    }
}

fn target(path: &str) -> Result<Target, AppError> {
    let parsed: PatchPath = path
        .parse()
        .map_err(|_| problem("invalidPath", format!("The path {path:?} cannot be read.")))?;
    let (attr, only) = match parsed {
        PatchPath::Attr(attr) => (attr, None),
        PatchPath::Value(value) => (value.attr, Some(value.filter)),
    };
    if let Some(uri) = &attr.uri
        && !uri.eq_ignore_ascii_case(GROUP_SCHEMA)
    {
        return Ok(Target::Ignored);
    }
    let name = strip_core_urn(&attr.name).to_ascii_lowercase();
    Ok(match (name.as_str(), only) {
        ("displayname", None) => Target::DisplayName,
        ("externalid", None) => Target::ExternalId,
        ("members", None) => Target::Members,
        ("members", Some(filter)) => Target::SomeMembers(filtered_ids(&filter)?),
        ("displayname", Some(_)) => {
            return Err(problem(
                "invalidPath",
                "displayName is a single value: no filter.",
            ));
        }
        _ => Target::Ignored,
    })
}

/// The operations of a PatchOp body on a group, as one [`GroupPatch`]: Okta's (`members`
/// added with a list, removed by `members[value eq "…"]`, a path-less replace of
/// `displayName`) and Entra ID's (capitalised ops, `members` removed with a list as value).
pub fn patch(operations: &[Operation]) -> Result<GroupPatch, AppError> {
    let mut patch = GroupPatch::default();
    for operation in operations {
        let value = operation.value.as_ref();
        match (operation.op, operation.path.as_deref()) {
            (Op::Remove, None) => {
                return Err(problem("noTarget", "A remove operation needs a path."));
            }
            (op, None) => {
                let Some(Value::Object(object)) = value else {
                    return Err(problem(
                        "invalidValue",
                        "An add or replace without a path takes an object of attributes.",
                    ));
                };
                whole(&mut patch, op, object)?;
            }
            (op, Some(path)) => match (op, target(path)?) {
                (_, Target::Ignored) => {}
                (Op::Remove, Target::DisplayName) => {
                    return Err(problem(
                        "mutability",
                        "displayName is required: a group keeps its role's name.",
                    ));
                }
                (_, Target::DisplayName) => patch.display_name = Some(display_name(value)?),
                (Op::Remove, Target::ExternalId) => patch.external_id = Some(None),
                (_, Target::ExternalId) => patch.external_id = Some(external_id(value)?),
                (Op::Remove, Target::Members) => match value {
                    None | Some(Value::Null) => patch.members.push(MemberChange::RemoveAll),
                    Some(_) => patch.members.push(MemberChange::Remove(member_ids(value)?)),
                },
                (Op::Remove, Target::SomeMembers(ids)) => {
                    patch.members.push(MemberChange::Remove(ids))
                }
                (Op::Add, Target::Members) => {
                    patch.members.push(MemberChange::Add(member_ids(value)?))
                }
                (Op::Replace, Target::Members) => patch
                    .members
                    .push(MemberChange::Replace(member_ids(value)?)),
                (_, Target::SomeMembers(_)) => {
                    return Err(problem(
                        "invalidPath",
                        "Members are added with the path members and a list of values.",
                    ));
                }
            },
        }
    }
    Ok(patch)
}

/// A path-less add or replace: its object's `displayName`, `externalId` and `members`; `id`,
/// `schemas` and anything else are accepted and not kept.
fn whole(patch: &mut GroupPatch, op: Op, object: &Map<String, Value>) -> Result<(), AppError> {
    for (name, value) in object {
        match strip_core_urn(name).to_ascii_lowercase().as_str() {
            "displayname" => patch.display_name = Some(display_name(Some(value))?),
            "externalid" => patch.external_id = Some(external_id(Some(value))?),
            "members" => {
                let ids = member_ids(Some(value))?;
                patch.members.push(if op == Op::Add {
                    MemberChange::Add(ids)
                } else {
                    MemberChange::Replace(ids)
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// A member as a group lists it: the user's id and URI (no `display`: identity providers
/// read the user itself).
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub value: String,
    #[serde(rename = "$ref")]
    pub reference: String,
}

/// A Group as `/scim/v2/Groups` answers it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupResource {
    pub schemas: [&'static str; 1],
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub display_name: String,
    pub members: Vec<Member>,
    pub meta: Meta,
}

impl super::Versioned for GroupResource {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
}

#[cfg(test)]
mod tests {
    use super::super::patch::operations;
    use super::*;
    use serde_json::json;

    fn patched(body: Value) -> Result<GroupPatch, AppError> {
        patch(&operations(&body)?)
    }

    #[test]
    fn okta_and_entra_group_operations_are_understood() {
        use MemberChange::*;
        let ids = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                "Okta adds members",
                json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": "u1", "display": "ana@x.example"}, {"value": "u2"}]}]}),
                GroupPatch {
                    display_name: None,
                    external_id: None,
                    members: vec![Add(ids(&["u1", "u2"]))],
                },
            ),
            (
                "Okta removes a member by a value filter",
                json!({"Operations": [{"op": "remove", "path": "members[value eq \"u1\"]"}]}),
                GroupPatch {
                    display_name: None,
                    external_id: None,
                    members: vec![Remove(ids(&["u1"]))],
                },
            ),
            (
                "Okta renames with a path-less replace",
                json!({"Operations": [{"op": "replace", "value": {"id": "g1", "displayName": "Line Cooks"}}]}),
                GroupPatch {
                    display_name: Some("Line Cooks".into()),
                    external_id: None,
                    members: vec![],
                },
            ),
            (
                "Entra adds and removes with capitalised ops",
                json!({"Operations": [
                    {"op": "Add", "path": "members", "value": [{"value": "u3"}]},
                    {"op": "Remove", "path": "members", "value": [{"value": "u1"}]}
                ]}),
                GroupPatch {
                    display_name: None,
                    external_id: None,
                    members: vec![Add(ids(&["u3"])), Remove(ids(&["u1"]))],
                },
            ),
            (
                "Entra renames by path and sets the externalId",
                json!({"Operations": [
                    {"op": "Replace", "path": "displayName", "value": "Hosts"},
                    {"op": "Replace", "path": "externalId", "value": "x"},
                    {"op": "Add", "path": "urn:example:extension:costCenter", "value": "7"}
                ]}),
                GroupPatch {
                    display_name: Some("Hosts".into()),
                    external_id: Some(Some("x".into())),
                    members: vec![],
                },
            ),
            (
                "members removed without a value: all of them",
                json!({"Operations": [{"op": "remove", "path": "members"}]}),
                GroupPatch {
                    display_name: None,
                    external_id: None,
                    members: vec![RemoveAll],
                },
            ),
            (
                "members replaced",
                json!({"Operations": [{"op": "replace", "path": "members", "value": [{"value": "u9"}]}]}),
                GroupPatch {
                    display_name: None,
                    external_id: None,
                    members: vec![Replace(ids(&["u9"]))],
                },
            ),
        ];
        for (case, body, expected) in cases {
            assert_eq!(patched(body).unwrap(), expected, "{case}");
        }
    }

    #[test]
    fn what_a_group_cannot_take_is_refused_with_its_scim_type() {
        let cases = [
            (
                "no displayName left",
                json!({"Operations": [{"op": "remove", "path": "displayName"}]}),
                "mutability",
            ),
            (
                "an empty name",
                json!({"Operations": [{"op": "replace", "path": "displayName", "value": " "}]}),
                "invalidValue",
            ),
            (
                "members that are not objects",
                json!({"Operations": [{"op": "add", "path": "members", "value": ["u1"]}]}),
                "invalidValue",
            ),
            (
                "a member filter on something else",
                json!({"Operations": [{"op": "remove", "path": "members[display eq \"Ana\"]"}]}),
                "invalidFilter",
            ),
            (
                "a remove without a path",
                json!({"Operations": [{"op": "remove", "value": {"members": []}}]}),
                "noTarget",
            ),
        ];
        for (case, body, scim_type) in cases {
            let error = patched(body).expect_err(case);
            assert!(
                format!("{error:?}").contains(scim_type),
                "{case}: {error:?}"
            );
        }
    }

    #[test]
    fn a_body_gives_the_name_and_the_member_ids() {
        let state = GroupState::from_body(&json!({
            "schemas": [GROUP_SCHEMA],
            "displayName": " Line Cooks ",
            "externalId": "okta-1",
            "members": [{"value": "u1", "display": "Ana"}]
        }))
        .unwrap();
        assert_eq!(
            state,
            GroupState {
                display_name: "Line Cooks".into(),
                external_id: Some("okta-1".into()),
                members: vec!["u1".into()],
            }
        );
        assert!(GroupState::from_body(&json!({"members": []})).is_err());
        assert_eq!(
            GroupState::from_body(&json!({"displayName": "Hosts", "members": null}))
                .unwrap()
                .members,
            Vec::<String>::new()
        );
    }
}
