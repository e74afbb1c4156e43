//! `GET /api/v1/me`: the caller in the partner API's User shape, with a token or the console
//! session; 401 without valid credentials.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEYS: [&str; 11] = [
    "_id",
    "created_at",
    "email",
    "first_name",
    "last_name",
    "login",
    "partner",
    "partner_role",
    "role",
    "store_ids",
    "updated_at",
];

/// Checks the exact key set, the types and the timestamp format.
fn assert_shape(me: &Value) {
    let mut keys: Vec<&str> = me.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, KEYS, "{me}");
    assert!(uuid::Uuid::parse_str(me["_id"].as_str().unwrap()).is_ok());
    assert_eq!(me["role"], "partner");
    for key in ["login", "partner", "first_name", "last_name"] {
        assert!(me[key].is_string(), "{key}: {me}");
    }
    assert!(me["email"].is_string() || me["email"].is_null());
    for key in ["created_at", "updated_at"] {
        let at = me[key].as_str().unwrap();
        let shape = at.len() == 24
            && at.ends_with('Z')
            && at.as_bytes()[10] == b'T'
            && at.as_bytes()[19] == b'.'
            && time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .is_ok();
        assert!(shape, "{key}: {at}");
    }
}

/// The caller's `/me` through the console session of `app`'s client.
async fn me_by_session(app: &TestApp) -> Value {
    let response = app.get("/api/v1/me").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn store_numbers(app_outlets: &[(String, uuid::Uuid)], me: &Value) -> Vec<String> {
    let mut numbers: Vec<String> = me["store_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let id = uuid::Uuid::parse_str(id.as_str().unwrap()).unwrap();
            app_outlets
                .iter()
                .find(|(_, o)| *o == id)
                .unwrap()
                .0
                .clone()
        })
        .collect();
    numbers.sort();
    numbers
}

async fn outlets(app: &TestApp) -> Vec<(String, uuid::Uuid)> {
    app.query("SELECT number, id FROM outlets")
        .fetch_all()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_described_in_the_partner_shape_from_their_session() {
    let app = spawn_app().await;
    let all = outlets(&app).await;
    app.sign_in_as(ADMIN).await;
    let owner = me_by_session(&app).await;
    assert_shape(&owner);
    assert_eq!(owner["email"], ADMIN);
    assert_eq!(owner["login"], "admin");
    assert_eq!(owner["partner_role"], "manager");
    assert_eq!(owner["partner"], "Harbor Kitchen Group");
    assert_eq!(
        store_numbers(&all, &owner),
        [
            "HB-001", "HB-002", "HB-003", "K-001", "ST-001", "ST-002", "ST-003"
        ],
        "a library user reaches every outlet"
    );

    let cases = [
        // Outlet Manager at Market Street and Staff at Pier 39: the stronger role counts.
        (
            "sam.patel@harbor.example",
            "manager",
            vec!["HB-001", "HB-002"],
        ),
        // Staff at two outlets.
        (
            "omar.haddad@harbor.example",
            "viewer",
            vec!["HB-001", "HB-003"],
        ),
    ];
    for (email, partner_role, numbers) in cases {
        app.give_password(email).await;
        let person = spawn_on(&app.database_url, &app.dir).await;
        person.sign_in_as(email).await;
        let me = me_by_session(&person).await;
        assert_shape(&me);
        assert_eq!(me["partner_role"], partner_role, "{email}");
        assert_eq!(store_numbers(&all, &me), numbers, "{email}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_client_is_described_as_a_partner_of_role_api() {
    let app = spawn_app().await;
    let all = outlets(&app).await;
    let token = app.api_token("harbor", "Integration", None).await;
    let reply = app.api_get("/me", &token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_shape(&reply.body);
    assert_eq!(reply.body["partner_role"], "api");
    assert_eq!(reply.body["email"], Value::Null);
    assert_eq!(reply.body["login"], "integration test");
    assert_eq!(store_numbers(&all, &reply.body).len(), 7);
    let used: Option<String> = app
        .query("SELECT last_used_at FROM api_tokens")
        .scalar()
        .await
        .unwrap();
    assert!(used.is_some(), "last used is recorded");

    let pier = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    let reply = app.api_get("/me", &pier).await;
    assert_eq!(store_numbers(&all, &reply.body), ["HB-001"]);
    assert_eq!(
        reply.body["partner_role"], "api",
        "an API client is always api"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_managed_person_reaches_the_franchisees_outlets_too() {
    let app = spawn_app().await;
    let all = outlets(&app).await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let pier = app.outlet_id("HB-001").await;
    let item = json!({
        "username": "kim.trainer",
        "email": "kim.trainer@harbor.example",
        "default_location": pier,
        "user_roles": [{"id": app.id_of("SELECT id FROM roles WHERE name = $1", "Burger Crew Trainer").await}],
        "locations": [{"id": pier}],
        "managed_by_brand": app.id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger").await,
        "external_locations": [{"id": app.outlet_id("NS-101").await}],
    });
    let created = app.api_post("/users", &harbor, json!([item])).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    app.give_password("kim.trainer@harbor.example").await;
    app.sign_in_as("kim.trainer@harbor.example").await;
    let me = me_by_session(&app).await;
    assert_shape(&me);
    assert_eq!(me["partner"], "Harbor Kitchen Group");
    assert_eq!(store_numbers(&all, &me), ["HB-001", "NS-101"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_bad_or_revoked_credentials_get_401() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let nobody = app.get("/api/v1/me").await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    let body: Value = nobody.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(
        app.api_get("/me", "brg_wrong").await.status,
        StatusCode::UNAUTHORIZED
    );
    let id = app
        .id_of(
            "SELECT id FROM api_tokens WHERE name = $1",
            "integration test",
        )
        .await;
    app.revoke_token(&id.to_string()).await;
    assert_eq!(
        app.api_get("/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );

    app.sign_in_as(MANAGER).await;
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    app.exec("UPDATE memberships SET status = 'inactive' WHERE user_id = (SELECT id FROM user_accounts WHERE email = 'manager@harbor.example')")
        .await;
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "a deactivated person's session no longer answers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokens_last_use_is_written_at_most_once_a_minute_not_on_every_request() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let last_used = || async {
        app.query("SELECT last_used_at FROM api_tokens")
            .scalar::<Option<String>>()
            .await
            .unwrap()
    };
    let cases = [
        ("2000-01-01T00:00:00.000Z", true),
        // 30 seconds ago: recent enough, the request writes nothing.
        ("RECENT", false),
    ];
    for (before, rewritten) in cases {
        let before = if before == "RECENT" {
            let recent = time::OffsetDateTime::now_utc() - time::Duration::seconds(30);
            recent
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        } else {
            before.to_string()
        };
        app.query("UPDATE api_tokens SET last_used_at = $1")
            .bind(&before)
            .execute()
            .await
            .unwrap();
        for _ in 0..3 {
            assert_eq!(app.api_get("/me", &token).await.status, StatusCode::OK);
        }
        let after = last_used().await.unwrap();
        assert_eq!(after != before, rewritten, "{before} → {after}");
    }
}
