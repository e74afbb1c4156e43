//! The `filter` of `GET /Users` (RFC 7644 §3.4.2.2), parsed by `scim_v2` and narrowed to what
//! Brigade can answer from its indexes: `eq`, `ne`, `co`, `sw`, `ew`, `pr`, `and`, `or`, `not`
//! on `id`, `userName`, `externalId`, `emails` (`.value`), `name.givenName`, `name.familyName`
//! and `active`. Anything else is 400 `invalidFilter`, never ignored. Entra ID's
//! `emails[type eq "work"].value eq "x"`, outside the RFC's grammar, is rewritten first.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};

use super::{problem, strip_core_urn};
use crate::domain::AppError;

/// An attribute a filter may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Id,
    UserName,
    ExternalId,
    Email,
    GivenName,
    FamilyName,
    Active,
    /// A Group's name (the role's).
    DisplayName,
}

/// The resource a filter selects: its attributes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Group,
}

impl Attribute {
    /// Whether values compare ignoring case (RFC 7643: `caseExact` false), as `userName`,
    /// email addresses and names do; `id` and `externalId` compare exactly.
    pub fn ignores_case(self) -> bool {
        !matches!(self, Attribute::Id | Attribute::ExternalId)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Contains,
    StartsWith,
    EndsWith,
}

/// A filter Brigade answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Compare(Attribute, Operator, String),
    /// `active eq true` and the like.
    Active(bool),
    Present(Attribute),
    /// A condition on a sub-attribute Brigade does not keep apart (an email's `type`): every
    /// email it keeps is the person's work address, so it holds.
    Always,
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

/// Longest filter accepted (a batch lookup of a hundred addresses fits).
const MAX_FILTER: usize = 10_000;

fn invalid(detail: impl Into<String>) -> AppError {
    problem("invalidFilter", detail)
}

/// Parses a `filter` parameter of `/Users`.
pub fn parse(raw: &str) -> Result<Condition, AppError> {
    parse_for(raw, Resource::User)
}

/// Parses a `filter` parameter of `/Users` or `/Groups`.
pub fn parse_for(raw: &str, resource: Resource) -> Result<Condition, AppError> {
    if raw.len() > MAX_FILTER {
        return Err(invalid(format!(
            "A filter has at most {MAX_FILTER} characters."
        )));
    }
    let filter: Filter = match super::equality::parse(raw) {
        Some(filter) => filter,
        None => rewrite_entra(raw)
            .parse()
            .map_err(|error| invalid(format!("The filter cannot be read: {error}.")))?,
    };
    from_filter(&filter, resource)
}

/// `emails[type eq "work"].value eq "x"` → `emails[type eq "work" and value eq "x"]` (Entra
/// ID's form; the RFC has no sub-attribute after a value filter in `filter`).
fn rewrite_entra(raw: &str) -> String {
    let mut text = raw.to_string();
    loop {
        let lower = text.to_ascii_lowercase();
        let Some(close) = lower.find("].") else {
            return text;
        };
        let Some(open) = lower[..close].rfind('[') else {
            return text;
        };
        let rest = &text[close + 2..];
        let sub_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let sub = &rest[..sub_end];
        let after = rest[sub_end..].trim_start();
        // The comparison after it: an operator and a value (a quoted string or a word).
        let Some((operator, value, tail)) = comparison(after) else {
            return text;
        };
        let inner = &text[open + 1..close];
        let rewritten = format!(
            "{}[{inner} and {sub} {operator} {value}]{tail}",
            &text[..open]
        );
        text = rewritten;
    }
}

/// `op value rest` at the start of `text`, or `pr rest`.
fn comparison(text: &str) -> Option<(&str, &str, &str)> {
    let operator_end = text.find(' ').unwrap_or(text.len());
    let operator = &text[..operator_end];
    if operator.eq_ignore_ascii_case("pr") {
        return Some((operator, "", &text[operator_end..]));
    }
    let rest = text[operator_end..].trim_start();
    let value_end = if let Some(quoted) = rest.strip_prefix('"') {
        let mut escaped = false;
        let mut end = None;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i + 2);
                    break;
                }
                _ => escaped = false,
            }
        }
        end?
    } else {
        rest.find([' ', ')']).unwrap_or(rest.len())
    };
    (!operator.is_empty() && value_end > 0)
        .then(|| (operator, &rest[..value_end], &rest[value_end..]))
}

