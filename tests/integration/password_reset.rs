//! "Forgot your password?": a single-use link by mail, valid 30 minutes, stored as a hash;
//! the same answer for every address; throttled per address and per client; using it ends
//! every session and is audited in each organization of the person.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Asks for a reset link as a stranger would: no session.
async fn ask_for_link(app: &TestApp, email: &str) -> (StatusCode, Value) {
    app.rpc_as_stranger("password_reset_request", &[("email", email)])
        .await
}

/// The reset link mailed to `email`, once the mail (sent apart from the answer) is out.
async fn reset_link(app: &TestApp, email: &str) -> String {
    for _ in 0..100 {
        let mails = app.outbox();
        if let Some(mail) = mails
            .iter()
            .find(|mail| mail.contains(email) && mail.contains("/reset/"))
        {
            return link_in(mail, "/reset/");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no reset mail for {email}");
}

fn token_of(link: &str) -> &str {
    link.trim_start_matches("/reset/")
}

async fn set_new_password(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    app.rpc(
        "password_reset_complete",
        &[
            ("token", token),
            ("password", password),
            ("confirmation", password),
        ],
    )
    .await
}

async fn queued_for(app: &TestApp, email: &str) -> i64 {
    app.query("SELECT COUNT(*) FROM mail_queue WHERE recipient = $1")
        .bind(email)
        .scalar()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_sets_a_new_password_ends_every_session_and_is_audited_in_each_organization() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    // Locked out by failed sign-ins: the link proves the address and lifts that.
    for n in 0..10 {
        let wrong = browser()
            .post(app.url("/rpc/login"))
            .header("Accept", "application/json")
            .form(&[("identifier", ADMIN), ("password", &format!("wrong-{n}"))])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(
        app.sign_in(ADMIN, DEMO_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    let (status, body) = ask_for_link(&app, "  Admin@Harbor.example ").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = reset_link(&app, ADMIN).await;
    let token = token_of(&link);
    assert_eq!(
        app.query("SELECT COUNT(*) FROM password_reset_links WHERE token_hash = $1")
            .bind(token)
            .scalar::<i64>()
            .await
            .unwrap(),
        0,
        "only the link's hash is stored"
    );
    let (status, body) = app.rpc("password_reset_email", &[("token", token)]).await;
    assert_eq!((status, body), (StatusCode::OK, Value::from(ADMIN)));
    assert_eq!(
        browser().get(app.url(&link)).send().await.unwrap().status(),
        StatusCode::OK
    );

    let (status, body) = set_new_password(&app, token, "a-brand-new-password").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.get("/users").await.status(),
        StatusCode::SEE_OTHER,
        "the session signed in before the reset has ended"
    );
    assert_eq!(
        app.sign_in(ADMIN, DEMO_PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.sign_in(ADMIN, "a-brand-new-password").await.status(),
        StatusCode::OK
    );

    // Audited once in each organization where the person is active (Harbor and Northside).
    let audited: Vec<uuid::Uuid> = app
        .query(
            "SELECT organization_id FROM audit_events WHERE action = 'user_account.password_reset'
             AND subject_user_id = $1 ORDER BY organization_id",
        )
        .bind(app.user_id(ADMIN).await)
        .scalars()
        .await
        .unwrap();
    let mut memberships: Vec<uuid::Uuid> = app
        .query("SELECT organization_id FROM memberships WHERE user_id = $1 AND status = 'active'")
        .bind(app.user_id(ADMIN).await)
        .scalars()
        .await
        .unwrap();
    memberships.sort();
    assert_eq!(memberships.len(), 2);
    assert_eq!(audited, memberships);

    // Single use.
    let (status, body) = set_new_password(&app, token, "yet-another-password").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("link_unusable"), "{body}");
    let (status, _) = app.rpc("password_reset_email", &[("token", token)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_address_gets_the_same_answer_and_only_an_active_person_gets_mail() {
    let app = spawn_app().await;
    let mut answers = Vec::new();
    for email in [
        "nobody@harbor.example",
        INACTIVE,
        "dana.whitfield@harbor.example", // invited, no password yet: the link sets one
        MANAGER,
    ] {
        let (status, body) = ask_for_link(&app, email).await;
        answers.push((status, body));
    }
    assert!(
        answers.iter().all(|answer| answer == &answers[0]),
        "{answers:?}"
    );
    assert_eq!(answers[0].0, StatusCode::OK);
    assert!(
        answers[0]
            .1
            .as_str()
            .unwrap()
            .starts_with("If this address belongs to someone"),
        "{:?}",
        answers[0].1
    );
    assert_eq!(queued_for(&app, "nobody@harbor.example").await, 0);
    assert_eq!(
        queued_for(&app, INACTIVE).await,
        0,
        "a deactivated person cannot sign in"
    );
    assert_eq!(queued_for(&app, "dana.whitfield@harbor.example").await, 1);
    assert_eq!(queued_for(&app, MANAGER).await, 1);
    reset_link(&app, MANAGER).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    ask_for_link(&app, MANAGER).await;
    let link = reset_link(&app, MANAGER).await;
    app.exec("UPDATE password_reset_links SET expires_at = '2026-01-01T00:00:00Z'")
        .await;
    let (status, body) = app
        .rpc("password_reset_email", &[("token", token_of(&link))])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = set_new_password(&app, token_of(&link), "a-brand-new-password").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("link_unusable"), "{body}");
    assert_eq!(
        app.sign_in(MANAGER, DEMO_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_is_valid_thirty_minutes() {
    let app = spawn_app().await;
    ask_for_link(&app, MANAGER).await;
    reset_link(&app, MANAGER).await;
    let (created, expires): (String, String) = app
        .query("SELECT created_at, expires_at FROM password_reset_links")
        .fetch_one()
        .await
        .unwrap();
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    let valid = parse(&expires) - parse(&created);
    assert!(
        (valid - time::Duration::minutes(30)).abs() < time::Duration::seconds(5),
        "{valid}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_at_its_field_and_the_link_stays_usable() {
    let app = spawn_app().await;
    for (email, problem) in [
        ("", "Enter an email address."),
        ("not-an-email", ""),
        (&*"a".repeat(300), ""),
    ] {
        let (status, body) = ask_for_link(&app, email).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{email}: {body}");
        assert!(body.to_string().contains("\"email\""), "{body}");
        assert!(body.to_string().contains(problem), "{body}");
    }
    ask_for_link(&app, MANAGER).await;
    let link = reset_link(&app, MANAGER).await;
    let (status, body) = set_new_password(&app, token_of(&link), "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("\"password\""), "{body}");
    let (status, body) = app
        .rpc(
            "password_reset_complete",
            &[
                ("token", token_of(&link)),
                ("password", "a-brand-new-password"),
                ("confirmation", "a-brand-new-passwork"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("\"confirmation\""), "{body}");
    let (status, body) = set_new_password(&app, token_of(&link), "a-brand-new-password").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_throttled_per_address_and_per_client_alike_for_unknown_addresses() {
    let app = spawn_app().await;
    for address in [MANAGER, "nobody@harbor.example"] {
        for _ in 0..3 {
            assert_eq!(ask_for_link(&app, address).await.0, StatusCode::OK);
        }
        let (status, body) = ask_for_link(&app, address).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{address}: {body}");
        assert!(
            body.to_string()
                .contains("Too many requests for a reset link. Try again in 15 minutes."),
            "{body}"
        );
    }
    assert_eq!(queued_for(&app, MANAGER).await, 3);
    // Six requests so far from this client count; four more pass, then the client is refused.
    for n in 0..4 {
        let (status, body) = ask_for_link(&app, &format!("guess{n}@harbor.example")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = ask_for_link(&app, "guess9@harbor.example").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
