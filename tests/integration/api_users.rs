//! `/api/v1/users` (the R365 users view): the shape and its omission rules, filters and
//! paging, the bulk create's answers, brand assignment, deactivation, connector rewriting,
//! external locations and the refusals.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The user with this email, as the token sees it in the list.
async fn user(app: &TestApp, token: &str, email: &str) -> Value {
    let reply = app.api_get(&format!("/users?emails={email}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["results"][0].clone()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_view_follows_the_connectors_and_omits_what_the_rules_say() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;

    let owner = user(&app, &token, ADMIN).await;
    assert_eq!(owner["all_location_access"], true);
    assert!(
        owner.get("locations").is_none(),
        "no locations with all-location access"
    );
    assert_eq!(names(&owner["user_roles"], "name"), ["Owner"]);
    assert_eq!(
        names(&owner["report_roles"], "name"),
        ["Finance", "Operations"]
    );
    assert!(
        owner.get("external_locations").is_none(),
        "absent when empty"
    );
    assert_eq!(owner["managed_by"], "console");
    assert_eq!(owner["managed_by_brand"], Value::Null);

    let sam = user(&app, &token, "sam.patel@harbor.example").await;
    assert_eq!(sam["all_location_access"], false);
    assert_eq!(
        names(&sam["locations"], "name"),
        ["Harbor Burger Market Street", "Harbor Burger Pier 39"]
    );
    assert_eq!(
        names(&sam["user_roles"], "name"),
        ["Outlet Manager", "Staff"]
    );
    assert_eq!(sam["report_roles"], json!([]));
    assert_eq!(sam["default_location"]["number"], "HB-002");
    for key in [
        "id",
        "username",
        "email",
        "first_name",
        "last_name",
        "mobile_number",
        "inactive",
        "all_reports_access",
        "created_at",
        "updated_at",
    ] {
        assert!(sam.get(key).is_some(), "{key}");
    }

    let jules = user(&app, &token, "jules.martin@harbor.example").await;
    assert_eq!(jules["managed_by"], "api");
    assert_eq!(jules["managed_by_brand"]["name"], "Harbor Burger");

    let all_reports = app
        .api_patch(
            &format!("/users/{}", sam["id"].as_str().unwrap()),
            &token,
            json!({"all_reports_access": true}),
        )
        .await;
    assert_eq!(all_reports.status, StatusCode::OK, "{}", all_reports.body);
    assert!(
        all_reports.body.get("report_roles").is_none(),
        "no report roles with all-reports access"
    );
    let got = app
        .api_get(&format!("/users/{}", sam["id"].as_str().unwrap()), &token)
        .await;
    assert_eq!(
        got.body, all_reports.body,
        "GET answers what PATCH answered"
    );

    let roles = app.api_get("/report-roles", &token).await;
    assert_eq!(roles.status, StatusCode::OK);
    let mut report_roles = names(&roles.body["results"], "name");
    report_roles.sort();
    assert_eq!(report_roles, ["Finance", "Food Cost", "Operations"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_list_filters_and_pages() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let harbor_people = app
        .count(
            "SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.slug = 'harbor'",
        )
        .await as usize;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users?page_size=4&cursor={c}"),
            None => "/users?page_size=4".into(),
        };
        let reply = app.api_get(&path, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        seen.extend(names(&reply.body["results"], "email"));
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.into()),
            None => break,
        }
    }
    assert_eq!(seen.len(), harbor_people);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), harbor_people, "every person once");

    let pier = app.outlet_id("HB-001").await;
    let castro = app.outlet_id("ST-002").await;
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "emails, any case",
            format!("emails=LENA.MOREAU@harbor.example,{MANAGER}"),
            vec!["lena.moreau@harbor.example", MANAGER],
        ),
        (
            "brands by name",
            "brands=saltline tacos".into(),
            vec!["ben.osei@saltline.example"],
        ),
        (
            "locations: an outlet connector there, or every location",
            format!("location_ids={castro}"),
            vec![
                ADMIN,
                "dana.whitfield@harbor.example",
                "ellis.park@saltline.example",
                "felix.grant@harbor.example",
                "keanu.akana@saltline.example",
                "payroll.sync@harbor.example",
                "rosa.delgado@saltline.example",
            ],
        ),
        (
            "modified since the future",
            "modified_since=2999-01-01T00:00:00Z".into(),
            vec![],
        ),
    ];
    for (name, query, expected) in cases {
        let reply = app.api_get(&format!("/users?{query}"), &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        let mut got = names(&reply.body["results"], "email");
        got.sort();
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        expected.sort();
        assert_eq!(got, expected, "{name}");
    }

    let before_change = app
        .api_get(&format!("/users?location_ids={pier}"), &token)
        .await;
    let since = before_change.body["results"][0]["updated_at"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let lena = user(&app, &token, "lena.moreau@harbor.example").await;
    let stamp = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let patched = app
        .api_patch(
            &format!("/users/{}", lena["id"].as_str().unwrap()),
            &token,
            json!({"mobile_number": "+1 415 555 0100"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let recent = app
        .api_get(&format!("/users?modified_since={stamp}"), &token)
        .await;
    assert_eq!(
        names(&recent.body["results"], "email"),
        ["lena.moreau@harbor.example"],
        "only the change since {stamp} (older: {since})"
    );

    for (query, field) in [
        ("page_size=251", "page_size"),
        ("location_ids=nope", "location_ids"),
        ("emails=not-an-email", "emails"),
        ("modified_since=yesterday", "modified_since"),
        ("colour=red", "colour"),
    ] {
        let reply = app.api_get(&format!("/users?{query}"), &token).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            reply.body["error"]["fields"][field].is_string(),
            "{query}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.api_get("/users?page_size=250", &token).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_create_answers_200_207_409_or_422_and_each_item_is_all_or_nothing() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let people = || app.count("SELECT COUNT(*) FROM memberships");
    let accounts = || app.count("SELECT COUNT(*) FROM user_accounts");

    let all_ok = app
        .api_post(
            "/users",
            &token,
            json!([app.new_staff("ana.ok").await, app.new_staff("bo.ok").await]),
        )
        .await;
    assert_eq!(all_ok.status, StatusCode::OK, "{}", all_ok.body);
    assert_eq!(all_ok.body["success"].as_array().unwrap().len(), 2);
    assert_eq!(all_ok.body["success"][1]["index"], 1);
    assert_eq!(all_ok.body["success"][1]["username"], "bo.ok");
    assert_eq!(all_ok.body["user_errors"], json!([]));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.created' AND via = 'api'"
        )
        .await,
        2,
        "each created user is an audit event"
    );
    let ana = user(&app, &token, "ana.ok@harbor.example").await;
    assert_eq!(ana["managed_by"], "api");
    assert_eq!(ana["first_name"], "New");
    assert_eq!(names(&ana["locations"], "number"), ["HB-001"]);

    let (before_people, before_accounts) = (people().await, accounts().await);
    let mut bad_role = app.new_staff("cy.bad").await;
    bad_role["user_roles"] = json!([{"id": app.role_id("harbor", "Owner").await}]);
    let some = app
        .api_post(
            "/users",
            &token,
            json!([app.new_staff("cy.ok").await, bad_role]),
        )
        .await;
    assert_eq!(some.status, StatusCode::MULTI_STATUS, "{}", some.body);
    assert_eq!(some.body["user_errors"][0]["index"], 1);
    assert_eq!(some.body["user_errors"][0]["username"], "cy.bad");
    assert_eq!(some.body["user_errors"][0]["code"], "invalid");
    assert!(some.body["user_errors"][0]["fields"]["locations"].is_string());
    assert_eq!(people().await, before_people + 1, "only the good item");
    assert_eq!(
        accounts().await,
        before_accounts + 1,
        "no account for the failed item"
    );

    let mut same_email = app.new_staff("dee.dup").await;
    same_email["email"] = json!("LENA.MOREAU@harbor.example");
    let mut same_username = app.new_staff("lena.moreau").await;
    same_username["email"] = json!("someone.else@harbor.example");
    let duplicates = app
        .api_post("/users", &token, json!([same_email, same_username]))
        .await;
    assert_eq!(
        duplicates.status,
        StatusCode::CONFLICT,
        "{}",
        duplicates.body
    );
    assert_eq!(duplicates.body["user_errors"][0]["code"], "duplicate_email");
    assert_eq!(
        duplicates.body["user_errors"][1]["code"],
        "duplicate_username"
    );

    let mut no_roles = app.new_staff("eve.bad").await;
    no_roles["user_roles"] = json!([]);
    let invalid = app
        .api_post("/users", &token, json!([no_roles, {"username": "x"}, 42]))
        .await;
    assert_eq!(
        invalid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        invalid.body
    );
    assert_eq!(invalid.body["user_errors"].as_array().unwrap().len(), 3);
    assert!(invalid.body["user_errors"][0]["fields"]["user_roles"].is_string());
    assert!(invalid.body["user_errors"][1]["fields"]["email"].is_string());
    assert_eq!(
        people().await,
        before_people + 1,
        "nothing written by failed items"
    );

    for (body, status) in [
        (json!([]), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"username": "x"}), StatusCode::BAD_REQUEST),
        (
            Value::Array(vec![json!({}); 501]),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        assert_eq!(app.api_post("/users", &token, body).await.status, status);
    }
    let viewer = app.api_token("harbor", "Viewer", None).await;
    let refused = app
        .api_post("/users", &viewer, json!([app.new_staff("fay.view").await]))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_managing_brand_is_the_only_brand_or_the_one_given() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let saltline = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Saltline Tacos")
        .await;

    let mut given = app.new_staff("gus.brand").await;
    given["managed_by_brand"] = json!(saltline);
    let reply = app
        .api_post(
            "/users",
            &token,
            json!([app.new_staff("hal.none").await, given]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        user(&app, &token, "hal.none@harbor.example").await["managed_by_brand"],
        Value::Null,
        "two brands and none given: no brand"
    );
    assert_eq!(
        user(&app, &token, "gus.brand@harbor.example").await["managed_by_brand"]["name"],
        "Saltline Tacos"
    );

    // Harbor now owns one brand only: it applies by itself.
    app.exec(
        "UPDATE brands SET owner_organization_id = (SELECT id FROM organizations WHERE slug = 'northside') WHERE name = 'Saltline Tacos'",
    )
    .await;
    let reply = app
        .api_post("/users", &token, json!([app.new_staff("ida.sole").await]))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        user(&app, &token, "ida.sole@harbor.example").await["managed_by_brand"]["name"],
        "Harbor Burger"
    );

    let mut not_owned = app.new_staff("jo.other").await;
    not_owned["managed_by_brand"] = json!(saltline);
    let reply = app.api_post("/users", &token, json!([not_owned])).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body["user_errors"][0]["fields"]["managed_by_brand"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_through_the_api_ends_the_persons_sessions_and_reactivating_lets_them_back() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    app.sign_in_as(MANAGER).await;
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    let morgan = user(&app, &token, MANAGER).await;
    let path = format!("/users/{}", morgan["id"].as_str().unwrap());

    let off = app
        .api_patch(&path, &token, json!({"inactive": true}))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["inactive"], true);
    assert_eq!(
        app.get("/users").await.status(),
        StatusCode::SEE_OTHER,
        "signed out at once"
    );
    let again = app.sign_in(MANAGER, DEMO_PASSWORD).await;
    assert_ne!(again.status(), StatusCode::OK);

    let on = app
        .api_patch(&path, &token, json!({"inactive": false}))
        .await;
    assert_eq!(on.body["inactive"], false);
    app.sign_in_as(MANAGER).await;
    let events = app
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'user.updated' AND via = 'api'")
        .await;
    assert_eq!(events, 2, "each change is an audit event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_roles_and_locations_rewrites_the_connectors() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let viewer = app.role_id("harbor", "Viewer").await;
    let (pier, market) = (app.outlet_id("HB-001").await, app.outlet_id("HB-002").await);
    let lena = user(&app, &token, "lena.moreau@harbor.example").await;
    let path = format!("/users/{}", lena["id"].as_str().unwrap());
    let kept = app.connector_of("lena.moreau@harbor.example").await;

    let two = app
        .api_patch(
            &path,
            &token,
            json!({"locations": [{"id": pier}, {"id": market}]}),
        )
        .await;
    assert_eq!(two.status, StatusCode::OK, "{}", two.body);
    // Sorted by name: Market Street (HB-002), then Pier 39 (HB-001).
    assert_eq!(
        names(&two.body["locations"], "number"),
        ["HB-002", "HB-001"]
    );
    let still_there: i64 = app
        .query("SELECT COUNT(*) FROM user_connectors WHERE id = $1")
        .bind(kept)
        .scalar()
        .await
        .unwrap();
    assert_eq!(still_there, 1, "an unchanged grant keeps its connector");

    let library = app
        .api_patch(
            &path,
            &token,
            json!({"user_roles": [{"id": viewer}], "locations": [], "all_location_access": true}),
        )
        .await;
    assert_eq!(library.status, StatusCode::OK, "{}", library.body);
    assert_eq!(library.body["all_location_access"], true);
    assert_eq!(
        app.query(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id WHERE m.user_id = $1",
        )
        .bind(uuid::Uuid::parse_str(lena["id"].as_str().unwrap()).unwrap())
        .scalar::<i64>()
        .await
        .unwrap(),
        1,
        "one library connector, the outlet ones gone"
    );

    let cases = [
        (json!({"all_location_access": false}), "all_location_access"),
        (
            json!({"user_roles": [{"id": staff}], "all_location_access": true, "locations": [{"id": pier}]}),
            "all_location_access",
        ),
        (
            json!({"user_roles": [{"id": staff}], "locations": []}),
            "locations",
        ),
        (
            json!({"user_roles": [{"id": viewer}], "locations": [{"id": pier}]}),
            "locations",
        ),
        (
            json!({"default_location": app.outlet_id("NS-101").await}),
            "default_location",
        ),
        (
            json!({"user_roles": [{"id": app.role_id("northside", "Staff").await}]}),
            "user_roles",
        ),
    ];
    let before = app.count("SELECT COUNT(*) FROM user_connectors").await;
    for (body, field) in cases {
        let reply = app.api_patch(&path, &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            reply.body["error"]["fields"][field].is_string(),
            "{body}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_connectors").await,
        before,
        "nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_refuses_what_the_caller_may_not_do() {
    let app = spawn_app().await;
    let integration = app.api_token("harbor", "Integration", None).await;
    let pier_manager = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    let viewer = app.api_token("harbor", "Viewer", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    let grace = user(&app, &integration, "grace.kim@harbor.example").await; // Staff at HB-002
    let lena = user(&app, &integration, "lena.moreau@harbor.example").await; // Staff at HB-001
    let owner = user(&app, &integration, ADMIN).await;
    let aiden = user(&app, &northside, "aiden.ross@northside.example").await;
    let at = |u: &Value| format!("/users/{}", u["id"].as_str().unwrap());
    let rename = json!({"first_name": "Changed"});

    /// (case, token, path, body, status, error code)
    type Case<'a> = (&'a str, &'a str, String, Value, StatusCode, Option<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        (
            "outside the outlet",
            &pier_manager,
            at(&grace),
            rename.clone(),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "another organization",
            &northside,
            at(&lena),
            rename.clone(),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "view only",
            &viewer,
            at(&lena),
            rename.clone(),
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            "someone above",
            &pier_manager,
            at(&owner),
            rename.clone(),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "report roles from one outlet",
            &pier_manager,
            at(&lena),
            json!({"all_reports_access": true}),
            StatusCode::FORBIDDEN,
            Some("organization_wide"),
        ),
        (
            "a franchisee's brand-managed person",
            &northside,
            at(&aiden),
            rename.clone(),
            StatusCode::FORBIDDEN,
            Some("managed_through_api"),
        ),
        (
            "a shared account's profile",
            &integration,
            at(&user(&app, &integration, "kai.turner@harbor.example").await),
            rename.clone(),
            StatusCode::FORBIDDEN,
            Some("shared_account"),
        ),
    ];
    let before = app.count("SELECT COUNT(*) FROM audit_events").await;
    for (name, token, path, body, status, code) in cases {
        let reply = app.api_patch(&path, token, body).await;
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        if let Some(code) = code {
            assert_eq!(reply.body["error"]["code"], code, "{name}");
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events").await,
        before,
        "nothing changed"
    );

    let allowed = app
        .api_patch(&at(&lena), &pier_manager, json!({"first_name": "Léna"}))
        .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    assert_eq!(
        app.api_get(&at(&grace), &pier_manager).await.status,
        StatusCode::NOT_FOUND,
        "outside the outlet is absent for reads too"
    );
    // Sam manages Market Street and works at Pier 39: from Pier 39, only Pier 39 shows.
    let sam = user(&app, &pier_manager, "sam.patel@harbor.example").await;
    assert_eq!(
        sam["default_location"],
        Value::Null,
        "another outlet: {sam}"
    );
    assert_eq!(names(&sam["locations"], "number"), ["HB-001"]);
    assert!(
        sam.get("report_roles").is_none(),
        "organization-wide: {sam}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_managed_person_gets_outlets_of_the_brands_franchisees() {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    let harbor_burger = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger")
        .await;
    let trainer = app
        .id_of(
            "SELECT id FROM roles WHERE name = $1",
            "Burger Crew Trainer",
        )
        .await;
    let pier = app.outlet_id("HB-001").await;
    let northgate = app.outlet_id("NS-101").await;
    let mut item = app.new_staff("kim.trainer").await;
    item["user_roles"] = json!([{"id": trainer}]);
    item["managed_by_brand"] = json!(harbor_burger);
    item["external_locations"] = json!([{"id": northgate}]);

    let reply = app.api_post("/users", &harbor, json!([item])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let kim = user(&app, &harbor, "kim.trainer@harbor.example").await;
    assert_eq!(kim["external_locations"][0]["number"], "NS-101");
    assert_eq!(
        kim["external_locations"][0]["organization"],
        "Northside Foods"
    );

    let there = user(&app, &northside, "kim.trainer@harbor.example").await;
    assert_eq!(there["managed_by_brand"]["name"], "Harbor Burger");
    assert_eq!(names(&there["locations"], "number"), ["NS-101"]);
    let locked = app
        .api_patch(
            &format!("/users/{}", there["id"].as_str().unwrap()),
            &northside,
            json!({"first_name": "X"}),
        )
        .await;
    assert_eq!(locked.status, StatusCode::FORBIDDEN);

    let rebrand = app
        .api_patch(
            &format!("/users/{}", kim["id"].as_str().unwrap()),
            &harbor,
            json!({"managed_by_brand": null}),
        )
        .await;
    assert_eq!(rebrand.status, StatusCode::CONFLICT, "{}", rebrand.body);
    assert_eq!(rebrand.body["error"]["code"], "external_locations_held");

    // The owner still manages the person's profile: the franchisee's membership is its own.
    let renamed = app
        .api_patch(
            &format!("/users/{}", kim["id"].as_str().unwrap()),
            &harbor,
            json!({"last_name": "Trainer", "external_locations": []}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert!(renamed.body.get("external_locations").is_none());
    let gone = user(&app, &northside, "kim.trainer@harbor.example").await;
    assert_eq!(
        gone["locations"],
        json!([]),
        "no access left at the franchisee"
    );

    let mut not_franchise = app.new_staff("lou.trainer").await;
    not_franchise["user_roles"] = json!([{"id": trainer}]);
    not_franchise["managed_by_brand"] = json!(harbor_burger);
    not_franchise["external_locations"] = json!([{"id": pier}]);
    let reply = app
        .api_post("/users", &harbor, json!([not_franchise]))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body["user_errors"][0]["fields"]["external_locations"].is_string());
}

/// A page deep in the users list reads the accounts from its cursor on, however the database
/// joins them to the members. PostgreSQL carries only equalities across a join: merge-joining
/// them, as it chose at 200,000 people, it read every account before the cursor when the
/// bound was on the member alone (50,000 deep: 16 ms of a 20 ms page). Here it is made to
/// merge-join (no sequential scans, nested loops or hash joins).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_page_of_users_reads_the_accounts_from_its_cursor_on() {
    use brigade::domain::Scope;
    use brigade::domain::paging::PageRequest;
    use brigade::domain::user_commands::UserFilter;
    let app = spawn_app().await;
    let org = app.organization("harbor").await;
    let page = PageRequest {
        size: 5,
        after: Some(app.user_id(MANAGER).await),
    };
    let mut conn = app
        .planner_conn(&["enable_seqscan", "enable_nestloop", "enable_hashjoin"])
        .await;
    let plan = app.plan(
        brigade::store::users::explain_list(
            &mut conn,
            org,
            &Scope::Organization,
            &UserFilter::default(),
            &page,
        )
        .await
        .unwrap(),
    );
    let reads: Vec<usize> = plan
        .lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.contains(" on user_accounts a ") || line.contains(" a USING "))
        .map(|(at, _)| at)
        .collect();
    assert!(!reads.is_empty(), "{plan:?}");
    for at in reads {
        let bounded = match app.backend() {
            // SQLite: a search of the accounts by key, never a scan.
            brigade::store::Backend::Sqlite => plan.lines[at].starts_with("SEARCH a "),
            // PostgreSQL: the step's own details (before the next step) hold an index
            // condition on the account's key.
            brigade::store::Backend::Postgres => plan.lines[at + 1..]
                .iter()
                .take_while(|line| !line.trim_start().starts_with("->"))
                .any(|line| line.contains("Index Cond: (id ")),
        };
        assert!(bounded, "{}: {plan:?}", plan.lines[at]);
    }
}
