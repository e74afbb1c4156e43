//! The console at restaurant-group size: pages stay small at 2,000 outlets and 200 districts
//! because outlets and outlet groups are picked by typing (suggestions from the server, twenty
//! at most) rather than listed in full; a picker's text (a number or a "Name (NUMBER)" label,
//! a group's name) names the outlet or the group on the server.

use reqwest::StatusCode;

use crate::helpers::*;

/// The largest console page at this size, in bytes of HTML.
const PAGE_LIMIT: usize = 150 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_page_stays_small_at_two_thousand_outlets() {
    let app = spawn_app().await;
    app.generated(&[
        "--slug",
        "vast",
        "--outlets",
        "2000",
        "--people",
        "1200",
        "--connectors",
        "3000",
        "--owner-password",
        "a-long-password",
    ]);
    let response = app.sign_in("owner@vast.example", "a-long-password").await;
    assert_eq!(response.status(), StatusCode::OK);
    // A region holding every outlet of the organization.
    let vast = app.organization("vast").await.0;
    // Made on 2026-01-01, before the districts synth made: first in the list of groups.
    let region = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        1_767_225_600,
        0,
    ));
    app.query(
        "INSERT INTO outlet_groups (id, organization_id, name, created_at, updated_at)
         VALUES ($1, $2, 'All outlets', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
    )
    .bind(region)
    .bind(vast)
    .execute()
    .await
    .unwrap();
    app.query(
        "INSERT INTO outlet_group_outlets (group_id, outlet_id, organization_id)
         SELECT $1, id, organization_id FROM outlets WHERE organization_id = $2",
    )
    .bind(region)
    .bind(vast)
    .execute()
    .await
    .unwrap();
    let pages = [
        ("/connectors", "Add user"),
        ("/outlets", "1800 outlets"), // the franchisee runs the other 200
        ("/me", "All 1800 outlets of the organization"),
        ("/users", "Showing 15 of more than 1000 people"), // counted no further
        ("/settings", "Franchise Partners"),
        ("/security", "User roles"),
        ("/security?tab=clients", "API clients"),
        ("/outlet-groups", "1800 outlets"),
        ("/reports/access", "access-report"),
    ];
    let person = app
        .id_of(
            "SELECT a.id FROM user_accounts a JOIN memberships m ON m.user_id = a.id
             WHERE a.email LIKE $1 AND a.email NOT LIKE 'owner@%' AND m.managed_by = 'console'
               AND m.status = 'active' LIMIT 1",
            "%@vast.example",
        )
        .await;
    // The record's edit section loads after the page: its data stays small too.
    let (status, editing) = app
        .rpc("person_editing", &[("id", person.to_string().as_str())])
        .await;
    assert_eq!(status, StatusCode::OK, "{editing}");
    let size = editing.to_string().len();
    assert!(size <= 20 * 1024, "the edit section's data is {size} bytes");
    let record = format!("/users/{person}");
    let mut pages = pages.to_vec();
    pages.push((record.as_str(), "access-heading"));
    for (path, whole) in pages {
        let (status, page) = app.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            page.contains(whole),
            "{path} is whole: {}",
            page.find("<caption")
                .and_then(|at| page.get(at..at + 120))
                .or_else(|| page.find("<main").and_then(|at| page.get(at..at + 1500)))
                .unwrap_or("no caption")
        );
        assert!(
            page.len() <= PAGE_LIMIT,
            "{path} is {} bytes at 2,000 outlets",
            page.len()
        );
        // Nor does a page grow with the groups: they, too, are picked by typing. (The 200
        // districts listed once in the HTML and once in the hydration data would be 400;
        // `/outlet-groups` shows ten groups a page.)
        let districts = page.matches("District ").count();
        assert!(
            path == "/outlet-groups" || districts < 100,
            "{path} names a district {districts} times"
        );
    }

    // The outlets page pages by name, 25 at a time, and finds by name or number.
    let (_, first) = app.rpc("outlets_page", &[]).await;
    assert_eq!(first["total"], 1800);
    let next = first["next"].as_str().unwrap().to_string();
    let (_, second) = app.rpc("outlets_page", &[("after", next.as_str())]).await;
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["outlets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_lowercase())
            .collect()
    };
    let (a, b) = (names(&first), names(&second));
    assert_eq!((a.len(), b.len()), (25, 25));
    assert!(
        a.last().unwrap() <= b.first().unwrap(),
        "pages follow each other by name"
    );
    let (_, found) = app.rpc("outlets_page", &[("search", "ta-0120")]).await;
    let expected = app
        .count(
            "SELECT COUNT(*) FROM outlets o JOIN organizations g ON g.id = o.organization_id
             WHERE g.slug = 'vast' AND lower(o.number) LIKE '%ta-0120%'",
        )
        .await;
    assert!(expected > 0);
    assert_eq!(found["total"], expected, "{found}");
    let (status, found) = app
        .rpc(
            "outlet_choices",
            &[("search", "downtown"), ("managing", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 20, "twenty suggestions at most");
    assert!(
        found
            .iter()
            .all(|label| label.as_str().unwrap().contains("Downtown"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pickers_text_names_an_outlet_of_the_callers_organization_only() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let add = |outlet: &'static str| {
        [
            ("email", "pat.picker@harbor.example"),
            ("first_name", "Pat"),
            ("last_name", "Picker"),
            ("role", "ROLE"),
            ("outlet", outlet),
        ]
    };
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let with_role = |mut form: [(&'static str, &'static str); 5]| {
        let mut form: Vec<(&str, &str)> = form.iter_mut().map(|(k, v)| (*k, *v)).collect();
        form[3].1 = staff.as_str();
        form
    };
    let cases = [
        ("XX-999", StatusCode::UNPROCESSABLE_ENTITY),
        ("NS-101", StatusCode::UNPROCESSABLE_ENTITY), // Northside's: not an outlet of Harbor
        ("Harbor Burger Pier 39 (hb-001)", StatusCode::OK),
    ];
    for (outlet, expected) in cases {
        let (status, body) = app.rpc("add_connector", &with_role(add(outlet))).await;
        assert_eq!(status, expected, "{outlet}: {body}");
        if expected == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(
                body["Invalid"]["fields"]["outlet"]
                    .as_str()
                    .unwrap()
                    .starts_with("No outlet has the number"),
                "{body}"
            );
        } else {
            assert_eq!(body["connector"]["outlet"]["number"], "HB-001", "{body}");
        }
    }
    let connector = app
        .connector_of("pat.picker@harbor.example")
        .await
        .to_string();
    let (status, moved) = app
        .rpc(
            "change_connector",
            &[("id", connector.as_str()), ("outlet", "HB-003")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["outlet"]["number"], "HB-003");

    let (status, page) = app
        .rpc(
            "list_connectors",
            &[("query[outlet_id]", "Harbor Burger Mission (HB-003)")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let results = page["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|r| r["connector"]["outlet"]["number"] == "HB-003"),
        "{page}"
    );

    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (_, offered) = manager
        .rpc("outlet_choices", &[("search", ""), ("managing", "true")])
        .await;
    assert_eq!(
        offered,
        serde_json::json!(["Harbor Burger Pier 39 (HB-001)"]),
        "an outlet manager is offered their outlet only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_gets_a_location_and_a_default_outlet_picked_by_number_or_label() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let lena = app.user_id("lena.moreau@harbor.example").await.to_string();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let pier = app.outlet_id("HB-001").await.to_string();
    let form = |add: &'static str, default: &'static str| {
        vec![
            ("id", lena.clone()),
            ("access_shown", "1".to_string()),
            ("user_roles[]", staff.clone()),
            ("locations[]", pier.clone()),
            ("add_location", add.to_string()),
            ("default_location", default.to_string()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.rpc("update_person", &borrowed).await
        }
    };
    let (status, body) = send(form("XX-404", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["Invalid"]["fields"]["locations"].is_string(), "{body}");
    let (status, body) = send(form("hb-002", "Harbor Burger Market St (HB-002)")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let numbers: Vec<&str> = body["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap())
        .collect();
    let mut numbers = numbers;
    numbers.sort();
    assert_eq!(numbers, ["HB-001", "HB-002"]);
    assert_eq!(body["default_location"]["number"], "HB-002");
}
