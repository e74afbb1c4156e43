//! Outlet groups (districts, regions): a connector through a group grants its outlet role at
//! every outlet in the group when access is decided, outlets added later included, outlets
//! taken out excluded; only who manages access across the organization grants through one.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The outlet numbers a person's `GET /me` lists (`store_ids`), signed in on `app`.
async fn store_numbers(app: &TestApp) -> Vec<String> {
    let me: Value = app.get("/api/v1/me").await.json().await.unwrap();
    let mut numbers = Vec::new();
    for id in me["store_ids"].as_array().expect("store_ids") {
        let number: String = app
            .query("SELECT number FROM outlets WHERE id = $1")
            .bind(uuid::Uuid::parse_str(id.as_str().unwrap()).unwrap())
            .scalar()
            .await
            .unwrap();
        numbers.push(number);
    }
    numbers.sort();
    numbers
}

fn numbers_of(locations: &Value) -> Vec<String> {
    let mut numbers: Vec<String> = locations
        .as_array()
        .map(|all| {
            all.iter()
                .map(|l| l["number"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    numbers.sort();
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_grants_at_each_of_its_outlets_as_they_come_and_go() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let (market, wharf) = (app.outlet_id("HB-002").await, app.outlet_id("HB-003").await);
    let district = app
        .api_post(
            "/outlet-groups",
            &token,
            json!({"name": "Bay district", "outlets": [market]}),
        )
        .await;
    assert_eq!(district.status, StatusCode::CREATED, "{}", district.body);
    let group = district.body["id"].as_str().unwrap().to_string();
    assert_eq!(numbers_of(&district.body["outlets"]), ["HB-002"]);
    assert_eq!(app.audited("outlet_group.created").await, 1);

    // Morgan manages Pier 39 (HB-001); through the district, Market Street too.
    let granted = app
        .api_post(
            "/user-connectors",
            &token,
            json!({"email": MANAGER, "role": app.role_id("harbor", "Outlet Manager").await,
                   "outlet_group": group}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    assert_eq!(granted.body["type"], "O");
    assert_eq!(granted.body["outlet"], Value::Null);
    assert_eq!(granted.body["outlet_group"]["name"], "Bay district");
    let connector = granted.body["id"].as_str().unwrap().to_string();
    // The owner sees on Morgan's record where the access comes from.
    let owner = spawn_on(&app.database_url, &app.dir).await;
    owner.sign_in_as(ADMIN).await;
    let (status, record) = owner
        .page(&format!("/users/{}", app.user_id(MANAGER).await))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        record.contains("(HB-002)") && record.contains("through the outlet group Bay district"),
        "{record}"
    );
    app.sign_in_as(MANAGER).await;
    assert_eq!(store_numbers(&app).await, ["HB-001", "HB-002"]);

    // An outlet added to the district is reached at once; one taken out, no longer.
    let changed = app
        .api_patch(
            &format!("/outlet-groups/{group}"),
            &token,
            json!({"add_outlets": [wharf], "remove_outlets": [market]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(numbers_of(&changed.body["outlets"]), ["HB-003"]);
    assert_eq!(store_numbers(&app).await, ["HB-001", "HB-003"]);

    // The users view expands the group into locations; the list filters by group.
    let morgan = app.user_id(MANAGER).await;
    let view = app.api_get(&format!("/users/{morgan}"), &token).await;
    assert_eq!(numbers_of(&view.body["locations"]), ["HB-001", "HB-003"]);
    let through = app
        .all_connectors(&token, &format!("&outlet_group_id={group}"))
        .await;
    let ids: Vec<&str> = through.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [connector.as_str()]);

    // An archived outlet grants nothing, through a group as directly.
    app.query("UPDATE outlets SET archived_at = '2026-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(wharf)
        .execute()
        .await
        .unwrap();
    assert_eq!(store_numbers(&app).await, ["HB-001"]);
    app.query("UPDATE outlets SET archived_at = NULL WHERE id = $1")
        .bind(wharf)
        .execute()
        .await
        .unwrap();

    // A group that grants cannot be deleted; once its access is revoked, it can.
    let refused = app
        .api_delete(&format!("/outlet-groups/{group}"), &token)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.body["error"]["code"], "outlet_group_in_use");
    let revoked = app
        .api_delete(&format!("/user-connectors/{connector}"), &token)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    assert_eq!(store_numbers(&app).await, ["HB-001"]);
    let deleted = app
        .api_delete(&format!("/outlet-groups/{group}"), &token)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(app.audited("outlet_group.deleted").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_grants_through_them_are_refused_outside_their_rules() {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    let market = app.outlet_id("HB-002").await;
    let make = |token: String, name: &'static str, outlet: uuid::Uuid| {
        let app = &app;
        async move {
            let made = app
                .api_post(
                    "/outlet-groups",
                    &token,
                    json!({"name": name, "outlets": [outlet]}),
                )
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
            made.body["id"].as_str().unwrap().to_string()
        }
    };
    let bay = make(harbor.clone(), "Bay district", market).await;
    let theirs = make(
        northside.clone(),
        "North district",
        app.outlet_id("NS-101").await,
    )
    .await;
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let viewer_role = app.role_id("harbor", "Viewer").await.to_string();
    let grant = |group: &str, role: &str| json!({"email": "new.cook@harbor.example", "role": role, "outlet_group": group});

    // (what, request, status, code or field)
    let cases: Vec<(&str, Reply, StatusCode, &str)> = vec![
        (
            "another organization's group",
            app.api_post("/user-connectors", &harbor, grant(&theirs, &staff))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outlet_group",
        ),
        (
            "a library role through a group",
            app.api_post("/user-connectors", &harbor, grant(&bay, &viewer_role))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "role",
        ),
        (
            "an outlet and a group at once",
            app.api_post(
                "/user-connectors",
                &harbor,
                json!({"email": "new.cook@harbor.example", "role": staff, "outlet": market, "outlet_group": bay}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outlet_group",
        ),
        (
            "another organization's outlet in a group",
            app.api_post(
                "/outlet-groups",
                &harbor,
                json!({"name": "Mixed", "outlets": [app.outlet_id("NS-101").await]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outlets",
        ),
        (
            "a name taken (in any case)",
            app.api_post("/outlet-groups", &harbor, json!({"name": "BAY DISTRICT"}))
                .await,
            StatusCode::CONFLICT,
            "name_taken",
        ),
        (
            "another organization's group, read",
            app.api_get(&format!("/outlet-groups/{theirs}"), &harbor)
                .await,
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            "a view-only client creating a group",
            app.api_post(
                "/outlet-groups",
                &app.api_token("harbor", "Viewer", None).await,
                json!({"name": "Viewers' district"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "",
        ),
    ];
    for (what, reply, status, detail) in cases {
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        if !detail.is_empty() {
            let text = reply.body.to_string();
            assert!(text.contains(detail), "{what}: {text}");
        }
    }

    // A client scoped to one outlet of the group neither grants through it, nor sees a grant
    // through it (a group reaches outlets added later: it is weighed across the organization).
    let at_market = app
        .api_token("harbor", "Outlet Manager", Some("HB-002"))
        .await;
    let refused = app
        .api_post("/user-connectors", &at_market, grant(&bay, &staff))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.body["error"]["code"], "outside_your_scope");
    let made = app
        .api_post("/user-connectors", &harbor, grant(&bay, &staff))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let id = made.body["id"].as_str().unwrap();
    let hidden = app
        .api_get(&format!("/user-connectors/{id}"), &at_market)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    assert!(
        !app.all_connectors(&at_market, "")
            .await
            .iter()
            .any(|c| c["id"] == id),
        "a scoped list leaves the group's grant out"
    );
    let moved = app
        .api_patch(
            &format!("/user-connectors/{id}"),
            &harbor,
            json!({"outlet": market}),
        )
        .await;
    assert_eq!(
        moved.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        moved.body
    );
    assert!(
        moved.body.to_string().contains("outlet group"),
        "{}",
        moved.body
    );
    assert_eq!(
        app.api_get("/outlet-groups", &at_market).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_is_picked_by_typing_its_name_and_only_the_callers_organization_is_searched() {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    for (token, name, outlet) in [
        (&harbor, "Bay district", "HB-002"),
        (&harbor, "Bayview region", "HB-003"),
        (&harbor, "Hills 50% off", "HB-001"),
        (&northside, "Bay North", "NS-101"),
    ] {
        let made = app
            .api_post(
                "/outlet-groups",
                token,
                json!({"name": name, "outlets": [app.outlet_id(outlet).await]}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    app.sign_in_as(ADMIN).await;
    // Suggestions: the caller's organization's groups containing the text, in any case.
    for (search, expected) in [
        ("bay", json!(["Bay district", "Bayview region"])),
        (
            "",
            json!(["Bay district", "Bayview region", "Hills 50% off"]),
        ),
        ("50%", json!(["Hills 50% off"])), // a wildcard is a character like any other
        ("%", json!(["Hills 50% off"])),
        ("north", json!([])), // Northside's group is not Harbor's
    ] {
        let (status, found) = app.rpc("outlet_group_choices", &[("search", search)]).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found, expected, "{search:?}");
    }

    // A form's text names the group, in any case; a name of another organization's group or of
    // none is a problem of the field.
    let add = |email: &'static str, group: &'static str| {
        [
            ("email", email),
            ("first_name", "Dana"),
            ("last_name", "District"),
            ("role", "ROLE"),
            ("outlet", ""),
            ("outlet_group", group),
        ]
    };
    let role = app.role_id("harbor", "Outlet Manager").await.to_string();
    for (email, group, expected) in [
        ("dana@harbor.example", "bay DISTRICT", StatusCode::OK),
        (
            "dana@harbor.example",
            "Bay North",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "dana@harbor.example",
            "Nowhere",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let mut form = add(email, group);
        form[3].1 = role.as_str();
        let (status, body) = app.rpc("add_connector", &form).await;
        assert_eq!(status, expected, "{group}: {body}");
        if expected == StatusCode::OK {
            assert_eq!(body["connector"]["outlet_group"]["name"], "Bay district");
        } else {
            assert_eq!(
                body["Invalid"]["fields"]["outlet_group"],
                format!("No outlet group is named {group}."),
                "{body}"
            );
        }
    }

    // The access list and the access report filter by a group's name.
    let (status, page) = app
        .rpc(
            "list_connectors",
            &[("query[outlet_group_id]", "Bay District")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let emails: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["connector"]["user"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["dana@harbor.example"]);
    let (status, report) = app
        .rpc("access_report", &[("query[outlet_group_id]", "Bay North")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert!(report["Invalid"]["fields"]["outlet_group_id"].is_string());

    // An outlet manager may not read groups: offered none, and a name does not resolve for
    // them (no probing of names through a filter).
    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (status, offered) = manager
        .rpc("outlet_group_choices", &[("search", "bay")])
        .await;
    assert_eq!((status, offered), (StatusCode::OK, json!([])));
    let (status, refused) = manager
        .rpc(
            "list_connectors",
            &[("query[outlet_group_id]", "Bay district")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
}
