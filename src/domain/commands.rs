//! Typed commands: what the adapters (API, console) parse raw input into at the edge, so
//! that the services take only valid input. Every problem is reported at once, by field.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::Problems;
use super::model::{
    ConnectorQuery, ConnectorState, ConnectorType, CreateConnector, TransferConnector,
    UpdateConnector,
};
use super::paging::PageRequest;
use super::{AppError, Email, ExternalId, OutletGroupId, OutletId, PersonName, RoleId};

/// A text that says nothing: absent, or blank.
fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// An optional id field: blank is absent; anything else must parse, or `problem` is recorded.
pub(crate) fn id_field<T>(
    problems: &mut Problems,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    problem: &str,
) -> Option<T> {
    let text = given(raw)?;
    let id = parse(text);
    if id.is_none() {
        problems.add(field, problem);
    }
    id
}

fn name_field(problems: &mut Problems, field: &str, raw: Option<&str>) -> Option<PersonName> {
    problems
        .check(field, PersonName::parse(raw?))
        .filter(|name| !name.is_empty())
}

/// The role and outlet of a grant (`role`, `outlet`), by id.
fn grant_ids(
    problems: &mut Problems,
    role: &Option<String>,
    outlet: &Option<String>,
) -> (Option<RoleId>, Option<OutletId>) {
    let role = id_field(
        problems,
        "role",
        role.as_deref(),
        RoleId::parse,
        "There is no such role in this organization.",
    );
    let outlet = id_field(
        problems,
        "outlet",
        outlet.as_deref(),
        OutletId::parse,
        "There is no such outlet in this organization.",
    );
    (role, outlet)
}

/// "Add user": a connector for the person with this email, creating their account and
/// membership when they do not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnector {
    pub email: Email,
    /// Used only for a new account: an existing account is never changed this way.
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub role: RoleId,
    /// `None`: a library connector (the whole organization), or a group's.
    pub outlet: Option<OutletId>,
    /// An outlet group instead of one outlet (never both).
    pub outlet_group: Option<OutletGroupId>,
    /// The organization's own number for the person; a deactivated member holding it (or
    /// the email) is brought back (a rehire).
    pub external_id: Option<ExternalId>,
    /// When the access starts and ends (both open by default).
    pub window: Window,
    pub send_verification_email: bool,
}

/// An instant a grant starts or ends: exact (the API), or the start of a day in the outlet's
/// time zone (the console's dates), resolved by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    At(OffsetDateTime),
    LocalDay(jiff::civil::Date),
}

/// When a grant starts (inclusive) and ends (exclusive); `None`: open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub starts: Option<Moment>,
    pub ends: Option<Moment>,
}

impl Window {
    pub fn is_open(&self) -> bool {
        self.starts.is_none() && self.ends.is_none()
    }

    /// From RFC 3339 instants (the API's `starts_at` / `ends_at`).
    pub fn instants(
        problems: &mut Problems,
        starts_at: Option<&str>,
        ends_at: Option<&str>,
    ) -> Self {
        let instant = |problems: &mut Problems, field: &str, text: Option<&str>| {
            given(text).and_then(|text| {
                problems.check(
                    field,
                    OffsetDateTime::parse(text, &Rfc3339)
                        .map(Moment::At)
                        .map_err(|_| {
                            "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.".to_string()
                        }),
                )
            })
        };
        Self {
            starts: instant(problems, "starts_at", starts_at),
            ends: instant(problems, "ends_at", ends_at),
        }
    }

    /// From the console's days (`YYYY-MM-DD`) at the outlet: from the start of `from` until
    /// the end of `until` (its last day, inclusive).
    pub fn local_days(problems: &mut Problems, from: Option<&str>, until: Option<&str>) -> Self {
        let day = |problems: &mut Problems, field: &str, text: Option<&str>| {
            given(text).and_then(|text| {
                problems.check(
                    field,
                    text.parse::<jiff::civil::Date>()
                        .map_err(|_| "Use a date, e.g. 2026-01-31.".to_string()),
                )
            })
        };
        let from = day(problems, "starts_at", from);
        let until = day(problems, "ends_at", until);
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            problems.add("ends_at", "The last day comes on or after the first.");
        }
        let after = until.and_then(|until| {
            until
                .tomorrow()
                .map_err(|_| problems.add("ends_at", "Use a date before the year 9999."))
                .ok()
        });
        Self {
            starts: from.map(Moment::LocalDay),
            ends: after.map(Moment::LocalDay),
        }
    }
}

impl TryFrom<CreateConnector> for NewConnector {
    type Error = AppError;

