//! No lost updates: users and connectors are answered with an ETag; PATCH and DELETE with a
//! stale If-Match are refused (412) and change nothing. The console's edit forms carry the
//! version they were opened on, and a save over someone else's change is refused the same way,
//! whichever face made that change.

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

/// The version of a person's edit form as the console opens it.
async fn opened_person(app: &TestApp, id: &str) -> String {
    let (status, body) = app.rpc("person_editing", &[("id", id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["version"].as_str().expect("a version").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_save_over_someone_elses_change_is_refused_with_a_reload() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let token = app.api_token("harbor", "Integration", None).await;
    let person = app.user_id("lena.moreau@harbor.example").await;
    let id = person.to_string();
    let opened = opened_person(&app, &id).await;
    // The form's version is the API's ETag of the same person: one notion of "changed".
    let read = send(
        &app,
        Method::GET,
        &format!("/users/{id}"),
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(read.etag.as_deref(), Some(opened.as_str()));

    // Saved on the version it was opened on: accepted.
    let (status, body) = app
        .rpc(
            "update_person",
            &[("id", &id), ("first_name", "Léna"), ("version", &opened)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reopened = opened_person(&app, &id).await;
    assert_ne!(reopened, opened, "the save made a new version");

    // Someone changes the person through the API while the form is open.
    let changed = send(
        &app,
        Method::PATCH,
        &format!("/users/{id}"),
        &token,
        None,
        Some(json!({"last_name": "Moreau-Duval"})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);

    // Each form of the page opened before that change is refused, and nothing is written.
    let forms: [(&str, Vec<(&str, &str)>); 2] = [
        (
            "update_person",
            vec![("id", &id), ("last_name", "Moreau"), ("version", &reopened)],
        ),
        (
            "set_person_status",
            vec![("id", &id), ("inactive", "true"), ("version", &reopened)],
        ),
    ];
    for (function, form) in forms {
        let (status, body) = app.rpc(function, &form).await;
        assert_eq!(
            status,
            StatusCode::PRECONDITION_FAILED,
            "{function}: {body}"
        );
        assert_eq!(
            body["Refused"]["code"], "changed_by_someone_else",
            "{function}"
        );
        assert!(
            body["Refused"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Changed by someone else since you opened it."),
            "{body}"
        );
    }
    let now = send(
        &app,
        Method::GET,
        &format!("/users/{id}"),
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(now.body["last_name"], "Moreau-Duval");
    assert_eq!(now.body["inactive"], false);

    // After a reload the same change goes through.
    let fresh = opened_person(&app, &id).await;
    let (status, body) = app
        .rpc(
            "set_person_status",
            &[("id", &id), ("inactive", "true"), ("version", &fresh)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_row_changed_since_it_was_shown_is_neither_changed_nor_revoked() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let token = app.api_token("harbor", "Integration", None).await;
    let connector = app
        .connector_of("grace.kim@harbor.example")
        .await
        .to_string();
    let shown = || async {
        let (status, page) = app
            .rpc("list_connectors", &[("query[email]", "grace.kim")])
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let row = &page["results"][0];
        assert_eq!(row["connector"]["id"], connector.as_str());
        row["version"].as_str().expect("a version").to_string()
    };
    let version = shown().await;
    let path = format!("/user-connectors/{connector}");
    let read = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(
        read.etag.as_deref(),
        Some(version.as_str()),
        "one notion of a version"
    );

    let staff = app.role_id("harbor", "Staff").await.to_string();
    let manager = app.role_id("harbor", "Outlet Manager").await.to_string();
    let changed = send(
        &app,
        Method::PATCH,
        &path,
        &token,
        None,
        Some(json!({"role": manager})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

    let forms: [(&str, Vec<(&str, &str)>); 2] = [
        (
            "change_connector",
            vec![("id", &connector), ("role", &staff), ("version", &version)],
        ),
        (
            "revoke_connector",
            vec![("id", &connector), ("version", &version)],
        ),
    ];
    for (function, form) in forms {
        let (status, body) = app.rpc(function, &form).await;
        assert_eq!(
            status,
            StatusCode::PRECONDITION_FAILED,
            "{function}: {body}"
        );
        assert_eq!(
            body["Refused"]["code"], "changed_by_someone_else",
            "{function}"
        );
    }
    let still = send(&app, Method::GET, &path, &token, None, None).await;
    assert_eq!(still.status, StatusCode::OK, "not revoked");
    assert_eq!(
        still.body["role"]["id"],
        manager.as_str(),
        "not changed back"
    );

    let fresh = shown().await;
    let (status, body) = app
        .rpc(
            "revoke_connector",
            &[("id", &connector), ("version", &fresh)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
