//! Roles and report roles defined on Security & Permissions: the server functions call the
//! same service as the API, and refuse what the page hides.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_defines_changes_and_deletes_roles_on_the_security_page() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (status, role) = app
        .rpc(
            "create_role",
            &[
                ("name", "Shift Lead"),
                ("role_type", "O"),
                ("partner_role", "viewer"),
                ("permissions[]", "users.view"),
                ("permissions[]", "connectors.view"),
                ("brand", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{role}");
    assert_eq!(
        role["permissions"],
        serde_json::json!(["users.view", "connectors.view"])
    );
    let id = role["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .rpc(
            "update_role",
            &[
                ("id", &id),
                ("name", "Shift Leader"),
                ("partner_role", "manager"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["permissions"],
        serde_json::json!([]),
        "unchecked boxes take permissions away"
    );
    let (status, body) = app
        .rpc(
            "create_role",
            &[("name", ""), ("role_type", "Z"), ("partner_role", "viewer")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["Invalid"]["fields"]["name"].is_string()
            && body["Invalid"]["fields"]["type"].is_string()
    );
    let (status, _) = app.rpc("delete_role", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = app
        .rpc("save_report_role", &[("id", ""), ("name", "Waste")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let finance = app
        .id_of("SELECT id FROM report_roles WHERE name = $1", "Finance")
        .await
        .to_string();
    let (status, body) = app.rpc("delete_report_role", &[("id", &finance)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "held: {body}");

    let (_, overview) = app.rpc("security_overview", &[]).await;
    assert_eq!(overview["may_define"], true);
    assert_eq!(overview["owned_brands"].as_array().unwrap().len(), 2);
    assert!(
        overview["roles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["locked"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_and_the_server_keeps_what_is_not_the_viewers_to_define() {
    let app = spawn_app().await;
    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let (_, overview) = northside.rpc("security_overview", &[]).await;
    let trainer = overview["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"]["name"] == "Burger Crew Trainer")
        .unwrap()
        .clone();
    assert!(
        trainer["locked"]
            .as_str()
            .unwrap()
            .starts_with("Defined by Harbor Kitchen Group")
    );
    let (status, _) = northside
        .rpc(
            "update_role",
            &[
                ("id", trainer["role"]["id"].as_str().unwrap()),
                ("name", "Coach"),
                ("partner_role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    app.give_password("dana.whitfield@harbor.example").await;
    let dana = spawn_on(&app.database_url, &app.dir).await;
    dana.sign_in_as("dana.whitfield@harbor.example").await; // Area Manager: no roles.manage
    let (_, overview) = dana.rpc("security_overview", &[]).await;
    assert_eq!(overview["may_define"], false);
    let (status, _) = dana
        .rpc(
            "create_role",
            &[
                ("name", "Mine"),
                ("role_type", "L"),
                ("partner_role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = dana
        .rpc("save_report_role", &[("id", ""), ("name", "Mine")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_that_grant_manage_permissions_are_flagged_and_a_new_role_grants_nothing() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (status, role) = app
        .rpc(
            "create_role",
            &[
                ("name", "Trainee"),
                ("role_type", "O"),
                ("partner_role", "viewer"),
                ("brand", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{role}");
    assert_eq!(
        role["permissions"],
        serde_json::json!([]),
        "no box ticked, nothing granted"
    );

    let (status, html) = app.page("/security?tab=roles").await;
    assert_eq!(status, StatusCode::OK);
    let row = |name: &str| {
        html.split("data-testid=\"role-row\"")
            .find(|row| row.contains(&format!(">{name}<")))
            .unwrap_or_else(|| panic!("a row for {name}"))
            .to_string()
    };
    for (name, flagged) in [
        ("Owner", true),
        ("Area Manager", true),
        ("Outlet Manager", true),
        ("Viewer", false),
        ("Staff", false),
        ("Trainee", false),
    ] {
        assert_eq!(
            row(name).contains("Grants manage permissions"),
            flagged,
            "{name}"
        );
    }
}
