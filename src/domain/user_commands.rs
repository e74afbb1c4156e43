//! Typed commands of the users view: a new user (an item of the bulk create), a partial change
//! (`PATCH`, the console's edit form) and the list's filters. Every problem is reported at
//! once, by field; the services take only these.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::Problems;
use super::model::{ManagedBy, MembershipStatus};
use super::paging::PageRequest;
use super::users::{IdInput, PeopleFilter, UserInput};
use super::{
    AppError, BrandId, Email, ExternalId, Mobile, OutletId, PersonName, ReportRoleId, RoleId,
    Username,
};

/// At most this many entries in one list field of a user.
const MAX_LIST: usize = 2000;
/// At most this many values in one comma-separated filter.
const MAX_FILTER_VALUES: usize = 250;
/// Users per page: up to 250.
pub const MAX_USERS_PAGE: u32 = 250;

/// A list of ids, each parsed; problems under the field's name.
fn ids<T: Ord>(
    problems: &mut Problems,
    field: &str,
    raw: Option<&Vec<IdInput>>,
    parse: fn(&str) -> Option<T>,
) -> Option<Vec<T>> {
    let raw = raw?;
    if raw.len() > MAX_LIST {
        problems.add(field, format!("Give at most {MAX_LIST} entries."));
        return None;
    }
    let mut parsed = Vec::with_capacity(raw.len());
    for (index, item) in raw.iter().enumerate() {
        match parse(item.text()) {
            Some(id) => parsed.push(id),
            None => {
                problems.add(
                    field,
                    format!("Entry {index} is not an id (use {{\"id\": \"<uuid>\"}})."),
                );
                return None;
            }
        }
    }
    parsed.sort();
    parsed.dedup();
    Some(parsed)
}

fn one_id<T>(
    problems: &mut Problems,
    field: &str,
    raw: Option<&IdInput>,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let raw = raw?;
    let id = parse(raw.text());
    if id.is_none() {
        problems.add(field, "Use an id (a UUID).");
    }
    id
}

fn text<T>(
    problems: &mut Problems,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, String>,
) -> Option<T> {
    problems.check(field, parse(raw?))
}

/// A new user: required `username`, `email`, `default_location` and at least one user role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub mobile: Option<Mobile>,
    pub external_id: Option<ExternalId>,
    pub default_location: OutletId,
    pub inactive: bool,
    pub access: AccessChange,
    pub reports: Option<ReportsChange>,
    pub external_locations: Vec<OutletId>,
    /// `None`: not given (the organization's only brand applies, if it owns one).
    pub managed_by_brand: Option<Option<BrandId>>,
}

/// The access part of the users view, as written: the roles, and where the outlet roles
/// apply. Rewrites the membership's connectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessChange {
    pub user_roles: Option<Vec<RoleId>>,
    pub locations: Option<Vec<OutletId>>,
    pub all_location_access: Option<bool>,
}

impl AccessChange {
    pub fn is_empty(&self) -> bool {
        self.user_roles.is_none() && self.locations.is_none() && self.all_location_access.is_none()
    }
}

/// The report part: every report, or these report roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportsChange {
    pub all_reports_access: Option<bool>,
    pub report_roles: Option<Vec<ReportRoleId>>,
}

/// The profile part: fields of the account, not of the membership.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub username: Option<Username>,
    pub email: Option<Email>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    /// `Some(None)` clears the number.
    pub mobile: Option<Option<Mobile>>,
}

impl ProfileChange {
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.email.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.mobile.is_none()
    }
}

/// A partial change of a user: only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    pub profile: ProfileChange,
    /// `Some(None)` clears it.
    pub external_id: Option<Option<ExternalId>>,
    pub default_location: Option<OutletId>,
    pub inactive: Option<bool>,
    pub access: AccessChange,
    pub reports: Option<ReportsChange>,
    pub external_locations: Option<Vec<OutletId>>,
    pub managed_by_brand: Option<Option<BrandId>>,
}

/// The parts every input shares, parsed.
struct Parsed {
    username: Option<Username>,
    email: Option<Email>,
    first_name: Option<PersonName>,
    last_name: Option<PersonName>,
    mobile: Option<Option<Mobile>>,
    external_id: Option<Option<ExternalId>>,
    default_location: Option<OutletId>,
    access: AccessChange,
    reports: Option<ReportsChange>,
    external_locations: Option<Vec<OutletId>>,
    managed_by_brand: Option<Option<BrandId>>,
}

