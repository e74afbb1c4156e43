//! Brands and franchisees on `/settings`: a corporate organization's brands with their
//! franchisees (add a new one, invite an existing organization, unlink with confirmation); the
//! invitations an organization has received (accept or decline); a franchisee's brands,
//! read-only. The server functions are in `rpc`.

mod rpc;

use leptos::prelude::*;

use super::Problem;
use super::form::{FormAlert, TextField, field_error, refresh_when};
use crate::domain::AppError;
use crate::domain::franchise::{BrandCard, BrandFranchisees, FranchiseeEntry, InvitationEntry};
use rpc::*;

/// The organization's brands: owned ones with their franchisees, or those it runs, read-only.
/// One resource, created here at the page's level, carries the whole section (resources
/// created inside a resolved `Suspend` do not hydrate reliably).
#[component]
pub fn Brands(refresh: RwSignal<u32>) -> impl IntoView {
    let page = Resource::new(move || refresh.get(), |_| load_brands());
    let create = ServerAction::<SaveBrand>::new();
    refresh_when(move || matches!(create.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="brands-heading">
            <h2 id="brands-heading">"Brands"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        // The settings above already say a refusal.
                        Err(AppError::Forbidden | AppError::Denied { .. } | AppError::Unauthenticated) => ().into_any(),
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(page) => view! {
                            {if page.brands.is_empty() {
                                view! { <p class="empty">"No brands."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="toggles" data-testid="brands">
                                        {page.brands.into_iter().map(|card| view! { <BrandRow card refresh/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {page.corporate.then(|| view! {
                                <ActionForm action=create attr:class="grid" attr:novalidate="">
                                    <TextField id="brand-name" name="name" label="New brand" error=field_error(error, "name")/>
                                    <FormAlert error/>
                                    <div class="actions"><button type="submit">"Add brand"</button></div>
                                </ActionForm>
                            })}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn BrandRow(card: BrandCard, refresh: RwSignal<u32>) -> impl IntoView {
    let rename = ServerAction::<SaveBrand>::new();
    refresh_when(move || matches!(rename.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || rename.value().get().and_then(Result::err));
    let BrandCard { entry, franchise } = card;
    let id = entry.brand.id.to_string();
    let (franchise_brand, brand_name) = (id.clone(), entry.brand.name.clone());
    let input_id = format!("brand-{id}");
    let label_for = input_id.clone();
    view! {
        <li class="toggle">
            <strong>{entry.brand.name.clone()}</strong>
            {match (entry.managed_by, franchise) {
                (Some(owner), _) => view! { <p class="hint locked">{format!("Managed by {owner}")}</p> }.into_any(),
                (None, franchise) => view! {
                    <ActionForm action=rename attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <label for=label_for>"Rename to"</label>
                        <input id=input_id name="name" value=entry.brand.name.clone()/>
                        <button type="submit">"Rename"</button>
                    </ActionForm>
                    <FormAlert error/>
                    <Franchisees brand=franchise_brand.clone() brand_name=brand_name.clone()
                        franchise=franchise.unwrap_or_default() refresh/>
                    <AddFranchisee brand=franchise_brand brand_name refresh/>
                }.into_any(),
            }}
        </li>
    }
}

#[component]
fn AddFranchisee(brand: String, brand_name: String, refresh: RwSignal<u32>) -> impl IntoView {
    let add = ServerAction::<AddFranchisee>::new();
    refresh_when(move || matches!(add.value().get(), Some(Ok(()))), refresh);
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let key = brand.clone();
    let field = move |what: &str| format!("franchisee-{key}-{what}");
    let (name_id, slug_id, email_id, zone_id) =
        (field("name"), field("slug"), field("email"), field("zone"));
    let problem = move |name: &'static str| move || field_error(error, name).get();
    view! {
        <details class="row-actions">
            <summary>{format!("Add a franchisee of {brand_name}")}</summary>
            <ActionForm action=add attr:class="stacked" attr:novalidate="">
                <input type="hidden" name="brand" value=brand/>
                <div class="field"><label for=name_id.clone()>"Franchisee's name"</label>
                    <input id=name_id name="name"/><p class="field-error">{problem("name")}</p></div>
                <div class="field"><label for=slug_id.clone()>"Slug"</label>
                    <input id=slug_id name="slug"/><p class="field-error">{problem("slug")}</p></div>
                <div class="field"><label for=email_id.clone()>"Owner's email (invited by mail)"</label>
                    <input id=email_id name="owner_email" type="email"/><p class="field-error">{problem("email")}</p></div>
                <div class="field"><label for=zone_id.clone()>"Time zone"</label>
                    <input id=zone_id name="time_zone" value="UTC"/><p class="field-error">{problem("time_zone")}</p></div>
                <FormAlert error/>
                <button type="submit">"Add franchisee"</button>
            </ActionForm>
        </details>
    }
}

/// A brand's franchisees (each with its unlink), its open invitations (withdrawable) and the
/// invitation of an existing organization by slug.
#[component]
fn Franchisees(
    brand: String,
    brand_name: String,
    franchise: BrandFranchisees,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let invite = ServerAction::<InviteFranchisee>::new();
    refresh_when(move || matches!(invite.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let slug_id = format!("invite-{brand}-slug");
    let slug_error_id = format!("{slug_id}-error");
    let (described_by, label_for) = (slug_error_id.clone(), slug_id.clone());
    let rows = brand.clone();
    view! {
        <div class="franchisees">
            <ul data-testid="franchisees">
                {franchise.franchisees.into_iter().map(|franchisee| view! {
                    <FranchiseeRow brand=rows.clone() franchisee refresh/>
                }).collect_view()}
                {franchise.invited.into_iter().map(|invitation| view! {
                    <InvitedRow invitation refresh/>
                }).collect_view()}
            </ul>
            <details class="row-actions">
                <summary>{format!("Invite an existing organization to run {brand_name}")}</summary>
                <ActionForm action=invite attr:class="stacked" attr:novalidate="">
                    <input type="hidden" name="brand" value=brand/>
                    <div class="field">
                        <label for=label_for>"The organization's slug"</label>
                        <input id=slug_id name="slug" aria-describedby=described_by/>
                        <p class="field-error" id=slug_error_id>{move || field_error(error, "slug").get()}</p>
                    </div>
                    <FormAlert error/>
                    <button type="submit">"Invite"</button>
                </ActionForm>
            </details>
        </div>
    }
}

#[component]
fn FranchiseeRow(
    brand: String,
    franchisee: FranchiseeEntry,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let unlink = ServerAction::<UnlinkFranchisee>::new();
    refresh_when(move || matches!(unlink.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || unlink.value().get().and_then(Result::err));
    let confirm_id = format!("unlink-{brand}-{}", franchisee.organization);
    let confirm_error_id = format!("{confirm_id}-error");
    let (described_by, label_for) = (confirm_error_id.clone(), confirm_id.clone());
    view! {
        <li data-testid="franchisee">
            <strong>{franchisee.name.clone()}</strong>" ("{franchisee.slug}")"
            <details class="row-actions">
                <summary>{format!("Unlink {}…", franchisee.name)}</summary>
                <ActionForm action=unlink attr:class="stacked" attr:novalidate="">
                    <input type="hidden" name="brand" value=brand/>
                    <input type="hidden" name="organization" value=franchisee.organization.to_string()/>
                    <p>{format!(
                        "Unlinking ends {}. The franchisee's own people, roles and outlets stay.",
                        franchisee.ends.describe()
                    )}</p>
                    <label class="choice" for=label_for>
                        <input type="checkbox" id=confirm_id name="confirm" aria-describedby=described_by/>
                        "I understand what unlinking ends"
                    </label>
                    <p class="field-error" id=confirm_error_id>{move || field_error(error, "confirm").get()}</p>
                    <FormAlert error/>
                    <button type="submit" class="danger">"Unlink"</button>
                </ActionForm>
            </details>
        </li>
    }
}

#[component]
fn InvitedRow(invitation: InvitationEntry, refresh: RwSignal<u32>) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawInvitation>::new();
    refresh_when(
        move || matches!(withdraw.value().get(), Some(Ok(_))),
        refresh,
    );
    let error = Signal::derive(move || withdraw.value().get().and_then(Result::err));
    view! {
        <li data-testid="invited">
            {format!("{} ({}): invited, waiting for an answer", invitation.invitee, invitation.invitee_slug)}
            <ActionForm action=withdraw attr:class="inline">
                <input type="hidden" name="id" value=invitation.id.to_string()/>
                <button type="submit">"Withdraw"</button>
            </ActionForm>
            <FormAlert error/>
        </li>
    }
}

/// The invitations this organization has received, each accepted or declined here. Nothing
/// shows when there is none.
#[component]
pub fn Invitations(refresh_brands: RwSignal<u32>) -> impl IntoView {
    let answer = ServerAction::<AnswerInvitation>::new();
    let invitations = Resource::new(move || answer.version().get(), |_| load_invitations());
    refresh_when(
        move || matches!(answer.value().get(), Some(Ok(_))),
        refresh_brands,
    );
    let error = Signal::derive(move || answer.value().get().and_then(Result::err));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match invitations.await {
                    Err(AppError::Forbidden | AppError::Denied { .. } | AppError::Unauthenticated) => ().into_any(),
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(found) if found.is_empty() => ().into_any(),
                    Ok(found) => view! {
                        <section aria-labelledby="invitations-heading" class="notice">
                            <h2 id="invitations-heading">"Invitations to run a brand"</h2>
                            <ul data-testid="invitations">
                                {found.into_iter().map(|invitation| view! {
                                    <li>
                                        <p>{format!(
                                            "{} invites you to run {} as its franchisee. Accepting lets {} define roles you grant, and manage its own staff's access at your outlets of the brand.",
                                            invitation.inviter, invitation.brand.name, invitation.inviter
                                        )}</p>
                                        <ActionForm action=answer attr:class="inline">
                                            <input type="hidden" name="id" value=invitation.id.to_string()/>
                                            <button type="submit" name="answer" value="accept">"Accept"</button>
                                            <button type="submit" name="answer" value="decline">"Decline"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <FormAlert error/>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
