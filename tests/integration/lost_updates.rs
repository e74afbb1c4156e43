//! No lost updates: users and connectors are answered with an ETag; PATCH and DELETE with a
//! stale If-Match are refused (412) and change nothing.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Answer {
    status: StatusCode,
    etag: Option<String>,
    body: Value,
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(token);
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    Answer {
        status,
        etag,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// A connector of the demo that the Integration client may change, and its path.
async fn a_connector(app: &TestApp) -> String {
    format!(
        "/user-connectors/{}",
        app.connector_in("harbor", "manager@harbor.example").await
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_change_made_on_a_stale_version_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let path = format!("/users/{}", app.user_id("manager@harbor.example").await);
    let read = send(&app, Method::GET, &path, &token, None, None).await;
    let first = read.etag.expect("an ETag");
    assert!(
        first.starts_with('"') && first.ends_with('"') && first.len() == 34,
        "{first}"
    );
    let again = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(
        again.etag.as_deref(),
        Some(first.as_str()),
        "unchanged, same tag"
    );

    // Someone changes the person with the version they read: accepted, a new version.
    let changed = send(
        &app,
        Method::PATCH,
        &path,
        &token,
        Some(&first),
        Some(json!({"first_name": "Morgan"})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let second = changed.etag.expect("the new version's tag");
    assert_ne!(second, first);

    // Another change based on the first version is refused, naming why.
    for stale in [first.as_str(), &format!("W/{second}"), "\"0\""] {
        let refused = send(
            &app,
            Method::PATCH,
            &path,
            &token,
            Some(stale),
            Some(json!({"first_name": "Robin"})),
        )
        .await;
        assert_eq!(refused.status, StatusCode::PRECONDITION_FAILED, "{stale}");
        assert_eq!(refused.body["error"]["code"], "precondition_failed");
    }
    let now = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(now.body["first_name"], "Morgan");
    assert_eq!(now.etag.as_deref(), Some(second.as_str()));

    // `*` and no If-Match at all go ahead (a client that does not track versions).
    for if_match in [Some("*"), None] {
        let answer = send(
            &app,
            Method::PATCH,
            &path,
            &token,
            if_match,
            Some(json!({"last_name": "Okafor"})),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{if_match:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_changed_since_it_was_read_is_neither_changed_nor_revoked() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let path = a_connector(&app).await;
    let read = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(read.status, StatusCode::OK);
    let first = read.etag.unwrap();
    let changed = send(
        &app,
        Method::PATCH,
        &path,
        &token,
        Some(&first),
        Some(json!({"first_name": "Sam"})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let second = changed.etag.unwrap();

    let stale_change = send(
        &app,
        Method::PATCH,
        &path,
        &token,
        Some(&first),
        Some(json!({"first_name": "Alex"})),
    )
    .await;
    assert_eq!(stale_change.status, StatusCode::PRECONDITION_FAILED);
    let stale_revoke = send(&app, Method::DELETE, &path, &token, Some(&first), None).await;
    assert_eq!(stale_revoke.status, StatusCode::PRECONDITION_FAILED);
    let still = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(still.status, StatusCode::OK, "the connector is still there");
    assert_eq!(still.body["user"]["first_name"], "Sam");

    let revoked = send(&app, Method::DELETE, &path, &token, Some(&second), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let gone = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
