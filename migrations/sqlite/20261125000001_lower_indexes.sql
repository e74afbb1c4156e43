-- Lookups compare lower(…) on both backends (PostgreSQL has no NOCASE): expression indexes
-- serve them here too. SQLite's lower() and NOCASE both fold ASCII only, so these unique
-- indexes hold exactly where the NOCASE ones did.
CREATE UNIQUE INDEX user_accounts_email_lower ON user_accounts (lower(email));
CREATE UNIQUE INDEX user_accounts_username_lower ON user_accounts (lower(username));
CREATE UNIQUE INDEX organizations_slug_lower ON organizations (lower(slug));
CREATE UNIQUE INDEX outlets_org_number_lower ON outlets (organization_id, lower(number));
CREATE UNIQUE INDEX roles_org_name_lower ON roles (organization_id, lower(name));
