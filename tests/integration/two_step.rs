//! Two-step sign-in (TOTP): enrolment on one's own page, a code after the password, a code
//! taken once, wrong codes throttled, recovery codes used once, the secret sealed at rest,
//! and an organization requiring it of those who manage there.

use crate::helpers::*;
use brigade::domain::two_step::SecondFactor;
use brigade::service::auth::SessionClaims;
use brigade::service::{Clock, two_step};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// The code an authenticator app with `secret` shows `steps` time steps from now.
fn code(secret: &str, steps: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let at = time::OffsetDateTime::now_utc().unix_timestamp() + steps * 30;
    totp.generate(at as u64).to_string()
}

/// Enrols the signed-in person; returns the secret and the recovery codes.
async fn enrol(app: &TestApp) -> (String, Vec<String>) {
    let (status, enrolment) = app.rpc("two_step_begin", &[]).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    let (status, codes) = app
        .rpc("two_step_confirm", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(status, StatusCode::OK, "{codes}");
    let codes = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

/// A browser of its own that gives the password; its answer and the browser.
async fn password_step(app: &TestApp, email: &str) -> (Client, reqwest::Response) {
    password_sign_in_from(app, email, DEMO_PASSWORD).await
}

async fn second_step(app: &TestApp, client: &Client, typed: &str) -> (StatusCode, Value) {
    app.rpc_from(client, "login_two_step", &[("code", typed)])
        .await
}

async fn status_of(client: &Client, app: &TestApp, path: &str) -> StatusCode {
    client.get(app.url(path)).send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_enrolling_sign_in_asks_for_a_code_and_takes_each_code_once() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (status, wrong) = app.rpc("two_step_confirm", &[("code", "000000")]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing to confirm yet: {wrong}"
    );
    let (secret, codes) = enrol(&app).await;
    assert_eq!(codes.len(), 10);
    // In each organization of the admin's (Harbor, and Northside where they also work).
    assert_eq!(app.audited("user_account.two_step_enabled").await, 2);
    let (status, _) = app.rpc("two_step_begin", &[]).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a confirmed authenticator is not replaced"
    );

    // The secret is sealed at rest: neither its text nor its bytes are stored.
    let sealed: String = app
        .query("SELECT sealed_secret FROM two_step_secrets")
        .scalar()
        .await
        .unwrap();
    assert!(!sealed.contains(&secret));
    let hashes: Vec<String> = app
        .query("SELECT code_hash FROM recovery_codes")
        .scalars()
        .await
        .unwrap();
    assert!(
        hashes
            .iter()
            .all(|hash| codes.iter().all(|code| !hash.contains(code.as_str())))
    );

    // The password alone no longer signs in: it leads to the second step.
    let (browser, response) = password_step(&app, ADMIN).await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/login/two-step"), "{location}");
    assert_eq!(
        status_of(&browser, &app, "/users").await,
        StatusCode::SEE_OTHER
    );
    let (status, refused) = second_step(&app, &browser, "12345").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let next = code(&secret, 1);
    let (status, body) = second_step(&app, &browser, &next).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(status_of(&browser, &app, "/users").await, StatusCode::OK);
    let methods: Vec<String> = app
        .query("SELECT method FROM sign_ins ORDER BY id")
        .scalars()
        .await
        .unwrap();
    assert_eq!(methods.last().unwrap(), "password_and_code");
    let failures: i64 = app
        .query("SELECT COUNT(*) FROM audit_events WHERE action = 'user_account.sign_in_failed' AND after_json LIKE '%password_and_code%'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(
        failures, 0,
        "a code that is not six digits is refused before it is checked"
    );

    // The same code again, from another sign-in: refused.
    let (other, _) = password_step(&app, ADMIN).await;
    let (status, body) = second_step(&app, &other, &next).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["Invalid"]["fields"]["code"], two_step::WRONG_CODE);
    assert_eq!(
        status_of(&other, &app, "/users").await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_count_toward_the_sign_in_throttle() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (secret, _) = enrol(&app).await;
    let (browser, _) = password_step(&app, ADMIN).await;
    for _ in 0..10 {
        let (status, _) = second_step(&app, &browser, "000001").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) = second_step(&app, &browser, &code(&secret, 1)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // A right password does not forgive the failures of the second step.
    let (again, response) = password_step(&app, ADMIN).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        status_of(&again, &app, "/users").await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_code_signs_in_once_and_a_wrong_one_is_refused() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (_, codes) = enrol(&app).await;
    let (browser, _) = password_step(&app, ADMIN).await;
    let (status, body) = second_step(&app, &browser, "abcd-efgh-jkmn-pqrs").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["Invalid"]["fields"]["code"],
        two_step::WRONG_RECOVERY_CODE
    );
    let (status, body) = second_step(&app, &browser, &codes[3].to_uppercase()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "typed in capitals, it still counts: {body}"
    );
    assert_eq!(status_of(&browser, &app, "/users").await, StatusCode::OK);
    assert_eq!(app.audited("user_account.recovery_code_used").await, 2);

    let (other, _) = password_step(&app, ADMIN).await;
    let (status, _) = second_step(&app, &other, &codes[3]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "used once only");
    let (status, page) = app.rpc("two_step_status", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["recovery_codes_left"], 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_step_belongs_to_a_recent_right_password() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (secret, _) = enrol(&app).await;
    // No password given: nothing to continue.
    let (status, body) = app
        .rpc_as_stranger("login_two_step", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["Denied"]["code"], "sign_in_expired");
    // Five minutes after the password, the code is too late.
    let admin = app.user_id(ADMIN).await;
    let organization = app.organization("harbor").await.0;
    let version: i64 = app
        .query("SELECT session_version FROM user_accounts WHERE email = $1")
        .bind(ADMIN)
        .scalar()
        .await
        .unwrap();
    let pending: SessionClaims = serde_json::from_value(serde_json::json!({
        "user": admin, "organization": organization, "version": version,
        "signed_in_at": time::OffsetDateTime::now_utc().unix_timestamp(),
    }))
    .unwrap();
    let later = app
        .context
        .with_clock(Clock::shifted(two_step::SECOND_STEP_WITHIN));
    let factor = SecondFactor::parse(&code(&secret, 10), "code").unwrap();
    let refused = two_step::second_step(&later, &pending, &factor, &Default::default()).await;
    assert!(
        matches!(&refused, Err(brigade::domain::AppError::Denied { code, .. }) if code == "sign_in_expired"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_it_off_proves_the_password() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    enrol(&app).await;
    let (status, body) = app
        .rpc("two_step_turn_off", &[("password", "not-my-password")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["Invalid"]["fields"]["password"].is_string(), "{body}");
    let (status, _) = app
        .rpc("two_step_turn_off", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.audited("user_account.two_step_disabled").await, 2);
    let (browser, response) = password_step(&app, ADMIN).await;
    assert!(
        !response.headers()["location"]
            .to_str()
            .unwrap()
            .contains("two-step")
    );
    assert_eq!(status_of(&browser, &app, "/users").await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_requires_it_of_everyone_who_manages_there() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    // Not before the one who switches it has enrolled: they would be sent away at once.
    let (status, body) = app.rpc("require_two_step", &[("required", "true")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["Denied"]["code"], "two_step_enrol_first");
    enrol(&app).await;
    let (status, body) = app.rpc("require_two_step", &[("required", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.audited("organization.two_step_requirement_changed")
            .await,
        1
    );
    let (status, body) = app
        .rpc("two_step_turn_off", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "it stays on while required: {body}"
    );

    // The outlet manager manages people at their outlet: sent to enrol before anything else.
    app.give_password(MANAGER).await;
    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let page = manager.get("/users").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/me/two-step");
    let (status, body) = manager.rpc("my_page", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "two_step_required");
    assert_eq!(
        manager.get("/api/v1/me").await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, body) = manager.rpc("two_step_status", &[]).await;
    assert_eq!(
        (status, &body["must_enrol"]),
        (StatusCode::OK, &Value::Bool(true))
    );
    assert_eq!(manager.get("/me/two-step").await.status(), StatusCode::OK);
    enrol(&manager).await;
    assert_eq!(manager.get("/users").await.status(), StatusCode::OK);

    // A viewer manages nothing: not asked.
    app.give_password("felix.grant@harbor.example").await;
    let viewer = spawn_on(&app.database_url, &app.dir).await;
    viewer.sign_in_as("felix.grant@harbor.example").await;
    assert_eq!(viewer.get("/users").await.status(), StatusCode::OK);
    let (_, body) = viewer.rpc("two_step_status", &[]).await;
    assert_eq!(body["must_enrol"], false);

    // Another organization's people are not concerned.
    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    assert_eq!(northside.get("/users").await.status(), StatusCode::OK);
}
