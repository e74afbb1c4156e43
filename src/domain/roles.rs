//! Defining roles and report roles: what the API and the console send, parsed once into
//! typed commands.

use serde::{Deserialize, Serialize};

use super::commands::id_field;
use super::error::Problems;
use super::model::{ConnectorType, PartnerRole};
use super::{AppError, BrandId, Permission, PersonName};

/// A role as sent (`POST` / `PATCH /api/v1/user-roles`, the console's role form).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Shift Lead", "type": "O", "partner_role": "manager", "permissions": ["users.view", "connectors.view", "connectors.manage"]})))]
pub struct RoleInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub role_type: Option<String>,
    #[serde(default)]
    pub partner_role: Option<String>,
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
    /// A brand the organization owns: a brand role, granted (read-only) by its franchisees.
    #[serde(default)]
    pub brand: Option<String>,
}

/// A role's name: 1 to 100 characters.
fn role_name(problems: &mut Problems, raw: Option<&str>) -> Option<PersonName> {
    match raw.map(str::trim) {
        None => None,
        Some("") => {
            problems.add("name", "Give the role a name.");
            None
        }
        Some(text) => problems.check("name", PersonName::parse(text)),
    }
}

fn permissions(problems: &mut Problems, raw: Option<&Vec<String>>) -> Option<Vec<Permission>> {
    let raw = raw?;
    let mut parsed = Vec::new();
    for code in raw {
        match code.trim().parse::<Permission>() {
            Ok(permission) => parsed.push(permission),
            Err(_) => {
                let known: Vec<&str> = Permission::all().iter().map(|p| p.code()).collect();
                problems.add(
                    "permissions",
                    format!("{code:?} is not a permission; use {}.", known.join(", ")),
                );
                return None;
            }
        }
    }
    parsed.sort();
    parsed.dedup();
    Some(parsed)
}

fn partner_role(problems: &mut Problems, raw: Option<&str>) -> Option<PartnerRole> {
    let text = raw?.trim();
    let parsed = text.parse::<PartnerRole>().ok();
    if parsed.is_none() {
        problems.add("partner_role", "Use manager, viewer or api.");
    }
    parsed
}

/// A new role.
#[derive(Debug, Clone)]
pub struct NewRole {
    pub name: PersonName,
    pub role_type: ConnectorType,
    pub partner_role: PartnerRole,
    pub permissions: Vec<Permission>,
    pub brand: Option<BrandId>,
}

impl TryFrom<&RoleInput> for NewRole {
    type Error = AppError;

    fn try_from(input: &RoleInput) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let name = role_name(&mut problems, input.name.as_deref().or(Some("")));
        let role_type = match input.role_type.as_deref().map(|t| t.trim().to_uppercase()) {
            Some(text) => text.parse::<ConnectorType>().ok(),
            None => None,
        };
        if role_type.is_none() {
            problems.add("type", "Use L (the whole organization) or O (an outlet).");
        }
        let partner = partner_role(&mut problems, input.partner_role.as_deref().or(Some("")));
        let permissions =
            permissions(&mut problems, input.permissions.as_ref()).unwrap_or_default();
        let brand = id_field(
            &mut problems,
            "brand",
            input.brand.as_deref(),
            BrandId::parse,
            "Use a brand id (a UUID).",
        );
        problems.finish()?;
        match (name, role_type, partner) {
            (Some(name), Some(role_type), Some(partner_role)) => Ok(Self {
                name,
                role_type,
                partner_role,
                permissions,
                brand,
            }),
            _ => Err(AppError::invalid("Check the role's fields.")),
        }
    }
}

/// A change of a role: only what is given changes; its type and brand are fixed.
#[derive(Debug, Clone, Default)]
pub struct RoleChange {
    pub name: Option<PersonName>,
    pub partner_role: Option<PartnerRole>,
    pub permissions: Option<Vec<Permission>>,
}

impl TryFrom<&RoleInput> for RoleChange {
    type Error = AppError;

    fn try_from(input: &RoleInput) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        if input.role_type.is_some() {
            problems.add(
                "type",
                "A role's type is fixed once created: define a new role instead.",
            );
        }
        if input.brand.is_some() {
            problems.add("brand", "A role's brand is fixed once created.");
        }
        let change = Self {
            name: role_name(&mut problems, input.name.as_deref()),
            partner_role: partner_role(&mut problems, input.partner_role.as_deref()),
            permissions: permissions(&mut problems, input.permissions.as_ref()),
        };
        problems.finish()?;
        if change.name.is_none() && change.partner_role.is_none() && change.permissions.is_none() {
            return Err(AppError::invalid(
                "Send at least one of name, partner_role, permissions.",
            ));
        }
        Ok(change)
    }
}

/// A report role as sent: its name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Finance"})))]
pub struct ReportRoleInput {
    #[serde(default)]
    pub name: Option<String>,
}

impl ReportRoleInput {
    pub fn name(&self) -> Result<PersonName, AppError> {
        let mut problems = Problems::default();
        let name = role_name(&mut problems, self.name.as_deref().or(Some("")));
        problems.finish()?;
        name.ok_or_else(|| AppError::field("name", "Give the report role a name."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> RoleInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_role_reports_every_problem_by_field_and_its_type_is_fixed() {
        let error = NewRole::try_from(&input(serde_json::json!({
            "name": " ", "type": "X", "partner_role": "boss", "permissions": ["users.fly"]
        })))
        .unwrap_err();
        for field in ["name", "type", "partner_role", "permissions"] {
            assert!(error.field_problem(field).is_some(), "{field}: {error:?}");
        }
        let ok = NewRole::try_from(&input(serde_json::json!({
            "name": "Shift Lead", "type": "o", "partner_role": "viewer",
            "permissions": ["users.view", "users.view"]
        })))
        .unwrap();
        assert_eq!(ok.permissions, [Permission::ViewUsers]);
        assert!(RoleChange::try_from(&input(serde_json::json!({"type": "L"}))).is_err());
        assert!(RoleChange::try_from(&input(serde_json::json!({}))).is_err());
    }
}
