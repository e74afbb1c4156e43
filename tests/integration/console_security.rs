//! Security & Permissions: the API User Permissions toggles, switched by the brand's owner
//! with the permission, seen (never switched) by franchisees; the lock they set holds on the
//! server, whatever the page shows.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

/// The toggles as the signed-in person sees them: (brand name or "", allowed, locked reason).
async fn toggles(app: &TestApp) -> Vec<(String, bool, Option<String>)> {
    let (status, body) = app.rpc("security_overview", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["api_user_permissions"]["toggles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["brand"]["name"].as_str().unwrap_or_default().to_string(),
                t["allowed"].as_bool().unwrap(),
                t["locked"].as_str().map(str::to_string),
            )
        })
        .collect()
}

async fn brand(app: &TestApp, name: &str) -> String {
    app.id_of("SELECT id FROM brands WHERE name = $1", name)
        .await
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corporate_owner_switches_each_brand_and_the_lock_holds_at_once() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    assert_eq!(
        toggles(&app).await,
        [
            (String::new(), true, None),
            ("Harbor Burger".into(), true, None),
            ("Saltline Tacos".into(), true, None),
        ]
    );
    let harbor_burger = brand(&app, "Harbor Burger").await;
    let (status, body) = app
        .rpc(
            "switch_api_edits",
            &[("brand", &harbor_burger), ("allowed", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!toggles(&app).await[1].1, "off at once");
    let events = app
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'api_user_permissions.changed'")
        .await;
    assert_eq!(events, 1);

    // Jules is managed by Harbor Burger's API: the console may no longer change their access.
    let jules = app
        .connector_of("jules.martin@harbor.example")
        .await
        .to_string();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (status, body) = app
        .rpc(
            "change_connector",
            &[
                ("id", &jules),
                ("role", &staff),
                ("outlet", &app.outlet_id("HB-002").await.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["Denied"]["code"], "managed_through_api", "{body}");

    let (status, _) = app
        .rpc("switch_api_edits", &[("brand", ""), ("allowed", "maybe")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .rpc(
            "switch_api_edits",
            &[
                ("brand", &uuid::Uuid::now_v7().to_string()),
                ("allowed", "false"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a brand that governs nobody here"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_franchisee_sees_its_brands_toggles_and_cannot_switch_them() {
    let app = spawn_app().await;
    app.sign_in_as(NORTHSIDE_OWNER).await;
    let seen = toggles(&app).await;
    assert_eq!(seen.len(), 2, "its own toggle and its brand's: {seen:?}");
    assert_eq!(seen[0], (String::new(), true, None));
    assert_eq!(seen[1].0, "Harbor Burger");
    assert_eq!(
        seen[1].2.as_deref(),
        Some("Managed by Harbor Kitchen Group: only the brand's owner changes this setting.")
    );
    let harbor_burger = brand(&app, "Harbor Burger").await;
    let (status, body) = app
        .rpc(
            "switch_api_edits",
            &[("brand", &harbor_burger), ("allowed", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["Denied"]["code"], "not_your_setting", "{body}");
    let still: bool = app
        .query("SELECT console_edits_api_users FROM brands WHERE name = 'Harbor Burger'")
        .scalar()
        .await
        .unwrap();
    assert!(still, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_needs_the_permission_across_the_organization() {
    let app = spawn_app().await;
    app.give_password("dana.whitfield@harbor.example").await;
    app.sign_in_as("dana.whitfield@harbor.example").await; // Area Manager: no roles.manage
    let seen = toggles(&app).await;
    assert!(
        seen.iter().all(|(_, _, locked)| locked.is_some()),
        "{seen:?}"
    );
    let (status, body) = app
        .rpc("switch_api_edits", &[("brand", ""), ("allowed", "false")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, page) = app.page("/security?tab=api").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Allow editing of Harbor Burger API-managed users"));
    assert!(
        !page.contains("tab=clients"),
        "no API clients tab without api_tokens.manage"
    );

    let visitor = spawn_on(&app.database_url, &app.dir).await;
    visitor.give_password("lena.moreau@harbor.example").await;
    visitor.sign_in_as("lena.moreau@harbor.example").await; // Staff: no permission at all
    let (status, _): (StatusCode, Value) = visitor.rpc("security_overview", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
