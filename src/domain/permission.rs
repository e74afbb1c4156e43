text_enum!(
    /// A capability, checked on the server for every page, server function and API call.
    /// Stored by its code in `role_permissions.permission`.
    ///
    /// Only permissions that guard a feature exist: a permission nothing checks would be a
    /// promise the product does not keep. A feature that needs a new one adds it here, with
    /// its check in `domain::policy` and a probe in the integration test
    /// `every_permission_guards_what_it_names`. `roles.manage` (manage roles and
    /// permissions) guards the API User Permissions toggles of Security & Permissions;
    /// `api_tokens.manage` guards issuing and revoking API clients; `settings.manage` the
    /// organization's settings (name, default time zone); `outlets.manage` its outlets; `audit.view` the audit log (held
    /// organization-wide).
    Permission {
        ViewUsers => "users.view",
        ManageUsers => "users.manage",
        ViewConnectors => "connectors.view",
        ManageConnectors => "connectors.manage",
        ManageRoles => "roles.manage",
        ManageApiTokens => "api_tokens.manage",
        ManageSettings => "settings.manage",
        ManageOutlets => "outlets.manage",
        ViewAudit => "audit.view",
    }
);

impl Permission {
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// Whether it changes something (as opposed to viewing): those who hold one may be
    /// required to use two-step sign-in.
    pub fn manages(self) -> bool {
        use Permission::*;
        match self {
            ManageUsers | ManageConnectors | ManageRoles | ManageApiTokens | ManageSettings
            | ManageOutlets => true,
            ViewUsers | ViewConnectors | ViewAudit => false,
        }
    }

    pub fn all() -> &'static [Permission] {
        <Permission as strum::VariantArray>::VARIANTS
    }
}

#[cfg(test)]
mod tests {
    use super::Permission;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for p in Permission::all() {
            assert_eq!(p.code().parse::<Permission>(), Ok(*p));
        }
        assert!("roles.delete".parse::<Permission>().is_err());
    }
}
