//! Safe retries: a POST with an Idempotency-Key is answered once. The same key and body get
//! the first answer without a second write — also when the retry arrives while the first is
//! running, and on another app server; the same key with another body is 422; keys are the
//! client's own; a refused request leaves its key unused; answers are kept 24 hours.

use crate::helpers::*;
use brigade::service::idempotency::{self, Claim, Key};
use brigade::service::{Clock, versions};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Answer {
    status: StatusCode,
    replayed: bool,
    etag: Option<String>,
    body: Value,
}

async fn post(app: &TestApp, path: &str, token: &str, key: Option<&str>, body: &Value) -> Answer {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (replayed, etag) = (header("idempotency-replayed").is_some(), header("etag"));
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        replayed,
        etag,
        body,
    }
}

/// Every POST that creates one thing, a body for it, another body, and the table it writes.
async fn creations(app: &TestApp) -> Vec<(&'static str, Value, Value, &'static str)> {
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let market = app.outlet_id("HB-002").await.to_string();
    vec![
        (
            "/user-connectors",
            json!({"email": "noor@harbor.example", "role": staff, "outlet": market}),
            json!({"email": "noor2@harbor.example", "role": staff, "outlet": market}),
            "user_connectors",
        ),
        (
            "/outlets",
            json!({"name": "Pier 41", "number": "HB-041"}),
            json!({"name": "Pier 42", "number": "HB-042"}),
            "outlets",
        ),
        (
            "/user-roles",
            json!({"name": "Shift Lead", "type": "O", "partner_role": "manager", "permissions": ["users.view"]}),
            json!({"name": "Shift Lead 2", "type": "O", "partner_role": "manager", "permissions": ["users.view"]}),
            "roles",
        ),
        (
            "/report-roles",
            json!({"name": "Payroll"}),
            json!({"name": "Payroll 2"}),
            "report_roles",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Owner", None).await;
    for (path, body, other, table) in creations(&app).await {
        let rows = format!("SELECT COUNT(*) FROM {table}");
        let key = format!("retry-{}", path.trim_start_matches('/'));
        let first = post(&app, path, &token, Some(&key), &body).await;
        assert_eq!(first.status, StatusCode::CREATED, "{path}: {}", first.body);
        assert!(!first.replayed);
        let written = app.count(&rows).await;

        let retry = post(&app, path, &token, Some(&key), &body).await;
        assert_eq!(retry.status, StatusCode::CREATED, "{path}");
        assert!(retry.replayed, "{path}: marked as replayed");
        assert_eq!(retry.body, first.body, "{path}: the first answer");
        assert_eq!(retry.etag, first.etag, "{path}");
        assert_eq!(app.count(&rows).await, written, "{path}: no second write");

        let reused = post(&app, path, &token, Some(&key), &other).await;
        assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(reused.body["error"]["code"], "idempotency_key_reused");
        assert_eq!(app.count(&rows).await, written, "{path}: nothing written");
        // The same key on another operation is another request too.
        let elsewhere = if path == "/outlets" {
            "/report-roles"
        } else {
            "/outlets"
        };
        let crossed = post(&app, elsewhere, &token, Some(&key), &body).await;
        assert_eq!(crossed.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    }
    // The connector's answer carries the ETag of what it answered.
    let first = post(
        &app,
        "/outlets",
        &token,
        Some("tagless"),
        &json!({"name": "Pier 43", "number": "HB-043"}),
    )
    .await;
    assert_eq!(first.etag, None, "outlets have no ETag");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_on_two_servers_write_once_and_get_the_same_answer() {
    let app = spawn_app().await;
    let other = spawn_on(&app.database_url, &app.dir).await;
    let token = app.api_token("harbor", "Owner", None).await;
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let market = app.outlet_id("HB-002").await.to_string();
    for round in 0..5 {
        let body = json!({"email": format!("twice{round}@harbor.example"), "role": staff, "outlet": market});
        let key = format!("concurrent-{round}");
        let (a, b) = tokio::join!(
            post(&app, "/user-connectors", &token, Some(&key), &body),
            post(&other, "/user-connectors", &token, Some(&key), &body),
        );
        assert_eq!(
            (a.status, b.status),
            (StatusCode::CREATED, StatusCode::CREATED)
        );
        assert_eq!(a.body, b.body, "one answer");
        assert!(a.replayed != b.replayed, "one of them is the replay");
        let made = app
            .count(&format!(
                "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
                 JOIN user_accounts u ON u.id = m.user_id WHERE u.email = 'twice{round}@harbor.example'"
            ))
            .await;
        assert_eq!(made, 1, "round {round}: one connector");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_each_clients_own_and_a_refused_request_leaves_its_key_unused() {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Owner", None).await;
    let northside = app.api_token("northside", "Owner", None).await;
    let body = json!({"name": "Night Audit"});
    let first = post(&app, "/report-roles", &harbor, Some("shared-key"), &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    // Another organization's client with the same key and body makes its own.
    let theirs = post(&app, "/report-roles", &northside, Some("shared-key"), &body).await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert!(!theirs.replayed);
    assert_ne!(
        theirs.body["id"], first.body["id"],
        "never another client's answer"
    );

    // Refused (a blank name): nothing written, nothing remembered; the corrected body goes
    // through under the same key.
    let refused = post(
        &app,
        "/report-roles",
        &harbor,
        Some("fix-me"),
        &json!({"name": " "}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fixed = post(
        &app,
        "/report-roles",
        &harbor,
        Some("fix-me"),
        &json!({"name": "Audit"}),
    )
    .await;
    assert_eq!(fixed.status, StatusCode::CREATED, "{}", fixed.body);

    // Keys that are not one short visible value are refused before anything runs.
    for key in ["", "has space", &"k".repeat(256), "caf\u{e9}"] {
        let mut request = app
            .client
            .post(app.url("/api/v1/report-roles"))
            .bearer_auth(&harbor)
            .json(&json!({"name": "Bad key"}));
        request = match reqwest::header::HeaderValue::from_bytes(key.as_bytes()) {
            Ok(value) => request.header("Idempotency-Key", value),
            Err(_) => continue,
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_idempotency_key");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM report_roles WHERE name = 'Bad key'")
            .await,
        0
    );
    // A quoted key (a structured-field string) is the same key as the bare one.
    let quoted = post(
        &app,
        "/report-roles",
        &harbor,
        Some("\"shared-key\""),
        &body,
    )
    .await;
    assert!(quoted.replayed, "{}", quoted.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_retry_answers_every_item_as_first_and_creates_none_again() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let pier = app.outlet_id("HB-001").await;
    let staff = app.role_id("harbor", "Staff").await;
    let person = |name: &str, email: &str| {
        json!({
            "username": name, "email": email, "first_name": "Bulk", "last_name": "Hire",
            "default_location": pier, "user_roles": [{"id": staff}], "locations": [{"id": pier}],
        })
    };
    let users = json!([
        person("bulk.one", "bulk.one@harbor.example"),
        person("bulk.bad", "not an email"),
        person("bulk.two", "bulk.two@harbor.example"),
    ]);
    let first = post(&app, "/users", &token, Some("bulk-1"), &users).await;
    assert_eq!(first.status, StatusCode::MULTI_STATUS, "{}", first.body);
    let people = app.count("SELECT COUNT(*) FROM memberships").await;
    let retry = post(&app, "/users", &token, Some("bulk-1"), &users).await;
    assert_eq!(retry.status, StatusCode::MULTI_STATUS);
    assert_eq!(
        retry.body, first.body,
        "every item answered as the first time"
    );
    assert!(
        !first.replayed && retry.replayed,
        "marked when every item is replayed"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, people);
    let other = json!([person("bulk.three", "bulk.three@harbor.example")]);
    let reused = post(&app, "/users", &token, Some("bulk-1"), &other).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.body["error"]["code"], "idempotency_key_reused");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, people);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_is_kept_24_hours() {
    let app = spawn_app().await;
    let key = || {
        Key::new(
            "token:test".into(),
            "daily".into(),
            "POST /outlets",
            &json!({"n": 1}),
        )
    };
    let remembered = idempotency::Answer {
        status: 201,
        body: "{}".into(),
        etag: Some(versions::version_of(&json!({}))),
    };
    let mut work = app.context.begin().await.unwrap();
    assert!(matches!(
        idempotency::claim(&mut work, &key(), 0).await.unwrap(),
        Claim::Fresh
    ));
    idempotency::remember(&mut work, &key(), 0, &remembered)
        .await
        .unwrap();
    work.commit().await.unwrap();
    for (hours, replayed) in [(0, true), (23, true), (25, false)] {
        let later = app
            .context
            .with_clock(Clock::shifted(time::Duration::hours(hours)));
        let mut work = later.begin().await.unwrap();
        let claim = idempotency::claim(&mut work, &key(), 0).await.unwrap();
        match claim {
            Claim::Replay(answer) => {
                assert!(replayed, "{hours} h: kept");
                assert_eq!(answer, remembered);
            }
            Claim::Fresh => assert!(!replayed, "{hours} h: expired"),
        }
        // Not committed: each hour asks of the same remembered answer.
    }
}