fn group_attribute(path: &AttrPath) -> Result<Attribute, AppError> {
    if let Some(uri) = &path.uri
        && !uri.eq_ignore_ascii_case(super::GROUP_SCHEMA)
    {
        return Err(invalid(format!("Brigade does not filter on {path}.")));
    }
    let name = strip_core_urn(&path.name).to_ascii_lowercase();
    Ok(match (name.as_str(), path.sub_attr.as_deref()) {
        ("id", None) => Attribute::Id,
        ("displayname", None) => Attribute::DisplayName,
        ("externalid", None) => Attribute::ExternalId,
        _ => {
            return Err(invalid(format!(
                "Brigade filters groups on id, displayName and externalId; not on {path}."
            )));
        }
    })
}

fn attribute(path: &AttrPath, resource: Resource) -> Result<Attribute, AppError> {
    if resource == Resource::Group {
        return group_attribute(path);
    }
    if let Some(uri) = &path.uri
        && !uri.eq_ignore_ascii_case(super::USER_SCHEMA)
    {
        return Err(invalid(format!("Brigade does not filter on {path}.")));
    }
    let name = strip_core_urn(&path.name).to_ascii_lowercase();
    let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
    Ok(match (name.as_str(), sub.as_deref()) {
        ("id", None) => Attribute::Id,
        ("username", None) => Attribute::UserName,
        ("externalid", None) => Attribute::ExternalId,
        ("emails", None | Some("value")) => Attribute::Email,
        ("name", Some("givenname")) => Attribute::GivenName,
        ("name", Some("familyname")) => Attribute::FamilyName,
        ("active", None) => Attribute::Active,
        _ => {
            return Err(invalid(format!(
                "Brigade filters on id, userName, externalId, emails.value, name.givenName, name.familyName and active; not on {path}."
            )));
        }
    })
}

fn operator(op: &CompareOp) -> Result<Operator, AppError> {
    Ok(match op {
        CompareOp::Eq => Operator::Eq,
        CompareOp::Ne => Operator::Ne,
        CompareOp::Co => Operator::Contains,
        CompareOp::Sw => Operator::StartsWith,
        CompareOp::Ew => Operator::EndsWith,
        other => {
            return Err(invalid(format!(
                "Brigade compares with eq, ne, co, sw and ew; not with {other}."
            )));
        }
    })
}

fn expression(exp: &AttrExp, resource: Resource) -> Result<Condition, AppError> {
    match exp {
        AttrExp::Present(path) => Ok(Condition::Present(attribute(path, resource)?)),
        AttrExp::Comparison(path, op, value) => {
            let attribute = attribute(path, resource)?;
            let operator = operator(op)?;
            match (attribute, value) {
                (Attribute::Active, CompValue::True | CompValue::False) => {
                    let wanted = matches!(value, CompValue::True);
                    match operator {
                        Operator::Eq => Ok(Condition::Active(wanted)),
                        Operator::Ne => Ok(Condition::Active(!wanted)),
                        _ => Err(invalid("active compares with eq or ne only.")),
                    }
                }
                (Attribute::Active, _) => Err(invalid("active compares with true or false.")),
                (_, CompValue::Str(text)) => {
                    Ok(Condition::Compare(attribute, operator, text.clone()))
                }
                (_, _) => Err(invalid(format!("{path} compares with a string."))),
            }
        }
    }
}

/// Inside `emails[…]`: `value` is the address; `type` and `primary` hold for the one address
/// Brigade keeps (its work address, primary).
fn email_condition(filter: &ValFilter) -> Result<Condition, AppError> {
    match filter {
        ValFilter::Attr(exp) => {
            let path = match exp {
                AttrExp::Present(path) | AttrExp::Comparison(path, _, _) => path,
            };
            match path.name.to_ascii_lowercase().as_str() {
                "value" => expression(&rename(exp, "emails"), Resource::User),
                "type" | "primary" => Ok(Condition::Always),
                _ => Err(invalid(format!(
                    "Brigade filters emails on value, type and primary; not on {path}."
                ))),
            }
        }
        ValFilter::Not(inner) => Ok(Condition::Not(Box::new(email_condition(inner)?))),
        ValFilter::And(items) => Ok(Condition::And(
            items
                .as_slice()
                .iter()
                .map(email_condition)
                .collect::<Result<_, _>>()?,
        )),
        ValFilter::Or(items) => Ok(Condition::Or(
            items
                .as_slice()
                .iter()
                .map(email_condition)
                .collect::<Result<_, _>>()?,
        )),
    }
}

/// `value eq "x"` inside `emails[…]` as `emails eq "x"`.
fn rename(exp: &AttrExp, attribute: &str) -> AttrExp {
    match exp {
        AttrExp::Present(_) => AttrExp::Present(AttrPath::with_name(attribute)),
        AttrExp::Comparison(_, op, value) => {
            AttrExp::Comparison(AttrPath::with_name(attribute), op.clone(), value.clone())
        }
    }
}