fn parse(input: &UserInput, problems: &mut Problems) -> Parsed {
    let username = text(
        problems,
        "username",
        input.username.as_deref(),
        Username::parse,
    );
    let email = text(problems, "email", input.email.as_deref(), Email::parse);
    let first_name = text(
        problems,
        "first_name",
        input.first_name.as_deref(),
        PersonName::parse,
    );
    let last_name = text(
        problems,
        "last_name",
        input.last_name.as_deref(),
        PersonName::parse,
    );
    let mobile = input.mobile_number.as_ref().map(|number| {
        number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .and_then(|n| problems.check("mobile_number", Mobile::parse(n)))
    });
    let external_id = input.external_id.as_ref().map(|id| {
        id.as_deref().and_then(|id| {
            problems
                .check("external_id", ExternalId::parse_optional(id))
                .flatten()
        })
    });
    let default_location = one_id(
        problems,
        "default_location",
        input.default_location.as_ref(),
        OutletId::parse,
    );
    let access = AccessChange {
        user_roles: ids(
            problems,
            "user_roles",
            input.user_roles.as_ref(),
            RoleId::parse,
        ),
        locations: ids(
            problems,
            "locations",
            input.locations.as_ref(),
            OutletId::parse,
        ),
        all_location_access: input.all_location_access,
    };
    let report_roles = ids(
        problems,
        "report_roles",
        input.report_roles.as_ref(),
        ReportRoleId::parse,
    );
    if input.all_reports_access == Some(true)
        && report_roles.as_ref().is_some_and(|r| !r.is_empty())
    {
        problems.add(
            "report_roles",
            "all_reports_access already gives every report: leave report_roles out.",
        );
    }
    let reports =
        (input.all_reports_access.is_some() || report_roles.is_some()).then_some(ReportsChange {
            all_reports_access: input.all_reports_access,
            report_roles,
        });
    let external_locations = ids(
        problems,
        "external_locations",
        input.external_locations.as_ref(),
        OutletId::parse,
    );
    let managed_by_brand = input.managed_by_brand.as_ref().map(|brand| {
        brand
            .as_ref()
            .and_then(|b| one_id(problems, "managed_by_brand", Some(b), BrandId::parse))
    });
    Parsed {
        username,
        email,
        first_name,
        last_name,
        mobile,
        external_id,
        default_location,
        access,
        reports,
        external_locations,
        managed_by_brand,
    }
}

impl TryFrom<&UserInput> for NewUser {
    type Error = AppError;

    fn try_from(input: &UserInput) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let parsed = parse(input, &mut problems);
        let required = [
            ("username", input.username.is_none(), "Give a username."),
            ("email", input.email.is_none(), "Give an email address."),
            (
                "default_location",
                input.default_location.is_none(),
                "Give the default location (an outlet id).",
            ),
        ];
        for (field, missing, problem) in required {
            if missing {
                problems.add(field, problem);
            }
        }
        if parsed
            .access
            .user_roles
            .as_ref()
            .is_none_or(|roles| roles.is_empty())
            && !problems.has("user_roles")
        {
            problems.add(
                "user_roles",
                "Give at least one user role, as [{\"id\": \"<role id>\"}].",
            );
        }
        problems.finish()?;
        match (parsed.username, parsed.email, parsed.default_location) {
            (Some(username), Some(email), Some(default_location)) => Ok(Self {
                username,
                email,
                first_name: parsed.first_name.unwrap_or_else(empty_name),
                last_name: parsed.last_name.unwrap_or_else(empty_name),
                mobile: parsed.mobile.flatten(),
                external_id: parsed.external_id.flatten(),
                default_location,
                inactive: input.inactive.unwrap_or(false),
                access: parsed.access,
                reports: parsed.reports,
                external_locations: parsed.external_locations.unwrap_or_default(),
                managed_by_brand: parsed.managed_by_brand,
            }),
            // `finish` has already reported what is missing.
            _ => Err(AppError::invalid(
                "Give username, email and default_location.",
            )),
        }
    }
}

fn empty_name() -> PersonName {
    PersonName::parse("").unwrap_or_else(|_| unreachable!("an empty name is a name"))
}

impl TryFrom<&UserInput> for UserChange {
    type Error = AppError;

    fn try_from(input: &UserInput) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let parsed = parse(input, &mut problems);
        if parsed
            .access
            .user_roles
            .as_ref()
            .is_some_and(|roles| roles.is_empty())
        {
            problems.add(
                "user_roles",
                "Keep at least one user role; to take all access away, deactivate the person.",
            );
        }
        problems.finish()?;
        let change = Self {
            profile: ProfileChange {
                username: parsed.username,
                email: parsed.email,
                first_name: parsed.first_name,
                last_name: parsed.last_name,
                mobile: parsed.mobile,
            },
            external_id: parsed.external_id,
            default_location: parsed.default_location,
            inactive: input.inactive,
            access: parsed.access,
            reports: parsed.reports,
            external_locations: parsed.external_locations,
            managed_by_brand: parsed.managed_by_brand,
        };
        if change == UserChange::default() {
            return Err(AppError::invalid("Send at least one field to change."));
        }
        Ok(change)
    }
}