    fn try_from(input: CreateConnector) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let email = match given(input.email.as_deref()) {
            None => {
                problems.add("email", "Enter an email address.");
                None
            }
            Some(raw) => problems.check("email", Email::parse(raw)),
        };
        let first_name = name_field(&mut problems, "first_name", input.first_name.as_deref());
        let last_name = name_field(&mut problems, "last_name", input.last_name.as_deref());
        let (role, outlet) = grant_ids(&mut problems, &input.role, &input.outlet);
        let outlet_group = id_field(
            &mut problems,
            "outlet_group",
            input.outlet_group.as_deref(),
            OutletGroupId::parse,
            "There is no such outlet group in this organization.",
        );
        if outlet.is_some() && outlet_group.is_some() {
            problems.add(
                "outlet_group",
                "Give an outlet or an outlet group, not both.",
            );
        }
        let external_id = input
            .external_id
            .as_deref()
            .and_then(|id| problems.check("external_id", ExternalId::parse_optional(id)))
            .flatten();
        let window = Window::instants(
            &mut problems,
            input.starts_at.as_deref(),
            input.ends_at.as_deref(),
        );
        if role.is_none() && !problems.has("role") {
            problems.add("role", "Choose a role.");
        }
        problems.finish()?;
        match (email, role) {
            (Some(email), Some(role)) => Ok(Self {
                email,
                first_name,
                last_name,
                role,
                outlet,
                outlet_group,
                external_id,
                window,
                send_verification_email: input.send_verification_email,
            }),
            // `finish` has already reported a missing email or role.
            _ => Err(AppError::invalid(
                "Enter an email address and choose a role.",
            )),
        }
    }
}

/// A transfer, parsed: to this outlet, from this moment (`None`: now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub to: OutletId,
    pub on: Option<Moment>,
}

impl TryFrom<TransferConnector> for Transfer {
    type Error = AppError;

    fn try_from(input: TransferConnector) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let to = id_field(
            &mut problems,
            "outlet",
            input.outlet.as_deref(),
            OutletId::parse,
            "Use an outlet id (a UUID).",
        );
        if to.is_none() && !problems.has("outlet") {
            problems.add("outlet", "Choose the outlet the access moves to.");
        }
        let on = given(input.on.as_deref()).and_then(|text| {
            problems.check(
                "on",
                OffsetDateTime::parse(text, &Rfc3339)
                    .map(Moment::At)
                    .map_err(|_| {
                        "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.".to_string()
                    }),
            )
        });
        problems.finish()?;
        match to {
            Some(to) => Ok(Self { to, on }),
            None => Err(AppError::invalid("Choose the outlet the access moves to.")),
        }
    }
}

/// A partial change of a connector: only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorChange {
    pub role: Option<RoleId>,
    pub outlet: Option<OutletId>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
}

impl ConnectorChange {
    pub fn changes_grant(&self) -> bool {
        self.role.is_some() || self.outlet.is_some()
    }

    pub fn changes_names(&self) -> bool {
        self.first_name.is_some() || self.last_name.is_some()
    }
}

impl TryFrom<UpdateConnector> for ConnectorChange {
    type Error = AppError;

    fn try_from(input: UpdateConnector) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let (role, outlet) = grant_ids(&mut problems, &input.role, &input.outlet);
        // A name given as "" is a change to empty; only an absent name stays as it is.
        let first_name = input
            .first_name
            .as_deref()
            .and_then(|raw| problems.check("first_name", PersonName::parse(raw)));
        let last_name = input
            .last_name
            .as_deref()
            .and_then(|raw| problems.check("last_name", PersonName::parse(raw)));
        problems.finish()?;
        let change = Self {
            role,
            outlet,
            first_name,
            last_name,
        };
        if !change.changes_grant() && !change.changes_names() {
            return Err(AppError::invalid(
                "Send at least one of role, outlet, first_name, last_name.",
            ));
        }
        Ok(change)
    }
}

/// Filters of the connector list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorFilter {
    pub connector_type: Option<ConnectorType>,
    /// A fragment of the email, matched case-insensitively; `%` and `_` are literal.
    pub email: Option<String>,
    pub role_id: Option<RoleId>,
    pub outlet_id: Option<OutletId>,
    pub outlet_group_id: Option<OutletGroupId>,
    pub modified_since: Option<OffsetDateTime>,
    pub state: Option<ConnectorState>,
    /// Grants that reach this outlet: at it, through a group holding it, or across the
    /// organization (the access report).
    pub reaches: Option<OutletId>,
    /// Only grants of active members (the access report).
    pub active_members: bool,
}

