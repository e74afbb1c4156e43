//! Editing a person in the console (`/users/{id}`): the server functions are called directly,
//! as a hostile page would, and refuse what the page hides — the API User Permissions lock
//! (checked inside the transaction that writes), brand-managed people in a franchisee,
//! people outside the editor's scope, organization-wide settings, one's own record.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn id(app: &TestApp, email: &str) -> String {
    app.user_id(email).await.to_string()
}

/// `update_person` with these fields besides the id.
async fn save(app: &TestApp, email: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let id = id(app, email).await;
    let mut form = vec![("id", id.as_str())];
    form.extend_from_slice(fields);
    app.rpc("update_person", &form).await
}

async fn lock_of(app: &TestApp, email: &str) -> Value {
    let id = id(app, email).await;
    let (status, body) = app.rpc("person_editing", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["locked"].clone()
}

async fn switch(app: &TestApp, brand: &str, allowed: &str) {
    let brand = app
        .id_of("SELECT id FROM brands WHERE name = $1", brand)
        .await
        .to_string();
    let (status, body) = app
        .rpc(
            "switch_api_edits",
            &[("brand", &brand), ("allowed", allowed)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_names_roles_locations_and_reports_in_one_save() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (pier, market) = (
        app.outlet_id("HB-001").await.to_string(),
        app.outlet_id("HB-002").await.to_string(),
    );
    let finance = app
        .id_of("SELECT id FROM report_roles WHERE name = $1", "Finance")
        .await
        .to_string();
    let (status, body) = save(
        &app,
        "lena.moreau@harbor.example",
        &[
            ("first_name", "Léna"),
            ("last_name", "Moreau"),
            ("username", "lena.moreau"),
            ("email", "lena.moreau@harbor.example"),
            ("mobile_number", "+1 415 555 0199"),
            ("default_location", &market),
            ("access_shown", "1"),
            ("user_roles[]", &staff),
            ("locations[]", &pier),
            ("locations[]", &market),
            ("reports_shown", "1"),
            ("report_roles[]", &finance),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["first_name"], "Léna");
    assert_eq!(body["mobile_number"], "+1 415 555 0199");
    assert_eq!(body["default_location"]["number"], "HB-002");
    assert_eq!(body["locations"].as_array().unwrap().len(), 2);
    assert_eq!(body["report_roles"][0]["name"], "Finance");
    let event = app
        .count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.updated' AND via = 'console'",
        )
        .await;
    assert_eq!(event, 1);

    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        ("username", vec![("username", "x")]),
        ("email", vec![("email", "not an email")]),
        ("user_roles", vec![("access_shown", "1")]),
        ("mobile_number", vec![("mobile_number", "call me")]),
    ];
    for (field, fields) in cases {
        let (status, body) = save(&app, "lena.moreau@harbor.example", &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["Invalid"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let (status, body) = save(
        &app,
        "lena.moreau@harbor.example",
        &[("username", "sam.patel")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_user_permissions_lock_holds_on_the_server_even_mid_edit() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let jules = "jules.martin@harbor.example"; // managed by Harbor Burger's API
    assert_eq!(
        lock_of(&app, jules).await,
        Value::Null,
        "editable while the toggle is on"
    );

    // The page was loaded unlocked; the toggle goes off before the save.
    switch(&app, "Harbor Burger", "false").await;
    let (status, body) = save(&app, jules, &[("first_name", "Julien")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["Denied"]["code"], "managed_through_api");
    let (status, _) = app
        .rpc(
            "set_person_status",
            &[("id", &id(&app, jules).await), ("inactive", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        lock_of(&app, jules)
            .await
            .as_str()
            .unwrap()
            .starts_with("User managed by Harbor Burger"),
        "the record says why"
    );
    let name: String = app
        .query("SELECT first_name FROM user_accounts WHERE email = $1")
        .bind(jules)
        .scalar()
        .await
        .unwrap();
    assert_eq!(name, "Jules", "nothing written");

    // Another brand's people are not affected; the API still changes Jules.
    assert_eq!(
        lock_of(&app, "ben.osei@saltline.example").await,
        Value::Null
    );
    let token = app.api_token("harbor", "Integration", None).await;
    let through_api = app
        .api_patch(
            &format!("/users/{}", id(&app, jules).await),
            &token,
            serde_json::json!({"first_name": "Julien"}),
        )
        .await;
    assert_eq!(through_api.status, StatusCode::OK);

    // The lock follows every external manager, not the word "api".
    app.exec("UPDATE memberships SET managed_by = 'scim' WHERE user_id = (SELECT id FROM user_accounts WHERE email = 'jules.martin@harbor.example')")
        .await;
    let (status, _) = save(&app, jules, &[("first_name", "Jules")]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "SCIM-managed people are locked alike"
    );

    switch(&app, "Harbor Burger", "true").await;
    let (status, body) = save(&app, jules, &[("first_name", "Jules")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_franchisee_never_edits_a_brand_managed_person() {
    let app = spawn_app().await;
    app.sign_in_as(NORTHSIDE_OWNER).await;
    let aiden = "aiden.ross@northside.example";
    let reason = lock_of(&app, aiden).await;
    assert!(
        reason
            .as_str()
            .unwrap()
            .starts_with("User managed by Harbor Burger"),
        "{reason}"
    );
    let (status, body) = save(&app, aiden, &[("last_name", "Changed")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = save(
        &app,
        "chris.doyle@northside.example",
        &[("last_name", "Doyle")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "its own people are its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_stays_inside_the_editors_scope_and_rights() {
    let app = spawn_app().await;
    let morgan = spawn_on(&app.database_url, &app.dir).await;
    morgan.sign_in_as(MANAGER).await; // Outlet Manager at Pier 39
    let (status, _) = save(&morgan, "grace.kim@harbor.example", &[("first_name", "G")]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another outlet's person is absent"
    );
    let (status, body) = save(
        &morgan,
        "lena.moreau@harbor.example",
        &[("first_name", "Lena")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = save(
        &morgan,
        "lena.moreau@harbor.example",
        &[("reports_shown", "1"), ("all_reports_access", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["Denied"]["code"], "organization_wide");
    let (status, body) = morgan
        .rpc(
            "person_editing",
            &[("id", &id(&app, "lena.moreau@harbor.example").await)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["reports_editable"], false);

    app.give_password("felix.grant@harbor.example").await;
    let felix = spawn_on(&app.database_url, &app.dir).await;
    felix.sign_in_as("felix.grant@harbor.example").await; // Viewer
    let (status, _) = save(&felix, "lena.moreau@harbor.example", &[("first_name", "X")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = felix
        .rpc(
            "person_editing",
            &[("id", &id(&app, "lena.moreau@harbor.example").await)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "view only: no edit form");

    app.sign_in_as(ADMIN).await;
    assert!(
        lock_of(&app, ADMIN)
            .await
            .as_str()
            .unwrap()
            .starts_with("This is you")
    );
    let (status, _) = save(&app, ADMIN, &[("first_name", "Me")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = save(&app, "kai.turner@harbor.example", &[("first_name", "K")]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a shared account's profile: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_by_manager_and_status_and_a_deactivated_person_comes_back() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let harbor_burger = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger")
        .await;
    let list = |managed: String, status: &'static str| {
        let app = &app;
        async move {
            let (code, body) = app
                .rpc(
                    "list_people",
                    &[
                        ("search", ""),
                        ("page", "1"),
                        ("managed", &managed),
                        ("status", status),
                    ],
                )
                .await;
            assert_eq!(code, StatusCode::OK, "{body}");
            let mut emails: Vec<String> = body["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["email"].as_str().unwrap().to_string())
                .collect();
            emails.sort();
            emails
        }
    };
    assert_eq!(
        list("api".into(), "").await,
        [
            "ben.osei@saltline.example",
            "jules.martin@harbor.example",
            "payroll.sync@harbor.example"
        ]
    );
    assert_eq!(
        list(format!("brand:{harbor_burger}"), "").await,
        ["jules.martin@harbor.example"]
    );
    assert_eq!(
        list(String::new(), "inactive").await,
        ["ellis.park@saltline.example", INACTIVE]
    );
    let (status, _) = app
        .rpc(
            "list_people",
            &[
                ("search", ""),
                ("page", "1"),
                ("managed", "robots"),
                ("status", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let morgan = spawn_on(&app.database_url, &app.dir).await;
    morgan.sign_in_as(MANAGER).await;
    let (status, body) = app
        .rpc(
            "set_person_status",
            &[("id", &id(&app, MANAGER).await), ("inactive", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        morgan.get("/users").await.status(),
        StatusCode::SEE_OTHER,
        "signed out at once"
    );
    assert!(
        list(String::new(), "inactive")
            .await
            .contains(&MANAGER.to_string())
    );
    let (status, body) = app
        .rpc(
            "set_person_status",
            &[("id", &id(&app, MANAGER).await), ("inactive", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    morgan.sign_in_as(MANAGER).await;
}
