//! Last sign-in and invitations: the people list shows each person's last sign-in and filters
//! "never signed in" and "not signed in for N days"; the verification mail an organization
//! sends is an invitation with a state (pending, accepted, expired after 7 days, revoked),
//! sent again or revoked in the console and the API by whoever manages the person.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn emails_where(app: &TestApp, sign_in: &str) -> Vec<String> {
    let (status, body) = app
        .rpc("list_people", &[("search", ""), ("sign_in", sign_in)])
        .await;
    assert_eq!(status, StatusCode::OK, "{sign_in}: {body}");
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_list_shows_the_last_sign_in_and_finds_who_never_or_not_lately_signed_in() {
    let app = spawn_app().await;
    // Everyone joined long ago; Morgan last signed in in March, the admin signs in now.
    app.exec("UPDATE memberships SET created_at = '2026-01-05T09:00:00.000Z'")
        .await;
    app.exec(&format!(
        "UPDATE user_accounts SET last_signed_in_at = '2026-03-01T08:30:00.000Z' WHERE email = '{MANAGER}'"
    ))
    .await;
    app.sign_in_as(ADMIN).await;

    let (_, body) = app.rpc("list_people", &[("search", "lindqvist")]).await;
    assert!(
        body["rows"][0]["last_signed_in_at"].is_string(),
        "the sign-in just made: {body}"
    );

    let never = emails_where(&app, "never").await;
    assert!(!never.contains(&ADMIN.to_string()));
    assert!(!never.contains(&MANAGER.to_string()));
    assert!(
        never.contains(&"sam.patel@harbor.example".to_string()),
        "{never:?}"
    );

    let not_lately = emails_where(&app, "30").await;
    assert!(not_lately.contains(&MANAGER.to_string()), "{not_lately:?}");
    assert!(!not_lately.contains(&ADMIN.to_string()));
    assert!(
        not_lately.contains(&"sam.patel@harbor.example".to_string()),
        "never signed in, a member for months"
    );

    // A person added today has not been away 30 days, even without a sign-in.
    app.exec("UPDATE memberships SET created_at = '2099-01-01T00:00:00.000Z' WHERE user_id = (SELECT id FROM user_accounts WHERE email = 'sam.patel@harbor.example')")
        .await;
    assert!(
        !emails_where(&app, "30")
            .await
            .contains(&"sam.patel@harbor.example".to_string())
    );

    for bad in ["0", "3651", "soon", "-5"] {
        let (status, body) = app
            .rpc("list_people", &[("search", ""), ("sign_in", bad)])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body.to_string().contains("sign_in"), "{bad}: {body}");
    }
}

/// Adds Noor at Pier 39 from the console with a verification mail; her user id.
async fn invite_noor(app: &TestApp) -> String {
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "noor@harbor.example"),
                ("first_name", "Noor"),
                ("last_name", "Haddad"),
                ("role", &staff),
                ("outlet", "HB-001"),
                ("send_verification_email", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["connector"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn state(app: &TestApp, id: &str) -> Value {
    let (status, record) = app.rpc("get_person", &[("id", id)]).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    record["invitation"]["state"].clone()
}

async fn link_works(app: &TestApp, link: &str) -> bool {
    let token = link.trim_start_matches("/verify/");
    let (status, _) = app
        .rpc_as_stranger("verify_email", &[("token", token)])
        .await;
    status == StatusCode::OK
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_is_pending_until_accepted_expires_after_seven_days_and_can_be_sent_again_or_revoked()
 {
    use brigade::service::{Clock, auth, people};
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let noor = invite_noor(&app).await;
    assert_eq!(state(&app, &noor).await, "pending");
    let first = verification_link(&app.outbox()[0]);
    assert!(link_works(&app, &first).await);

    // Eight days on (the service's clock), the same invitation reads as expired.
    let operator = auth::operator(&app.context, "harbor").await.unwrap();
    let later = app
        .context
        .with_clock(Clock::shifted(time::Duration::days(8)));
    let user = brigade::domain::UserId::parse(&noor).unwrap();
    let record = people::record(&later, &operator, user).await.unwrap();
    assert_eq!(
        record.invitation.unwrap().state,
        brigade::domain::invitations::InvitationState::Expired
    );

    // Sent again: a new link works, the first no longer does.
    let (status, body) = app.rpc("send_invitation", &[("id", &noor)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "pending");
    let mails = app.outbox();
    assert_eq!(mails.len(), 2);
    let second = mails
        .iter()
        .map(|m| verification_link(m))
        .find(|l| *l != first)
        .unwrap();
    assert!(
        !link_works(&app, &first).await,
        "the earlier link is withdrawn"
    );
    assert!(link_works(&app, &second).await);

    // Revoked: the link stops working; revoking again has nothing to revoke.
    let (status, body) = app.rpc("revoke_invitation", &[("id", &noor)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "revoked");
    assert!(!link_works(&app, &second).await);
    let (status, body) = app.rpc("revoke_invitation", &[("id", &noor)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("no_pending_invitation"));
    assert_eq!(app.audited("user.invitation_sent").await, 1);
    assert_eq!(app.audited("user.invitation_revoked").await, 1);

    // Through the API: read, send again, and once she sets her password it is accepted.
    let token = app.api_token("harbor", "Integration", None).await;
    let path = format!("/users/{noor}/invitation");
    assert_eq!(app.api_get(&path, &token).await.body["state"], "revoked");
    let sent = app.api_post(&path, &token, json!({})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let third = app
        .outbox()
        .iter()
        .map(|m| verification_link(m))
        .find(|l| *l != first && *l != second)
        .unwrap();
    let visitor = browser();
    let set = visitor
        .post(app.url("/rpc/verify_set_password"))
        .header("Accept", "application/json")
        .form(&[
            ("token", third.trim_start_matches("/verify/")),
            ("password", "a long enough password 1"),
            ("confirmation", "a long enough password 1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(app.api_get(&path, &token).await.body["state"], "accepted");
    let again = app.api_post(&path, &token, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "invitation_accepted");
    let revoke = app.api_delete(&path, &token).await;
    assert_eq!(revoke.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_whoever_manages_the_person_sends_or_revokes_their_invitation() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let noor = invite_noor(&app).await;
    let path = format!("/users/{noor}/invitation");

    // Another organization's client cannot tell she exists.
    let northside = app.api_token("northside", "Integration", None).await;
    assert_eq!(
        app.api_get(&path, &northside).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api_post(&path, &northside, json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api_delete(&path, &northside).await.status,
        StatusCode::NOT_FOUND
    );
    // A manager of another outlet of the same organization neither.
    let market = app
        .api_token("harbor", "Outlet Manager", Some("HB-002"))
        .await;
    assert_eq!(
        app.api_delete(&path, &market).await.status,
        StatusCode::NOT_FOUND
    );
    // Morgan manages Pier 39 and may; a viewer of the whole organization may not.
    let viewer = app.api_token("harbor", "Viewer", None).await;
    assert_eq!(app.api_get(&path, &viewer).await.body["state"], "pending");
    assert_eq!(
        app.api_delete(&path, &viewer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.audited("user.invitation_revoked").await, 0);
    let pier = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    let revoked = app.api_delete(&path, &pier).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["state"], "revoked");

    // Someone never invited has no invitation to read.
    let morgan = app.user_id(MANAGER).await;
    let none = app
        .api_get(&format!("/users/{morgan}/invitation"), &pier)
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}
