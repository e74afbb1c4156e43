-- The API User Permissions toggles say how many people each affects: counted through this
-- index (externally managed people of the organization, by brand), not by reading every member.
CREATE INDEX memberships_org_managed ON memberships (organization_id, managed_by, managed_by_brand_id);