/// Filters of the users list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub modified_since: Option<OffsetDateTime>,
    /// People with access at any of these outlets (an outlet connector there, or access to
    /// every location).
    pub location_ids: Vec<OutletId>,
    /// Names of managing brands, lower-cased.
    pub brands: Vec<String>,
    /// Exact emails, lower-cased.
    pub emails: Vec<String>,
    /// Exact external ids.
    pub external_ids: Vec<ExternalId>,
}

/// A page of the users list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserListQuery {
    pub filter: UserFilter,
    pub page: PageRequest,
}

/// The list parameters as received (query string).
#[derive(Debug, Clone, Default)]
pub struct RawUserQuery<'a> {
    pub modified_since: Option<&'a str>,
    pub location_ids: Option<&'a str>,
    pub brands: Option<&'a str>,
    pub emails: Option<&'a str>,
    pub external_ids: Option<&'a str>,
    pub page_size: Option<&'a str>,
    pub cursor: Option<&'a str>,
}

/// The values of a comma-separated parameter, trimmed; an empty one is refused (a stray
/// comma may hide a value that was meant).
fn comma_list<'a>(problems: &mut Problems, field: &str, raw: Option<&'a str>) -> Vec<&'a str> {
    let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else {
        return Vec::new();
    };
    let values: Vec<&str> = raw.split(',').map(str::trim).collect();
    if values.iter().any(|value| value.is_empty()) {
        problems.add(field, "Leave no empty value between commas.");
        return Vec::new();
    }
    if values.len() > MAX_FILTER_VALUES {
        problems.add(field, format!("Give at most {MAX_FILTER_VALUES} values."));
        return Vec::new();
    }
    values
}

impl TryFrom<RawUserQuery<'_>> for UserListQuery {
    type Error = AppError;

    fn try_from(raw: RawUserQuery<'_>) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let modified_since = raw
            .modified_since
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|text| {
                problems.check(
                    "modified_since",
                    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                        "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.".to_string()
                    }),
                )
            });
        let mut location_ids = Vec::new();
        for text in comma_list(&mut problems, "location_ids", raw.location_ids) {
            match OutletId::parse(text) {
                Some(id) => location_ids.push(id),
                None => problems.add(
                    "location_ids",
                    "Use outlet ids (UUIDs), separated by commas.",
                ),
            }
        }
        let brands = comma_list(&mut problems, "brands", raw.brands)
            .into_iter()
            .map(str::to_lowercase)
            .collect();
        let mut emails = Vec::new();
        for text in comma_list(&mut problems, "emails", raw.emails) {
            match Email::parse(text) {
                Ok(email) => emails.push(email.as_str().to_string()),
                Err(_) => problems.add("emails", "Use email addresses, separated by commas."),
            }
        }
        let external_ids = comma_list(&mut problems, "external_ids", raw.external_ids)
            .into_iter()
            .filter_map(|text| problems.check("external_ids", ExternalId::parse(text)))
            .collect();
        let page =
            PageRequest::parse_up_to(MAX_USERS_PAGE, raw.page_size, raw.cursor, &mut problems);
        problems.finish()?;
        Ok(Self {
            filter: UserFilter {
                modified_since,
                location_ids,
                brands,
                emails,
                external_ids,
            },
            page,
        })
    }
}

/// Who manages the people a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedFilter {
    By(ManagedBy),
    Brand(BrandId),
}

/// The console's people list selection: a search fragment, who manages them, their status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleSelection {
    pub search: Option<String>,
    pub managed: Option<ManagedFilter>,
    pub status: Option<MembershipStatus>,
    pub sign_in: Option<SignInFilter>,
}

/// The people list's filter on sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFilter {
    /// Never signed in.
    Never,
    /// No sign-in in the last `days` days, while a member at least that long (people added
    /// since are not "not signed in" yet).
    NotFor { days: u32 },
}

impl SignInFilter {
    /// At most ten years.
    pub const MAX_DAYS: u32 = 3650;
}

