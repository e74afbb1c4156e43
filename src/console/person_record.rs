//! One person's record on `/users/{id}`: details, sign-in, access and what it lets them do
//! now, the organization's settings of the membership (its edit section is `person_edit`).

use leptos::prelude::*;
use leptos_meta::Title;

use super::invitations::{RevokeInvitation, SendInvitation, SignInFacts};
use crate::domain::model::{ConnectorType, EffectiveGrant, MembershipStatus, PersonRecord};

#[component]
pub fn PersonRecordView(
    person: PersonRecord,
    /// The viewer reads the audit log: link to this person's trail.
    audit: bool,
    /// The viewer may manage the person.
    manage: bool,
    send: ServerAction<SendInvitation>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let name =
        crate::domain::model::display_name(&person.first_name, &person.last_name, &person.email);
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    let details = person.organization_details.clone();
    view! {
        <Title text=name.clone()/>
        <h1>{name}</h1>
        {audit.then(|| view! {
            <p><a href=format!("/audit?person={}", person.id) data-testid="audit-trail">"Audit trail"</a></p>
        })}
        {person.managed_by_brand.clone().map(|brand| view! {
            <p class="notice" data-testid="managed-by-brand">{format!("User managed by {brand}")}</p>
        })}
        <section aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            <dl class="details">
                <dt>"Email"</dt><dd>{person.email}</dd>
                <dt>"Username"</dt><dd>{or_dash(person.username)}</dd>
                <dt>"First name"</dt><dd>{person.first_name}</dd>
                <dt>"Last name"</dt><dd>{person.last_name}</dd>
                <dt>"Mobile"</dt><dd>{or_dash(person.mobile)}</dd>
                <dt>"Status"</dt><dd data-testid="status">{person.status.to_string()}</dd>
                <dt>"Managed by"</dt><dd>{person.managed_by.to_string()}</dd>
                <dt>"Default outlet"</dt><dd>{or_dash(person.default_outlet)}</dd>
                <dt>"Created"</dt><dd>{person.created_at}</dd>
                <dt>"Updated"</dt><dd>{person.updated_at}</dd>
            </dl>
        </section>
        <SignInFacts id=person.id.to_string() last_signed_in_at=person.last_signed_in_at.clone()
            invitation=person.invitation.clone() manage send revoke/>
        <section aria-labelledby="access-heading">
            <h2 id="access-heading">"Access"</h2>
            <table class="data" data-testid="connectors">
                <thead><tr><th scope="col">"Type"</th><th scope="col">"Scope"</th><th scope="col">"Role"</th></tr></thead>
                <tbody>
                    {person.connectors.into_iter().map(|c| view! {
                        <tr>
                            <td>{match c.connector_type { ConnectorType::Library => "Library (L)", ConnectorType::Outlet => "Outlet (O)" }}</td>
                            <td>{c.outlet.unwrap_or_else(|| "Whole organization".into())}</td>
                            <td>{c.role}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <EffectiveAccess effective=person.effective.clone() active=person.status == MembershipStatus::Active/>
        {details.map(|details| view! {
            <section aria-labelledby="organization-heading">
                <h2 id="organization-heading">"Organization settings"</h2>
                <dl class="details">
                    <dt>"External id"</dt><dd>{details.external_id.unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Report roles"</dt>
                    <dd data-testid="report-roles">{if details.all_reports_access {
                        "All reports".to_string()
                    } else if details.report_roles.is_empty() {
                        "None".to_string()
                    } else {
                        details.report_roles.join(", ")
                    }}</dd>
                </dl>
            </section>
        })}
    }
}

/// What the person can do now, where, and through which role (and brand, and outlet group).
#[component]
fn EffectiveAccess(effective: Vec<EffectiveGrant>, active: bool) -> impl IntoView {
    view! {
        <section aria-labelledby="effective-heading">
            <h2 id="effective-heading">"What they can do now"</h2>
            {if !active {
                view! { <p data-testid="effective">"Nothing: the person is deactivated here."</p> }.into_any()
            } else if effective.is_empty() {
                view! { <p data-testid="effective">"Nothing within your reach today."</p> }.into_any()
            } else {
                view! {
                    <table class="data" data-testid="effective">
                        <thead><tr>
                            <th scope="col">"Where"</th>
                            <th scope="col">"Through"</th>
                            <th scope="col">"Permissions"</th>
                            <th scope="col">"Until"</th>
                        </tr></thead>
                        <tbody>
                            {effective.into_iter().map(|grant| view! {
                                <tr>
                                    <td>{grant.place.unwrap_or_else(|| "Every outlet".into())}</td>
                                    <td>{
                                        let role = match grant.brand {
                                            Some(brand) => format!("{} (a role of the brand {brand})", grant.role),
                                            None => grant.role,
                                        };
                                        match grant.group {
                                            Some(group) => format!("{role}, through the outlet group {group}"),
                                            None => role,
                                        }
                                    }</td>
                                    <td>{if grant.permissions.is_empty() {
                                        "None".to_string()
                                    } else {
                                        grant.permissions.join(", ")
                                    }}</td>
                                    <td>{super::form::until(grant.ends_at.as_deref())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
