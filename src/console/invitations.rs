//! A person's sign-in facts on their record: the last sign-in, and the organization's
//! invitation (its state, sent again or revoked by whoever manages the person).

use leptos::prelude::*;

use super::form::{FormAlert, when};
use crate::domain::AppError;
use crate::domain::invitations::{Invitation, InvitationState};

/// Sends the person a new invitation (their open one stops working).
#[server(prefix = "/rpc", endpoint = "send_invitation")]
pub async fn send_invitation(id: String) -> Result<Invitation, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::UserId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            let invitation =
                crate::service::invitations::send(&mut work, &caller.principal, id).await?;
            work.commit().await?;
            Ok(invitation)
        }
        .await,
    )
}

/// Withdraws the person's pending invitation.
#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(id: String) -> Result<Invitation, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::UserId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            let invitation =
                crate::service::invitations::revoke(&mut work, &caller.principal, id).await?;
            work.commit().await?;
            Ok(invitation)
        }
        .await,
    )
}

/// "Never", or when (UTC).
pub fn last_sign_in(at: Option<&str>) -> String {
    at.map(|at| format!("{} UTC", when(at)))
        .unwrap_or_else(|| "Never".into())
}

/// The record's sign-in section. `manage`: the viewer may manage the person (the actions show).
#[component]
pub fn SignInFacts(
    id: String,
    last_signed_in_at: Option<String>,
    invitation: Option<Invitation>,
    manage: bool,
    send: ServerAction<SendInvitation>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let never = last_signed_in_at.is_none();
    let state = invitation.as_ref().map(|i| i.state);
    let may_send = manage && never;
    let may_revoke = manage && state == Some(InvitationState::Pending);
    let error = Signal::derive(move || {
        send.value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    let revoke_id = id.clone();
    let send_label = if invitation.is_some() {
        "Send the invitation again"
    } else {
        "Send an invitation"
    };
    view! {
        <section aria-labelledby="sign-in-heading">
            <h2 id="sign-in-heading">"Sign-in"</h2>
            <dl class="details">
                <dt>"Last sign-in"</dt>
                <dd data-testid="last-sign-in">{last_sign_in(last_signed_in_at.as_deref())}</dd>
                <dt>"Invitation"</dt>
                <dd data-testid="invitation">{match &invitation {
                    Some(i) => format!(
                        "{} (sent {} UTC, valid until {} UTC)",
                        i.state.label(),
                        when(&i.sent_at),
                        when(&i.expires_at)
                    ),
                    None => "None sent".to_string(),
                }}</dd>
            </dl>
            {(may_send || may_revoke).then(|| view! {
                <div class="actions">
                    {may_send.then(|| view! {
                        <ActionForm action=send>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit">{send_label}</button>
                        </ActionForm>
                    })}
                    {may_revoke.then(|| view! {
                        <ActionForm action=revoke>
                            <input type="hidden" name="id" value=revoke_id/>
                            <button type="submit" class="danger">"Revoke the invitation"</button>
                        </ActionForm>
                    })}
                </div>
            })}
            <FormAlert error/>
        </section>
    }
}
