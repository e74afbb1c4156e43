use serde::{Deserialize, Serialize};

/// A capability, checked on the server for every page, server function and API call.
/// Stored by its code in `role_permissions.permission`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Permission {
    ViewUsers,
    ManageUsers,
    ViewConnectors,
    ManageConnectors,
    ManageRoles,
    ManageOutlets,
    ManageSettings,
    ManageApiTokens,
    ViewAuditLog,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::ViewUsers,
        Permission::ManageUsers,
        Permission::ViewConnectors,
        Permission::ManageConnectors,
        Permission::ManageRoles,
        Permission::ManageOutlets,
        Permission::ManageSettings,
        Permission::ManageApiTokens,
        Permission::ViewAuditLog,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::ViewUsers => "users.view",
            Permission::ManageUsers => "users.manage",
            Permission::ViewConnectors => "connectors.view",
            Permission::ManageConnectors => "connectors.manage",
            Permission::ManageRoles => "roles.manage",
            Permission::ManageOutlets => "outlets.manage",
            Permission::ManageSettings => "settings.manage",
            Permission::ManageApiTokens => "api_tokens.manage",
            Permission::ViewAuditLog => "audit.view",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::ViewUsers => "View people",
            Permission::ManageUsers => "Manage people",
            Permission::ViewConnectors => "View access (connectors)",
            Permission::ManageConnectors => "Manage access (connectors)",
            Permission::ManageRoles => "Manage roles & permissions",
            Permission::ManageOutlets => "Manage outlets",
            Permission::ManageSettings => "Manage settings",
            Permission::ManageApiTokens => "Manage API tokens",
            Permission::ViewAuditLog => "View audit log",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

impl From<Permission> for &'static str {
    fn from(value: Permission) -> Self {
        value.code()
    }
}

impl TryFrom<String> for Permission {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_code(&value).ok_or_else(|| format!("unknown permission {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::Permission;

    #[test]
    fn codes_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(p));
        }
        assert_eq!(Permission::from_code("nope"), None);
    }
}
