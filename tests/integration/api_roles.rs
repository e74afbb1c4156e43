//! Defining roles and report roles through the API: create, change, delete; nobody defines a
//! role above their own; a role in use stays; a brand role is its owner's; another
//! organization's role is absent.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_is_defined_changed_granted_and_deleted_only_when_unused() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let created = app
        .api_post(
            "/user-roles",
            &token,
            json!({"name": "Shift Lead", "type": "O", "partner_role": "viewer", "permissions": ["users.view"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["permissions"], json!(["users.view"]));

    let duplicate = app
        .api_post(
            "/user-roles",
            &token,
            json!({"name": "shift lead", "type": "L", "partner_role": "viewer"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.body["error"]["code"], "name_taken");
    for (body, field) in [
        (json!({"type": "L"}), "type"),
        (json!({"permissions": ["users.fly"]}), "permissions"),
        (json!({"name": ""}), "name"),
    ] {
        let reply = app
            .api_patch(&format!("/user-roles/{id}"), &token, body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.body
        );
        assert!(reply.body["error"]["fields"][field].is_string());
    }
    let changed = app
        .api_patch(
            &format!("/user-roles/{id}"),
            &token,
            json!({"name": "Shift Leader", "permissions": ["users.view", "connectors.view"]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["name"], "Shift Leader");

    let granted = app
        .api_post(
            "/user-connectors",
            &token,
            json!({"email": "lena.moreau@harbor.example", "role": id, "outlet": app.outlet_id("HB-002").await}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let in_use = app.api_delete(&format!("/user-roles/{id}"), &token).await;
    assert_eq!(in_use.status, StatusCode::CONFLICT);
    assert_eq!(in_use.body["error"]["code"], "role_in_use");
    assert!(
        in_use.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 connector and 0 API clients")
    );
    let connector = granted.body["id"].as_str().unwrap();
    assert_eq!(
        app.api_delete(&format!("/user-connectors/{connector}"), &token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api_delete(&format!("/user-roles/{id}"), &token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('role.created', 'role.updated', 'role.deleted')").await,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_defines_a_role_above_their_own_or_another_organizations_role() {
    let app = spawn_app().await;
    let viewer = app.api_token("harbor", "Viewer", None).await;
    app.custom_role("harbor", "Role Clerk", "L", &["roles.manage", "users.view"])
        .await;
    let clerk = app.api_token("harbor", "Role Clerk", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    let harbor_owner = app.role_id("harbor", "Owner").await;
    let trainer = app
        .id_of(
            "SELECT id FROM roles WHERE name = $1",
            "Burger Crew Trainer",
        )
        .await;
    let before = app.count("SELECT COUNT(*) FROM roles").await;

    let new_role = |permissions: &[&str]| json!({"name": "Night Crew", "type": "O", "partner_role": "viewer", "permissions": permissions});
    let cases = [
        (
            "without roles.manage",
            &viewer,
            "POST",
            "/user-roles".to_string(),
            new_role(&[]),
            StatusCode::FORBIDDEN,
        ),
        (
            "above the caller",
            &clerk,
            "POST",
            "/user-roles".to_string(),
            new_role(&["users.manage"]),
            StatusCode::FORBIDDEN,
        ),
        (
            "changing a role above the caller",
            &clerk,
            "PATCH",
            format!("/user-roles/{harbor_owner}"),
            json!({"name": "Boss"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "another organization's role",
            &northside,
            "PATCH",
            format!("/user-roles/{harbor_owner}"),
            json!({"name": "Boss"}),
            StatusCode::NOT_FOUND,
        ),
        (
            "a franchisee changing a brand role",
            &northside,
            "PATCH",
            format!("/user-roles/{trainer}"),
            json!({"name": "Coach"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "a franchisee deleting a brand role",
            &northside,
            "DELETE",
            format!("/user-roles/{trainer}"),
            json!(null),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (case, token, method, path, body, status) in cases {
        let reply = match method {
            "POST" => app.api_post(&path, token, body).await,
            "PATCH" => app.api_patch(&path, token, body).await,
            _ => app.api_delete(&path, token).await,
        };
        assert_eq!(reply.status, status, "{case}: {}", reply.body);
    }
    let brand_refusal = app
        .api_patch(
            &format!("/user-roles/{trainer}"),
            &northside,
            json!({"name": "Coach"}),
        )
        .await;
    assert!(
        brand_refusal.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Defined by Harbor Kitchen Group")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM roles").await,
        before,
        "nothing defined"
    );
    let within = app
        .api_post("/user-roles", &clerk, new_role(&["users.view"]))
        .await;
    assert_eq!(
        within.status,
        StatusCode::CREATED,
        "within the caller's own: {}",
        within.body
    );

    // A corporate brand role is offered to the brand's franchisees.
    let harbor = app.api_token("harbor", "Integration", None).await;
    let brand = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger")
        .await;
    let brand_role = app
        .api_post(
            "/user-roles",
            &harbor,
            json!({"name": "Grill Expert", "type": "O", "partner_role": "viewer", "brand": brand}),
        )
        .await;
    assert_eq!(
        brand_role.status,
        StatusCode::CREATED,
        "{}",
        brand_role.body
    );
    let theirs = app.api_get("/user-roles?type=O", &northside).await;
    assert!(
        theirs.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Grill Expert")
    );
    let not_owned = app
        .api_post(
            "/user-roles",
            &northside,
            json!({"name": "X", "type": "O", "partner_role": "viewer", "brand": brand}),
        )
        .await;
    assert_eq!(
        not_owned.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a franchisee defines no brand role"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_roles_are_defined_renamed_and_deleted_when_nobody_holds_them() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let created = app
        .api_post("/report-roles", &token, json!({"name": "Waste"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let renamed = app
        .api_patch(
            &format!("/report-roles/{id}"),
            &token,
            json!({"name": "Waste & Yield"}),
        )
        .await;
    assert_eq!(renamed.body["name"], "Waste & Yield");
    assert_eq!(
        app.api_post("/report-roles", &token, json!({"name": "finance"}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let finance = app
        .id_of("SELECT id FROM report_roles WHERE name = $1", "Finance")
        .await;
    let held = app
        .api_delete(&format!("/report-roles/{finance}"), &token)
        .await;
    assert_eq!(held.status, StatusCode::CONFLICT, "held by the owner");
    assert!(
        held.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("held by 1 person")
    );
    let northside = app.api_token("northside", "Integration", None).await;
    assert_eq!(
        app.api_patch(
            &format!("/report-roles/{id}"),
            &northside,
            json!({"name": "Mine"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api_delete(&format!("/report-roles/{id}"), &token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}
