//! The access report (who reaches which outlet, with what role, through what) and the CSV
//! exports of it and of the people list, streamed page by page.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The emails in a page of the report.
fn emails(page: &Value) -> Vec<String> {
    let mut emails: Vec<String> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"]["email"].as_str().unwrap().to_string())
        .collect();
    emails.sort();
    emails.dedup();
    emails
}

/// A CSV download's status, content type and rows (header first).
async fn download(app: &TestApp, path: &str) -> (StatusCode, String, Vec<Vec<String>>) {
    let response = app.get(path).await;
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let rows = csv_rows(&text);
    (status, kind, rows)
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_shows_who_reaches_an_outlet_directly_through_a_group_or_everywhere() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let mission = app.outlet_id("HB-003").await;
    let group = app
        .api_post(
            "/outlet-groups",
            &token,
            json!({"name": "Mission district", "outlets": [mission]}),
        )
        .await;
    let group = group.body["id"].as_str().unwrap().to_string();
    let granted = app
        .api_post(
            "/user-connectors",
            &token,
            json!({"email": MANAGER, "role": app.role_id("harbor", "Outlet Manager").await, "outlet_group": group}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    // Ivy (Staff at Mission) leaves: a deactivated person reaches nothing.
    let ivy = app.user_id("ivy.chen@harbor.example").await;
    let gone = app
        .api_patch(&format!("/users/{ivy}"), &token, json!({"inactive": true}))
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);

    app.sign_in_as(ADMIN).await;
    let (status, page) = app
        .rpc(
            "access_report",
            &[("query[outlet_id]", "HB-003"), ("query[page_size]", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let reached = emails(&page);
    for who in [
        "tomas.silva@harbor.example", // at the outlet
        "omar.haddad@harbor.example", // at the outlet (and elsewhere)
        MANAGER,                      // through the group
        ADMIN,                        // across the organization
        "felix.grant@harbor.example", // across the organization
    ] {
        assert!(reached.contains(&who.to_string()), "{who} in {reached:?}");
    }
    for who in [
        "ivy.chen@harbor.example",    // deactivated
        "lena.moreau@harbor.example", // Pier 39 only
        "grace.kim@harbor.example",   // Market Street only
    ] {
        assert!(!reached.contains(&who.to_string()), "{who} in {reached:?}");
    }
    // The group filter: the grants through it.
    let (_, through) = app
        .rpc(
            "access_report",
            &[("query[outlet_group_id]", group.as_str())],
        )
        .await;
    assert_eq!(emails(&through), [MANAGER]);

    // The whole report as CSV: the same rows for the same filter, one per grant.
    let (status, kind, rows) = download(&app, "/exports/access.csv?outlet_id=HB-003").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(
        rows[0],
        [
            "name",
            "email",
            "role",
            "role_type",
            "where",
            "through",
            "starts_at",
            "ends_at"
        ]
    );
    let mut csv_emails: Vec<String> = rows[1..].iter().map(|r| r[1].clone()).collect();
    csv_emails.sort();
    csv_emails.dedup();
    assert_eq!(csv_emails, reached);
    let morgan_row = rows.iter().find(|r| r[1] == MANAGER).unwrap();
    assert_eq!(morgan_row[4..6], ["Mission district", "outlet group"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_refused_to_whoever_may_not_see_them_and_cover_only_their_reach() {
    let app = spawn_app().await;
    // Nobody: the sign-in page.
    let anonymous = app.get("/exports/people.csv").await;
    assert!(
        anonymous.status().is_redirection(),
        "{}",
        anonymous.status()
    );
    let location = anonymous.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login?next="), "{location}");
    // A cook (no console permission): 403 for both.
    app.give_password("lena.moreau@harbor.example").await;
    let cook = spawn_on(&app.database_url, &app.dir).await;
    cook.sign_in_as("lena.moreau@harbor.example").await;
    for path in ["/exports/people.csv", "/exports/access.csv"] {
        assert_eq!(
            cook.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The outlet manager: only people at Pier 39, never another organization's.
    app.sign_in_as(MANAGER).await;
    let (status, _, rows) = download(&app, "/exports/people.csv").await;
    assert_eq!(status, StatusCode::OK);
    let emails: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    assert!(emails.contains(&"lena.moreau@harbor.example"), "{emails:?}");
    assert!(!emails.contains(&"grace.kim@harbor.example"), "{emails:?}");
    assert!(
        !emails.iter().any(|e| e.ends_with("@northside.example")),
        "{emails:?}"
    );
    let (status, _, rows) = download(&app, "/exports/access.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[4] == "Harbor Burger Pier 39 (HB-001)"),
        "{rows:?}"
    );
    // A bad filter is a 4xx with its field, never a half-written file.
    let (status, ..) = download(&app, "/exports/people.csv?sign_in=soon").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_export_pages_through_everyone_with_their_roles_places_and_last_sign_in() {
    let app = spawn_app().await;
    // More people than one page of the export (500), through the API's bulk create.
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let pier = app.outlet_id("HB-001").await;
    for batch in 0..6 {
        let people: Vec<Value> = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                json!({"username": format!("cook{n}"), "email": format!("cook{n}@harbor.example"),
                       "first_name": "Cook", "last_name": format!("Number {n:03}"),
                       "locations": [{"id": pier}], "default_location": {"id": pier},
                       "user_roles": [{"id": staff}]})
            })
            .collect();
        let made = app.api_post("/users", &token, json!(people)).await;
        assert!(made.status.is_success(), "{}", made.body);
    }
    app.sign_in_as(ADMIN).await;
    let (status, kind, rows) = download(&app, "/exports/people.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"));
    assert_eq!(
        rows[0],
        [
            "first_name",
            "last_name",
            "email",
            "status",
            "managed_by",
            "roles",
            "whole_organization",
            "outlets",
            "outlet_groups",
            "last_signed_in_at"
        ]
    );
    let people: i64 = app
        .query("SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.slug = 'harbor'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(
        rows.len() as i64 - 1,
        people,
        "every member once, across pages"
    );
    let mut emails: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len() as i64, people, "no one twice");
    let cook = rows
        .iter()
        .find(|r| r[2] == "cook7@harbor.example")
        .unwrap();
    assert_eq!(
        cook[3..8],
        [
            "active",
            "api",
            "Staff",
            "no",
            "Harbor Burger Pier 39 (HB-001)"
        ]
    );
    let admin = rows.iter().find(|r| r[2] == ADMIN).unwrap();
    assert_eq!(admin[6], "yes");
    assert!(!admin[9].is_empty(), "the admin signed in: {admin:?}");
}
