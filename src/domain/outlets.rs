//! Outlets as sent (`POST` / `PATCH /api/v1/outlets`, the console's outlet form), parsed once.

use serde::{Deserialize, Deserializer, Serialize};

use super::commands::id_field;
use super::error::Problems;
use super::organization::TimeZoneName;
use super::{AppError, BrandId, PersonName};

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Harbor Burger Pier 41", "number": "HB-041", "time_zone": "America/Los_Angeles"})))]
pub struct OutletInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    /// A brand id; `null` for none.
    #[serde(default, deserialize_with = "present")]
    pub brand: Option<Option<String>>,
    /// An IANA name; `null` for the organization's default.
    #[serde(default, deserialize_with = "present")]
    pub time_zone: Option<Option<String>>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// An outlet's short number or code: 1 to 20 letters, digits, `-`, `_` or `.`.
fn number(problems: &mut Problems, raw: &str) -> Option<String> {
    let value = raw.trim();
    let ok = (1..=20).contains(&value.chars().count())
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        problems.add(
            "number",
            "Use 1 to 20 letters, digits, - _ or . (e.g. HB-004).",
        );
    }
    ok.then(|| value.to_string())
}

fn name(problems: &mut Problems, raw: &str) -> Option<PersonName> {
    match raw.trim() {
        "" => {
            problems.add("name", "Give the outlet a name.");
            None
        }
        text => problems.check("name", PersonName::parse(text)),
    }
}

/// An outlet change (or, with name and number, a new outlet): only what is given changes.
#[derive(Debug, Clone, Default)]
pub struct OutletChange {
    pub name: Option<PersonName>,
    pub number: Option<String>,
    pub brand: Option<Option<BrandId>>,
    pub time_zone: Option<Option<TimeZoneName>>,
    pub archived: Option<bool>,
}

impl OutletChange {
    /// A change; `new` requires a name and a number (and refuses `archived`).
    pub fn parse(input: &OutletInput, new: bool) -> Result<Self, AppError> {
        let mut problems = Problems::default();
        let name = match &input.name {
            Some(raw) => name(&mut problems, raw),
            None if new => {
                problems.add("name", "Give the outlet a name.");
                None
            }
            None => None,
        };
        let number = match &input.number {
            Some(raw) => number(&mut problems, raw),
            None if new => {
                problems.add("number", "Give the outlet its number.");
                None
            }
            None => None,
        };
        let brand = input.brand.as_ref().map(|brand| {
            id_field(
                &mut problems,
                "brand",
                brand.as_deref(),
                BrandId::parse,
                "Use a brand id (a UUID).",
            )
        });
        let time_zone = input.time_zone.as_ref().map(|zone| {
            zone.as_deref()
                .map(str::trim)
                .filter(|z| !z.is_empty())
                .and_then(|z| problems.check("time_zone", TimeZoneName::parse(z)))
        });
        if new && input.archived.is_some() {
            problems.add("archived", "A new outlet is open; archive it afterwards.");
        }
        problems.finish()?;
        let change = Self {
            name,
            number,
            brand,
            time_zone,
            archived: input.archived,
        };
        if !new
            && change.name.is_none()
            && change.number.is_none()
            && change.brand.is_none()
            && change.time_zone.is_none()
            && change.archived.is_none()
        {
            return Err(AppError::invalid(
                "Send at least one of name, number, brand, time_zone, archived.",
            ));
        }
        Ok(change)
    }
}
