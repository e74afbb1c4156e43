//! Outlet groups as sent (`POST` / `PATCH /api/v1/outlet-groups`, the console's forms),
//! parsed once.

use serde::{Deserialize, Serialize};

use super::error::Problems;
use super::{AppError, OutletId, PersonName};

/// At most this many outlets named in one request.
pub const MAX_OUTLETS: usize = 5_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Bay Area district", "outlets": ["0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5c"]})))]
pub struct OutletGroupInput {
    #[serde(default)]
    pub name: Option<String>,
    /// Outlet ids: the group's outlets from now on (replaces them).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<uuid::Uuid>>))]
    pub outlets: Option<Vec<String>>,
    /// Outlet ids to add (a change only).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<uuid::Uuid>>))]
    pub add_outlets: Option<Vec<String>>,
    /// Outlet ids to take out (a change only).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<uuid::Uuid>>))]
    pub remove_outlets: Option<Vec<String>>,
}

/// A group change (or, with a name, a new group): only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutletGroupChange {
    pub name: Option<PersonName>,
    /// The outlets from now on.
    pub outlets: Option<Vec<OutletId>>,
    pub add: Vec<OutletId>,
    pub remove: Vec<OutletId>,
}

fn ids(problems: &mut Problems, field: &str, raw: Option<&Vec<String>>) -> Option<Vec<OutletId>> {
    let raw = raw?;
    if raw.len() > MAX_OUTLETS {
        problems.add(
            field,
            format!("Name at most {MAX_OUTLETS} outlets at once."),
        );
        return None;
    }
    let mut ids = Vec::with_capacity(raw.len());
    for text in raw {
        match OutletId::parse(text.trim()) {
            Some(id) => ids.push(id),
            None => {
                problems.add(field, format!("{text} is not an outlet id (a UUID)."));
                return None;
            }
        }
    }
    ids.sort();
    ids.dedup();
    Some(ids)
}

impl OutletGroupChange {
    /// A change; `new` requires a name and takes only `outlets`.
    pub fn parse(input: &OutletGroupInput, new: bool) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let name = match input.name.as_deref().map(str::trim) {
            Some("") => {
                problems.add("name", "Give the group a name.");
                None
            }
            Some(text) => problems.check("name", PersonName::parse(text)),
            None if new => {
                problems.add("name", "Give the group a name.");
                None
            }
            None => None,
        };
        let outlets = ids(&mut problems, "outlets", input.outlets.as_ref());
        let add = ids(&mut problems, "add_outlets", input.add_outlets.as_ref());
        let remove = ids(
            &mut problems,
            "remove_outlets",
            input.remove_outlets.as_ref(),
        );
        if new && (add.is_some() || remove.is_some()) {
            problems.add("outlets", "A new group takes its outlets in outlets.");
        }
        if outlets.is_some() && (add.is_some() || remove.is_some()) {
            problems.add(
                "outlets",
                "Send outlets (the whole list) or add_outlets / remove_outlets, not both.",
            );
        }
        if let (Some(add), Some(remove)) = (&add, &remove)
            && add.iter().any(|id| remove.contains(id))
        {
            problems.add(
                "remove_outlets",
                "An outlet cannot be added and taken out at once.",
            );
        }
        problems.finish()?;
        let change = Self {
            name,
            outlets,
            add: add.unwrap_or_default(),
            remove: remove.unwrap_or_default(),
        };
        if !new
            && change.name.is_none()
            && change.outlets.is_none()
            && change.add.is_empty()
            && change.remove.is_empty()
        {
            return Err(AppError::invalid(
                "Send at least one of name, outlets, add_outlets, remove_outlets.",
            ));
        }
        Ok(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: Option<&str>, outlets: Option<Vec<&str>>) -> OutletGroupInput {
        OutletGroupInput {
            name: name.map(str::to_string),
            outlets: outlets.map(|o| o.into_iter().map(str::to_string).collect()),
            ..OutletGroupInput::default()
        }
    }

    #[test]
    fn a_new_group_needs_a_name_and_outlet_ids() {
        let id = "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5c";
        let cases: &[(OutletGroupInput, bool, Option<&str>)] = &[
            (input(Some("Bay Area"), Some(vec![id, id])), true, None),
            (input(None, None), true, Some("name")),
            (input(Some("  "), None), true, Some("name")),
            (
                input(Some("Bay"), Some(vec!["HB-001"])),
                true,
                Some("outlets"),
            ),
            (input(None, None), false, None),
            (
                OutletGroupInput {
                    add_outlets: Some(vec![id.into()]),
                    ..OutletGroupInput::default()
                },
                true,
                Some("name"),
            ),
            (
                OutletGroupInput {
                    add_outlets: Some(vec![id.into()]),
                    remove_outlets: Some(vec![id.into()]),
                    ..OutletGroupInput::default()
                },
                false,
                Some("remove_outlets"),
            ),
        ];
        for (raw, new, field) in cases {
            let parsed = OutletGroupChange::parse(raw, *new);
            match (field, parsed) {
                (None, Ok(change)) => {
                    assert_eq!(change.outlets.map(|o| o.len()), Some(1), "{raw:?}")
                }
                (None, Err(AppError::Invalid { .. })) if !new => {}
                (Some(field), Err(error)) => {
                    assert!(format!("{error:?}").contains(field), "{raw:?}: {error:?}")
                }
                (expected, got) => panic!("{raw:?}: expected {expected:?}, got {got:?}"),
            }
        }
    }
}
