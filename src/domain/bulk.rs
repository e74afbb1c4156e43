//! Bulk actions on people, as the console's people list sends them, parsed once.

use super::user_commands::PeopleSelection;
use super::{AppError, OutletGroupId, OutletId, RoleId, UserId};

/// At most this many people in one bulk action.
pub const MAX_PEOPLE: usize = 10_000;

/// Whom a bulk action takes: the people selected, or everyone the list's filter matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkTargets {
    People(Vec<UserId>),
    Matching(PeopleSelection),
}

/// Where a role is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkPlace {
    /// A library role: the whole organization.
    Organization,
    Outlets(Vec<OutletId>),
    Group(OutletGroupId),
}

/// What a bulk action does to each person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Deactivate,
    Reactivate,
    AddRole { role: RoleId, place: BulkPlace },
    RemoveRole { role: RoleId },
}

impl BulkAction {
    /// From the form: `action` (deactivate, reactivate, add_role, remove_role), a role id,
    /// the outlets (resolved from pickers) and an outlet group id.
    pub fn parse(
        action: &str,
        role: &str,
        outlets: Vec<OutletId>,
        group: &str,
    ) -> Result<Self, AppError> {
        let role =
            || RoleId::parse(role.trim()).ok_or_else(|| AppError::field("role", "Choose a role."));
        match action {
            "deactivate" => Ok(Self::Deactivate),
            "reactivate" => Ok(Self::Reactivate),
            "remove_role" => Ok(Self::RemoveRole { role: role()? }),
            "add_role" => {
                let role = role()?;
                let group = match group.trim() {
                    "" => None,
                    text => Some(OutletGroupId::parse(text).ok_or_else(|| {
                        AppError::field(
                            "outlet_group",
                            "There is no such outlet group in this organization.",
                        )
                    })?),
                };
                let place = match (group, outlets.is_empty()) {
                    (Some(_), false) => {
                        return Err(AppError::field(
                            "outlet_group",
                            "Give outlets or an outlet group, not both.",
                        ));
                    }
                    (Some(group), true) => BulkPlace::Group(group),
                    (None, false) => BulkPlace::Outlets(outlets),
                    (None, true) => BulkPlace::Organization,
                };
                Ok(Self::AddRole { role, place })
            }
            _ => Err(AppError::field("action", "Choose what to do.")),
        }
    }

    /// Whether it changes people's status (else their access).
    pub fn changes_status(&self) -> bool {
        matches!(self, Self::Deactivate | Self::Reactivate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_action_names_what_it_needs() {
        let role = "0190f6c4-0000-7000-8000-000000000001";
        let outlet = OutletId::parse("0190f6c4-0000-7000-8000-000000000002").unwrap();
        /// (action, role, outlets, group, the action's kind or the field refused)
        type Case<'a> = (
            &'a str,
            &'a str,
            Vec<OutletId>,
            &'a str,
            Result<&'a str, &'a str>,
        );
        let cases: Vec<Case<'_>> = vec![
            ("deactivate", "", vec![], "", Ok("Deactivate")),
            ("reactivate", "", vec![], "", Ok("Reactivate")),
            ("remove_role", role, vec![], "", Ok("RemoveRole")),
            ("remove_role", "", vec![], "", Err("role")),
            ("add_role", role, vec![outlet], "", Ok("Outlets")),
            ("add_role", role, vec![], "", Ok("Organization")),
            ("add_role", role, vec![], role, Ok("Group")),
            ("add_role", role, vec![outlet], role, Err("outlet_group")),
            ("add_role", role, vec![], "nope", Err("outlet_group")),
            ("delete_everyone", "", vec![], "", Err("action")),
        ];
        for (action, role, outlets, group, expected) in cases {
            let parsed = BulkAction::parse(action, role, outlets, group);
            match (expected, parsed) {
                (Ok(kind), Ok(action)) => {
                    assert!(format!("{action:?}").contains(kind), "{action:?}")
                }
                (Err(field), Err(error)) => {
                    assert!(error.field_problem(field).is_some(), "{error:?}")
                }
                (expected, got) => panic!("{expected:?} but {got:?}"),
            }
        }
    }
}
