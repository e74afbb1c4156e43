//! The server functions of brands and franchisees (`/settings`).

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::franchise::{BrandsPage, InvitationEntry, UnlinkEffect};
use crate::domain::me::BrandEntry;

#[server(prefix = "/rpc", endpoint = "organization_brands")]
pub async fn load_brands() -> Result<BrandsPage, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::franchise::brands_page(&context()?, &caller.principal).await
        }
        .await,
    )
}

/// Creates (`id` empty) or renames a brand.
#[server(prefix = "/rpc", endpoint = "save_brand")]
pub async fn save_brand(
    #[server(default)] id: String,
    name: String,
) -> Result<BrandEntry, AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::PersonName;
    with_status(
        async move {
            let caller = caller().await?;
            let brand = match id.trim() {
                "" => None,
                text => Some(crate::domain::BrandId::parse(text).ok_or(AppError::NotFound)?),
            };
            let name = match name.trim() {
                "" => return Err(AppError::field("name", "Give the brand a name.")),
                text => {
                    PersonName::parse(text).map_err(|problem| AppError::field("name", problem))?
                }
            };
            let mut work = context()?.begin().await?;
            let saved =
                crate::service::franchise::save_brand(&mut work, &caller.principal, brand, &name)
                    .await?;
            work.commit().await?;
            Ok(saved)
        }
        .await,
    )
}

/// Adds a franchisee to a brand: a new franchisee organization whose owner is invited by mail.
#[server(prefix = "/rpc", endpoint = "add_franchisee")]
pub async fn add_franchisee(
    brand: String,
    name: String,
    slug: String,
    owner_email: String,
    #[server(default)] time_zone: String,
) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::model::OrganizationKind;
    use crate::domain::organization::OrganizationForm;
    with_status(
        async move {
            let caller = caller().await?;
            let brand = crate::domain::BrandId::parse(&brand).ok_or(AppError::NotFound)?;
            let new = OrganizationForm {
                name,
                slug,
                kind: "franchisee".into(),
                time_zone: if time_zone.trim().is_empty() {
                    "UTC".into()
                } else {
                    time_zone
                },
                email: owner_email,
                first_name: String::new(),
                last_name: String::new(),
                password: None,
            }
            .parse(&[OrganizationKind::Franchisee])?;
            let mut work = context()?.begin().await?;
            crate::service::franchise::add_franchisee(&mut work, &caller.principal, brand, &new)
                .await?;
            work.commit().await
        }
        .await,
    )
}

/// Invites an existing organization, by its slug, to run a brand.
#[server(prefix = "/rpc", endpoint = "invite_franchisee")]
pub async fn invite_franchisee(brand: String, slug: String) -> Result<InvitationEntry, AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::organization::Slug;
    with_status(
        async move {
            let caller = caller().await?;
            let brand = crate::domain::BrandId::parse(&brand).ok_or(AppError::NotFound)?;
            let slug = Slug::parse(&slug).map_err(|problem| AppError::field("slug", problem))?;
            let mut work = context()?.begin().await?;
            let invited =
                crate::service::franchise::invite(&mut work, &caller.principal, brand, &slug)
                    .await?;
            work.commit().await?;
            Ok(invited)
        }
        .await,
    )
}

/// The brand's owner withdraws an open invitation.
#[server(prefix = "/rpc", endpoint = "withdraw_invitation")]
pub async fn withdraw_invitation(id: String) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::InvitationId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            crate::service::franchise::withdraw(&mut work, &caller.principal, id).await?;
            work.commit().await
        }
        .await,
    )
}

/// Unlinks a franchisee from a brand; `confirm` must be given (the confirmation checkbox).
#[server(prefix = "/rpc", endpoint = "unlink_franchisee")]
pub async fn unlink_franchisee(
    brand: String,
    organization: String,
    #[server(default)] confirm: String,
) -> Result<UnlinkEffect, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let brand = crate::domain::BrandId::parse(&brand).ok_or(AppError::NotFound)?;
            let organization =
                crate::domain::OrganizationId::parse(&organization).ok_or(AppError::NotFound)?;
            let confirmed = matches!(confirm.trim(), "on" | "true" | "yes");
            let mut work = context()?.begin().await?;
            let ended = crate::service::franchise::unlink(
                &mut work,
                &caller.principal,
                brand,
                organization,
                confirmed,
            )
            .await?;
            work.commit().await?;
            Ok(ended)
        }
        .await,
    )
}

/// The open invitations this organization has received.
#[server(prefix = "/rpc", endpoint = "franchise_invitations")]
pub async fn load_invitations() -> Result<Vec<InvitationEntry>, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::franchise::invitations(&context()?, &caller.principal).await
        }
        .await,
    )
}

/// Accepts or declines an invitation (`answer`: `accept` or `decline`).
#[server(prefix = "/rpc", endpoint = "answer_invitation")]
pub async fn answer_invitation(id: String, answer: String) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::service::franchise::Answer;
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::InvitationId::parse(&id).ok_or(AppError::NotFound)?;
            let answer = match answer.trim() {
                "accept" => Answer::Accept,
                "decline" => Answer::Decline,
                _ => return Err(AppError::field("answer", "Answer accept or decline.")),
            };
            let mut work = context()?.begin().await?;
            crate::service::franchise::answer(&mut work, &caller.principal, id, answer).await?;
            work.commit().await
        }
        .await,
    )
}