/// A page of the connector list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorListQuery {
    pub filter: ConnectorFilter,
    pub page: PageRequest,
}

impl TryFrom<&ConnectorQuery> for ConnectorListQuery {
    type Error = AppError;

    fn try_from(query: &ConnectorQuery) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let connector_type = given(query.connector_type.as_deref()).and_then(|text| {
            problems.check(
                "type",
                text.to_uppercase()
                    .parse::<ConnectorType>()
                    .map_err(|_| "Use L (library) or O (outlet).".to_string()),
            )
        });
        let email = given(query.email.as_deref()).and_then(|text| {
            if text.chars().count() > Email::MAX_LEN {
                problems.add(
                    "email",
                    format!("Use at most {} characters.", Email::MAX_LEN),
                );
                None
            } else if text.chars().any(char::is_control) {
                problems.add("email", "Use text without control characters.");
                None
            } else {
                Some(text.to_lowercase())
            }
        });
        let role_id = id_field(
            &mut problems,
            "role_id",
            query.role_id.as_deref(),
            RoleId::parse,
            "Use a role id (a UUID).",
        );
        let outlet_id = id_field(
            &mut problems,
            "outlet_id",
            query.outlet_id.as_deref(),
            OutletId::parse,
            "Use an outlet id (a UUID).",
        );
        let outlet_group_id = id_field(
            &mut problems,
            "outlet_group_id",
            query.outlet_group_id.as_deref(),
            OutletGroupId::parse,
            "Use an outlet group id (a UUID).",
        );
        let modified_since = given(query.modified_since.as_deref()).and_then(|text| {
            problems.check(
                "modified_since",
                OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                    "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.".to_string()
                }),
            )
        });
        let state = given(query.state.as_deref()).and_then(|text| {
            problems.check(
                "state",
                text.parse::<ConnectorState>()
                    .map_err(|_| "Use scheduled, active or ended.".to_string()),
            )
        });
        let page = PageRequest::parse(
            query.page_size.as_deref(),
            query.cursor.as_deref(),
            &mut problems,
        );
        problems.finish()?;
        Ok(Self {
            filter: ConnectorFilter {
                connector_type,
                email,
                role_id,
                outlet_id,
                outlet_group_id,
                modified_since,
                state,
                reaches: None,
                active_members: false,
            },
            page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(pairs: &[(&str, &str)]) -> Result<NewConnector, AppError> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        NewConnector::try_from(CreateConnector {
            email: get("email"),
            first_name: get("first_name"),
            last_name: get("last_name"),
            role: get("role"),
            outlet: get("outlet"),
            outlet_group: get("outlet_group"),
            starts_at: get("starts_at"),
            ends_at: get("ends_at"),
            external_id: get("external_id"),
            send_verification_email: false,
        })
    }

    const ROLE: &str = "0190f6c4-0000-7000-8000-000000000001";

    #[test]
    fn a_new_connector_reports_every_problem_by_field() {
        let long = "x".repeat(101);
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [&'a str]);
        let cases: [Case<'_>; 6] = [
            ("nothing", vec![], &["email", "role"]),
            (
                "bad email",
                vec![("email", "nope"), ("role", ROLE)],
                &["email"],
            ),
            (
                "bad role",
                vec![("email", "a@b.io"), ("role", "x")],
                &["role"],
            ),
            (
                "bad outlet",
                vec![("email", "a@b.io"), ("role", ROLE), ("outlet", "12")],
                &["outlet"],
            ),
            (
                "long name",
                vec![("email", "a@b.io"), ("role", ROLE), ("first_name", &long)],
                &["first_name"],
            ),
            (
                "all bad",
                vec![
                    ("email", "@"),
                    ("role", "r"),
                    ("outlet", "o"),
                    ("last_name", &long),
                ],
                &["email", "role", "outlet", "last_name"],
            ),
        ];
        for (name, pairs, fields) in cases {
            let error = create(&pairs).unwrap_err();
            for field in fields {
                assert!(
                    error.field_problem(field).is_some(),
                    "{name}: {field} in {error:?}"
                );
            }
        }
        let ok = create(&[("email", " A@B.io "), ("role", ROLE), ("first_name", " ")]).unwrap();
        assert_eq!(ok.email.as_str(), "a@b.io");
        assert_eq!(ok.first_name, None, "a blank name is no name");
    }

    #[test]
    fn a_change_needs_something_to_change() {
        assert!(ConnectorChange::try_from(UpdateConnector::default()).is_err());
        let rename = ConnectorChange::try_from(UpdateConnector {
            last_name: Some("Moreau-Blanc".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(rename.changes_names() && !rename.changes_grant());
    }
}