impl PeopleSelection {
    /// The search fragment, trimmed, when there is one.
    pub fn search_text(&self) -> Option<&str> {
        self.search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

impl TryFrom<&PeopleFilter> for PeopleSelection {
    type Error = AppError;

    fn try_from(filter: &PeopleFilter) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let managed = match filter.managed.trim() {
            "" => None,
            text => match text.strip_prefix("brand:") {
                Some(id) => BrandId::parse(id).map(ManagedFilter::Brand),
                None => text.parse::<ManagedBy>().ok().map(ManagedFilter::By),
            }
            .or_else(|| {
                problems.add("managed", "Choose console, api, scim or a brand.");
                None
            }),
        };
        let status = match filter.status.trim() {
            "" => None,
            text => text.parse::<MembershipStatus>().ok().or_else(|| {
                problems.add("status", "Choose active or inactive.");
                None
            }),
        };
        let sign_in = match filter.sign_in.trim() {
            "" => None,
            "never" => Some(SignInFilter::Never),
            days => match days.parse::<u32>() {
                Ok(days @ 1..=SignInFilter::MAX_DAYS) => Some(SignInFilter::NotFor { days }),
                _ => {
                    problems.add(
                        "sign_in",
                        format!(
                            "Choose never, or a number of days from 1 to {}.",
                            SignInFilter::MAX_DAYS
                        ),
                    );
                    None
                }
            },
        };
        problems.finish()?;
        Ok(Self {
            search: Some(filter.search.trim().to_string()).filter(|s| !s.is_empty()),
            managed,
            status,
            sign_in,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: serde_json::Value) -> UserInput {
        serde_json::from_value(value).unwrap()
    }

    const ROLE: &str = "0190f6c4-0000-7000-8000-000000000001";
    const OUTLET: &str = "0190f6c4-0000-7000-8000-000000000002";

    #[test]
    fn a_new_user_needs_username_email_default_location_and_a_role() {
        let cases = [
            (
                json!({}),
                vec!["username", "email", "default_location", "user_roles"],
            ),
            (
                json!({"username": "x", "email": "nope", "default_location": "12", "user_roles": []}),
                vec!["username", "email", "default_location", "user_roles"],
            ),
            (
                json!({"username": "ana.b", "email": "a@b.io", "default_location": OUTLET,
                       "user_roles": [{"id": "r"}], "mobile_number": "call me"}),
                vec!["user_roles", "mobile_number"],
            ),
            (
                json!({"username": "ana.b", "email": "a@b.io", "default_location": OUTLET,
                       "user_roles": [{"id": ROLE}], "all_reports_access": true,
                       "report_roles": [{"id": ROLE}]}),
                vec!["report_roles"],
            ),
        ];
        for (body, fields) in cases {
            let error = NewUser::try_from(&input(body.clone())).unwrap_err();
            for field in fields {
                assert!(
                    error.field_problem(field).is_some(),
                    "{field} in {body}: {error:?}"
                );
            }
        }
        let ok = NewUser::try_from(&input(json!({
            "username": "ana.b", "email": "Ana@B.io", "default_location": {"id": OUTLET},
            "user_roles": [{"id": ROLE}, ROLE]
        })))
        .unwrap();
        assert_eq!(ok.email.as_str(), "ana@b.io");
        assert_eq!(
            ok.access.user_roles.unwrap().len(),
            1,
            "duplicates collapse"
        );
    }

    #[test]
    fn a_change_keeps_what_is_absent_and_clears_what_is_null() {
        assert!(UserChange::try_from(&input(json!({}))).is_err());
        let change = UserChange::try_from(&input(json!({"mobile_number": null}))).unwrap();
        assert_eq!(change.profile.mobile, Some(None));
        assert!(change.access.is_empty());
        let change = UserChange::try_from(&input(json!({"inactive": true}))).unwrap();
        assert_eq!(change.inactive, Some(true));
        assert!(change.profile.is_empty());
    }

    #[test]
    fn list_filters_are_comma_lists() {
        let query = UserListQuery::try_from(RawUserQuery {
            emails: Some("A@b.io, c@d.io"),
            brands: Some(" Harbor Burger "),
            page_size: Some("250"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(query.filter.emails, ["a@b.io", "c@d.io"]);
        assert_eq!(query.filter.brands, ["harbor burger"]);
        assert_eq!(query.page.size, 250);
        let error = UserListQuery::try_from(RawUserQuery {
            location_ids: Some("x"),
            page_size: Some("251"),
            ..Default::default()
        })
        .unwrap_err();
        assert!(error.field_problem("location_ids").is_some());
        assert!(error.field_problem("page_size").is_some());
        // A stray comma may hide a value that was meant: refused, not skipped.
        let error = UserListQuery::try_from(RawUserQuery {
            brands: Some("Harbor Burger,"),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            error.field_problem("brands"),
            Some("Leave no empty value between commas.".to_string())
        );
    }
}
