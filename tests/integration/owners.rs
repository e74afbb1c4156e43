//! An organization always keeps an active person who holds every permission across it:
//! deactivating, demoting or removing the last owner, or taking a permission from the Owner
//! role, is refused (409 `last_owner`) by the services every face shares (in the console only
//! another owner could try: the policy keeps lower roles off an owner's access, and people off
//! their own); with a second owner it is not.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Harbor {
    token: String,
    admin: String,
    owner_connector: String,
    owner_role: String,
    owner_permissions: Vec<Value>,
    viewer_role: String,
}

async fn harbor(app: &TestApp) -> Harbor {
    let token = app.api_token("harbor", "Integration", None).await;
    let admin = app.user_id(ADMIN).await;
    let connectors = app
        .api_get(&format!("/user-connectors?email={ADMIN}"), &token)
        .await;
    assert_eq!(connectors.status, StatusCode::OK, "{}", connectors.body);
    let owner_connector = connectors.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"]["name"] == "Owner")
        .unwrap_or_else(|| panic!("the admin's Owner connector: {}", connectors.body))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let roles = app.api_get("/user-roles?page_size=100", &token).await;
    let role = |name: &str| {
        roles.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("role {name}: {}", roles.body))
            .clone()
    };
    let owner = role("Owner");
    Harbor {
        token,
        admin: admin.to_string(),
        owner_connector,
        owner_role: owner["id"].as_str().unwrap().to_string(),
        owner_permissions: owner["permissions"].as_array().unwrap().clone(),
        viewer_role: role("Viewer")["id"].as_str().unwrap().to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_owner_cannot_be_deactivated_demoted_or_removed() {
    let app = spawn_app().await;
    let h = harbor(&app).await;
    let fewer: Vec<Value> = h.owner_permissions[1..].to_vec();
    let cases: Vec<(&str, reqwest::Method, String, Option<Value>)> = vec![
        (
            "deactivated",
            reqwest::Method::PATCH,
            format!("/users/{}", h.admin),
            Some(json!({ "inactive": true })),
        ),
        (
            "demoted",
            reqwest::Method::PATCH,
            format!("/user-connectors/{}", h.owner_connector),
            Some(json!({ "role": h.viewer_role })),
        ),
        (
            "removed",
            reqwest::Method::DELETE,
            format!("/user-connectors/{}", h.owner_connector),
            None,
        ),
        (
            "the Owner role narrowed",
            reqwest::Method::PATCH,
            format!("/user-roles/{}", h.owner_role),
            Some(json!({ "permissions": fewer })),
        ),
    ];
    for (what, method, path, body) in &cases {
        let reply = app.api(method.clone(), path, &h.token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{what}: {}", reply.body);
        assert_eq!(
            reply.body["error"]["code"], "last_owner",
            "{what}: {}",
            reply.body
        );
    }
    let owners: i64 = app
        .query("SELECT COUNT(*) FROM memberships m JOIN user_accounts a ON a.id = m.user_id WHERE a.email = $1 AND m.status = 'active'")
        .bind(ADMIN)
        .scalar()
        .await
        .unwrap();
    assert_eq!(
        owners, 2,
        "nothing was written (Harbor and Northside memberships stay active)"
    );

    // With a second owner, each change goes through.
    let given = app
        .api_post(
            "/user-connectors",
            &h.token,
            json!({ "email": MANAGER, "role": h.owner_role }),
        )
        .await;
    assert_eq!(given.status, StatusCode::CREATED, "{}", given.body);
    let (what, method, path, body) = &cases[0];
    let reply = app.api(method.clone(), path, &h.token, body.clone()).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{what} with another owner: {}",
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_that_add_up_to_every_permission_make_an_owner_and_a_dated_grant_does_not() {
    let app = spawn_app().await;
    let h = harbor(&app).await;
    let half = h.owner_permissions.len() / 2;
    let role = |name: &str, permissions: Vec<Value>| {
        let (app, token) = (&app, &h.token);
        let name = name.to_string();
        async move {
            let made = app
                .api_post(
                    "/user-roles",
                    token,
                    json!({"name": name, "type": "L", "partner_role": "manager", "permissions": permissions}),
                )
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
            made.body["id"].as_str().unwrap().to_string()
        }
    };
    let first = role("Front of house", h.owner_permissions[..half].to_vec()).await;
    let second = role("Back of house", h.owner_permissions[half..].to_vec()).await;
    let grant = |role: String, window: Value| {
        let (app, token) = (&app, &h.token);
        async move {
            let mut body = json!({"email": MANAGER, "role": role});
            body.as_object_mut()
                .unwrap()
                .extend(window.as_object().unwrap().clone());
            let given = app.api_post("/user-connectors", token, body).await;
            assert_eq!(given.status, StatusCode::CREATED, "{}", given.body);
        }
    };
    let admin_path = format!("/users/{}", h.admin);
    let deactivate_admin = || app.api_patch(&admin_path, &h.token, json!({"inactive": true}));
    // Morgan holds both halves, the second only for a month: not an owner for good.
    grant(first, json!({})).await;
    let in_a_month = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    grant(second.clone(), json!({"ends_at": in_a_month})).await;
    let refused = deactivate_admin().await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.body["error"]["code"], "last_owner");

    // With the second half for good, Morgan is an owner and the admin may go.
    let dated = app
        .api_get(
            &format!("/user-connectors?email={MANAGER}&role_id={second}"),
            &h.token,
        )
        .await;
    let dated = dated.body["results"][0]["id"].as_str().unwrap().to_string();
    let revoked = app
        .api_delete(&format!("/user-connectors/{dated}"), &h.token)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    grant(second, json!({})).await;
    let gone = deactivate_admin().await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
}