fn from_filter(filter: &Filter, resource: Resource) -> Result<Condition, AppError> {
    let each = |items: &[Filter]| -> Result<Vec<Condition>, AppError> {
        items.iter().map(|f| from_filter(f, resource)).collect()
    };
    match filter {
        Filter::Attr(exp) => expression(exp, resource),
        Filter::ValuePath(path) => {
            if resource == Resource::User
                && path.attr.name.eq_ignore_ascii_case("emails")
                && path.attr.sub_attr.is_none()
            {
                email_condition(&path.filter)
            } else {
                Err(invalid(format!(
                    "Brigade filters inside emails[…] only; not inside {}[…].",
                    path.attr
                )))
            }
        }
        Filter::Not(inner) => Ok(Condition::Not(Box::new(from_filter(inner, resource)?))),
        Filter::And(items) => Ok(Condition::And(each(items.as_slice())?)),
        Filter::Or(items) => Ok(Condition::Or(each(items.as_slice())?)),
    }
}

impl Condition {
    /// Whether a resource whose attributes `value_of` gives meets the condition (for the
    /// few resources filtered in memory: the organization's groups).
    pub fn holds(&self, value_of: &dyn Fn(Attribute) -> Option<String>) -> bool {
        match self {
            Condition::Always => true,
            Condition::Active(_) => false,
            Condition::Present(attribute) => value_of(*attribute).is_some_and(|v| !v.is_empty()),
            Condition::Compare(attribute, operator, wanted) => {
                let Some(value) = value_of(*attribute) else {
                    return *operator == Operator::Ne;
                };
                let (value, wanted) = if attribute.ignores_case() {
                    (value.to_lowercase(), wanted.to_lowercase())
                } else {
                    (value, wanted.clone())
                };
                match operator {
                    Operator::Eq => value == wanted,
                    Operator::Ne => value != wanted,
                    Operator::Contains => value.contains(&wanted),
                    Operator::StartsWith => value.starts_with(&wanted),
                    Operator::EndsWith => value.ends_with(&wanted),
                }
            }
            Condition::And(items) => items.iter().all(|c| c.holds(value_of)),
            Condition::Or(items) => items.iter().any(|c| c.holds(value_of)),
            Condition::Not(inner) => !inner.holds(value_of),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(attribute: Attribute, operator: Operator, value: &str) -> Condition {
        Condition::Compare(attribute, operator, value.into())
    }

    #[test]
    fn the_filters_identity_providers_send_are_understood() {
        use Attribute::*;
        use Operator::*;
        let cases = [
            (
                r#"userName eq "ana@x.example""#,
                compare(UserName, Eq, "ana@x.example"),
            ),
            (r#"USERNAME EQ "Ana""#, compare(UserName, Eq, "Ana")),
            (
                r#"externalId eq "00aa-11""#,
                compare(ExternalId, Eq, "00aa-11"),
            ),
            (r#"emails.value co "@x""#, compare(Email, Contains, "@x")),
            (
                r#"emails[type eq "work"].value eq "ana@x.example""#,
                Condition::And(vec![Condition::Always, compare(Email, Eq, "ana@x.example")]),
            ),
            (
                r#"emails[type eq "work" and value eq "a@x.example"]"#,
                Condition::And(vec![Condition::Always, compare(Email, Eq, "a@x.example")]),
            ),
            (
                r#"name.familyName sw "Ok""#,
                compare(FamilyName, StartsWith, "Ok"),
            ),
            (r#"name.givenName ne "Ana""#, compare(GivenName, Ne, "Ana")),
            ("active eq true", Condition::Active(true)),
            ("active ne true", Condition::Active(false)),
            ("externalId pr", Condition::Present(ExternalId)),
            (
                r#"userName sw "a" and (active eq false or not (externalId pr))"#,
                Condition::And(vec![
                    compare(UserName, StartsWith, "a"),
                    Condition::Or(vec![
                        Condition::Active(false),
                        Condition::Not(Box::new(Condition::Present(ExternalId))),
                    ]),
                ]),
            ),
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x""#,
                compare(UserName, Eq, "x"),
            ),
            (r#"id eq "0192""#, compare(Id, Eq, "0192")),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn anything_else_is_an_invalid_filter() {
        for text in [
            "",
            "userName",
            r#"userName eq"#,
            r#"title eq "Chef""#,
            r#"meta.lastModified gt "2024-01-01T00:00:00Z""#,
            r#"userName gt "a""#,
            r#"active eq "yes""#,
            r#"userName eq true"#,
            r#"addresses[type eq "work"]"#,
            r#"emails[display eq "x"]"#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1""#,
            "userName eq \"unterminated",
        ] {
            match parse(text) {
                Err(AppError::BadRequest { code, .. }) => {
                    assert_eq!(code, "invalidFilter", "{text}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
