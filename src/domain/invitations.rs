//! Invitations: the verification link an organization mails to someone it gives access,
//! with a state the people list and the record show.

use serde::{Deserialize, Serialize};

text_enum!(
    /// Where an invitation stands: waiting for the person, used (or the person has a password
    /// anyway), past its 7 days, or withdrawn by the organization.
    InvitationState { Pending => "pending", Accepted => "accepted", Expired => "expired", Revoked => "revoked" }
);

/// A membership's latest invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub state: InvitationState,
    pub sent_at: String,
    pub expires_at: String,
}

/// What is stored of an invitation, as facts.
pub struct InvitationFacts<'a> {
    pub sent_at: &'a str,
    pub expires_at: &'a str,
    pub used: bool,
    pub revoked: bool,
    /// The account has a password (set through another link, a reset or at creation).
    pub has_password: bool,
}

impl InvitationState {
    /// The state at `now` (an ISO 8601 UTC timestamp, as stored: they compare as text).
    pub fn of(facts: &InvitationFacts<'_>, now: &str) -> Self {
        if facts.used || facts.has_password {
            Self::Accepted
        } else if facts.revoked {
            Self::Revoked
        } else if facts.expires_at <= now {
            Self::Expired
        } else {
            Self::Pending
        }
    }

    /// How the console says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Invitation pending",
            Self::Accepted => "Invitation accepted",
            Self::Expired => "Invitation expired",
            Self::Revoked => "Invitation revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{InvitationFacts, InvitationState};

    #[test]
    fn an_invitation_is_pending_until_used_revoked_or_past_its_seven_days() {
        let facts = |used, revoked, has_password| InvitationFacts {
            sent_at: "2026-12-01T09:00:00.000Z",
            expires_at: "2026-12-08T09:00:00.000Z",
            used,
            revoked,
            has_password,
        };
        let before = "2026-12-08T08:59:59.999Z";
        let after = "2026-12-08T09:00:00.000Z";
        let cases = [
            (
                "waiting",
                facts(false, false, false),
                before,
                InvitationState::Pending,
            ),
            (
                "past its days",
                facts(false, false, false),
                after,
                InvitationState::Expired,
            ),
            (
                "used",
                facts(true, false, true),
                after,
                InvitationState::Accepted,
            ),
            (
                "password some other way",
                facts(false, false, true),
                before,
                InvitationState::Accepted,
            ),
            (
                "withdrawn",
                facts(false, true, false),
                before,
                InvitationState::Revoked,
            ),
            (
                "withdrawn, then past",
                facts(false, true, false),
                after,
                InvitationState::Revoked,
            ),
        ];
        for (name, facts, now, expected) in cases {
            assert_eq!(InvitationState::of(&facts, now), expected, "{name}");
        }
    }
}
