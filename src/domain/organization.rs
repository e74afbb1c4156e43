//! Creating an organization: its slug, kind and time zone, and its first owner. Parsed once at
//! the edge (the setup page, `brigade org create`); the service takes only these.

use super::error::Problems;
use super::model::OrganizationKind;
use super::{AppError, Email, Password, PersonName};

/// The short, fixed name of an organization in URLs and the CLI: 2 to 40 lower-case letters,
/// digits and hyphens, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_lowercase();
        let ok = (2..=40).contains(&value.len())
            && value.starts_with(|c: char| c.is_ascii_lowercase())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.ends_with('-');
        if ok {
            Ok(Self(value))
        } else {
            Err("Use 2 to 40 lower-case letters, digits and hyphens, starting with a letter (e.g. harbor-kitchen).".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name (`Europe/Brussels`), as the bundled time zone database knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(raw.trim())
            .ok()
            .and_then(|tz| tz.iana_name().map(str::to_string))
            .map(Self)
            .ok_or_else(|| {
                "Use a time zone name such as Europe/Brussels or America/New_York.".into()
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The owner an organization starts with.
#[derive(Debug, Clone)]
pub struct NewOwner {
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    /// Set on the setup page; `None` from the CLI (the owner is invited by mail).
    pub password: Option<Password>,
}

/// A new organization and its owner.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: PersonName,
    pub slug: Slug,
    pub kind: OrganizationKind,
    pub time_zone: TimeZoneName,
    pub owner: NewOwner,
}

/// The setup page's (and the CLI's) fields as received.
#[derive(Debug, Clone, Default)]
pub struct OrganizationForm {
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub time_zone: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `None`: no password asked (the CLI invites the owner).
    pub password: Option<(String, String)>,
}

impl OrganizationForm {
    /// Parses every field, reporting each problem by name. `kinds` are the kinds allowed here
    /// (the first organization is corporate or independent: a franchisee needs a brand owner).
    pub fn parse(self, kinds: &[OrganizationKind]) -> Result<NewOrganization, AppError> {
        let mut problems = Problems::default();
        let name = match self.name.trim() {
            "" => {
                problems.add("name", "Give the organization's name.");
                None
            }
            text => problems.check("name", PersonName::parse(text)),
        };
        let slug = problems.check("slug", Slug::parse(&self.slug));
        let allowed: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let kind = self
            .kind
            .trim()
            .parse::<OrganizationKind>()
            .ok()
            .filter(|k| kinds.contains(k));
        if kind.is_none() {
            problems.add("kind", format!("Choose {}.", allowed.join(" or ")));
        }
        let time_zone = problems.check("time_zone", TimeZoneName::parse(&self.time_zone));
        let email = problems.check("email", Email::parse(&self.email));
        let first_name = problems.check("first_name", PersonName::parse(&self.first_name));
        let last_name = problems.check("last_name", PersonName::parse(&self.last_name));
        let password = match self.password {
            None => None,
            Some((password, confirmation)) => {
                let chosen = problems.check("password", Password::new_choice(password.clone()));
                if chosen.is_some() && password != confirmation {
                    problems.add("confirmation", "The two passwords differ.");
                }
                chosen
            }
        };
        problems.finish()?;
        match (name, slug, kind, time_zone, email, first_name, last_name) {
            (
                Some(name),
                Some(slug),
                Some(kind),
                Some(time_zone),
                Some(email),
                Some(first_name),
                Some(last_name),
            ) => Ok(NewOrganization {
                name,
                slug,
                kind,
                time_zone,
                owner: NewOwner {
                    email,
                    first_name,
                    last_name,
                    password,
                },
            }),
            _ => Err(AppError::invalid("Check the fields.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> OrganizationForm {
        OrganizationForm {
            name: "Harbor Kitchen Group".into(),
            slug: "harbor".into(),
            kind: "corporate".into(),
            time_zone: "america/los_angeles".into(),
            email: "Owner@Harbor.example".into(),
            first_name: "Avery".into(),
            last_name: "Lindqvist".into(),
            password: Some(("a-long-password".into(), "a-long-password".into())),
        }
    }

    const FIRST: &[OrganizationKind] =
        &[OrganizationKind::Corporate, OrganizationKind::Independent];

    #[test]
    fn a_new_organization_reports_every_problem_by_field() {
        let ok = form().parse(FIRST).unwrap();
        assert_eq!(ok.time_zone.as_str(), "America/Los_Angeles");
        assert_eq!(ok.owner.email.as_str(), "owner@harbor.example");
        let cases: [(&str, OrganizationForm); 6] = [
            (
                "name",
                OrganizationForm {
                    name: " ".into(),
                    ..form()
                },
            ),
            (
                "slug",
                OrganizationForm {
                    slug: "Harbor Kitchen!".into(),
                    ..form()
                },
            ),
            (
                "kind",
                OrganizationForm {
                    kind: "franchisee".into(),
                    ..form()
                },
            ),
            (
                "time_zone",
                OrganizationForm {
                    time_zone: "Mars/Olympus".into(),
                    ..form()
                },
            ),
            (
                "password",
                OrganizationForm {
                    password: Some(("short".into(), "short".into())),
                    ..form()
                },
            ),
            (
                "confirmation",
                OrganizationForm {
                    password: Some(("a-long-password".into(), "another-password".into())),
                    ..form()
                },
            ),
        ];
        for (field, input) in cases {
            let error = input.parse(FIRST).unwrap_err();
            assert!(error.field_problem(field).is_some(), "{field}: {error:?}");
        }
        for slug in ["a", "-harbor", "harbor-", "9lives", &"x".repeat(41)] {
            assert!(Slug::parse(slug).is_err(), "{slug}");
        }
    }
}
