//! The people list and a person's record: scope, search, paging, 404 outside scope.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_sees_everyone_in_their_organization_only() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let emails = app.people_emails("").await;
    assert_eq!(emails.len(), 20, "{emails:?}");
    assert!(
        emails.contains(&"quinn.former@harbor.example".to_string()),
        "inactive people are listed"
    );
    assert!(!emails.iter().any(|e| e.ends_with("@northside.example")));

    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let emails = northside.people_emails("").await;
    assert_eq!(emails.len(), 10, "{emails:?}");
    assert!(
        emails.contains(&ADMIN.to_string()),
        "the admin is also a Northside member"
    );
    assert!(!emails.contains(&"dana.whitfield@harbor.example".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outlet_manager_sees_only_people_connected_to_their_outlet() {
    let app = spawn_app().await;
    app.sign_in_as(MANAGER).await;
    assert_eq!(
        app.people_emails("").await,
        [
            "jules.martin@harbor.example",
            "lena.moreau@harbor.example",
            MANAGER,
            "omar.haddad@harbor.example",
            "quinn.former@harbor.example",
            "sam.patel@harbor.example",
        ]
    );
    // Only roles held at their outlet show: Sam manages another outlet, which is not theirs to see.
    let (_, body) = app
        .rpc("list_people", &[("search", "sam"), ("page", "1")])
        .await;
    assert_eq!(body["rows"][0]["roles"], serde_json::json!(["Staff"]));

    let (status, html) = app.page("/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lena.moreau@harbor.example"));
    assert!(
        !html.contains("grace.kim@harbor.example"),
        "other outlets' people are not rendered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_matches_name_email_and_username_fragments_case_insensitively() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    assert_eq!(
        app.people_emails("MOREAU").await,
        ["lena.moreau@harbor.example"]
    );
    assert_eq!(app.people_emails("saltline.ex").await.len(), 5);
    assert_eq!(
        app.people_emails("Grace K").await,
        ["grace.kim@harbor.example"]
    );
    assert!(
        app.people_emails("%").await.is_empty(),
        "LIKE wildcards are matched literally"
    );

    let (status, html) = app.page("/users?q=moreau").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lena.moreau@harbor.example"));
    assert!(
        !html.contains("grace.kim@harbor.example"),
        "the plain GET form filters on the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_is_paged() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (_, first) = app.rpc("list_people", &[("search", "")]).await;
    let after = first["next"].as_str().expect("a next page").to_string();
    let (_, second) = app
        .rpc("list_people", &[("search", ""), ("after", &after)])
        .await;
    assert_eq!(first["total"], 20);
    assert_eq!(first["total_capped"], false);
    assert_eq!(first["rows"].as_array().unwrap().len(), 15);
    assert_eq!(second["rows"].as_array().unwrap().len(), 5);
    assert_eq!(second["next"], serde_json::Value::Null, "the last page");
    assert_eq!(second["later"], true);
    // One order across the pages: by last name, first name and email as the organization sees them.
    let key = |row: &serde_json::Value| {
        let name = row["name"].as_str().unwrap().to_lowercase();
        let mut words: Vec<&str> = name.split(' ').collect();
        let last = words.pop().unwrap_or_default().to_string();
        (
            last,
            words.join(" "),
            row["email"].as_str().unwrap().to_lowercase(),
        )
    };
    let keys: Vec<_> = first["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["rows"].as_array().unwrap())
        .map(key)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let (_, html) = app.page(&format!("/users?after={after}")).await;
    assert!(html.contains("Showing 5 of 20 people"), "{html}");
    assert!(html.contains("First page"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_shows_details_connectors_report_roles_and_brand() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let jules = app.user_id("jules.martin@harbor.example").await;
    let (status, html) = app.page(&format!("/users/{jules}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("User managed by Harbor Burger"));
    assert!(html.contains("Harbor Burger Pier 39"));
    // The list says it too, wherever the person appears.
    let (_, list) = app.page("/users?q=jules").await;
    assert!(list.contains("User managed by Harbor Burger"), "{list}");
    let (_, access) = app
        .rpc("list_connectors", &[("query[email]", "jules.martin")])
        .await;
    assert_eq!(access["results"][0]["managed_by_brand"], "Harbor Burger");

    let admin = app.user_id(ADMIN).await;
    let (_, record) = app.rpc("get_person", &[("id", &admin.to_string())]).await;
    assert_eq!(
        record["organization_details"]["report_roles"],
        serde_json::json!(["Finance", "Operations"])
    );
    assert_eq!(record["connectors"][0]["connector_type"], "L");
    assert_eq!(record["connectors"][0]["role"], "Owner");
    assert!(record.get("password_hash").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_outside_the_callers_scope_is_not_found() {
    let app = spawn_app().await;
    app.sign_in_as(MANAGER).await;
    let grace = app.user_id("grace.kim@harbor.example").await; // works at another outlet
    let (status, html) = app.page(&format!("/users/{grace}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("grace.kim@harbor.example"));
    let jordan = app.user_id("jordan.blake@northside.example").await; // another organization
    assert_eq!(
        app.page(&format!("/users/{jordan}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.page("/users/not-a-uuid").await.0, StatusCode::NOT_FOUND);

    let sam = app.user_id("sam.patel@harbor.example").await;
    let (status, record) = app.rpc("get_person", &[("id", &sam.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let scopes: Vec<_> = record["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["outlet"].clone())
        .collect();
    assert_eq!(
        scopes,
        [serde_json::json!("Harbor Burger Pier 39")],
        "connectors elsewhere stay hidden"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_without_view_people_is_refused() {
    let app = spawn_app().await;
    // Lena is Staff (no permissions); give her a password to sign in.
    app.query("UPDATE user_accounts SET password_hash = (SELECT password_hash FROM user_accounts WHERE email = $1) WHERE email = 'lena.moreau@harbor.example'")
        .bind(ADMIN)
        .execute()
        .await
        .unwrap();
    app.sign_in_as("lena.moreau@harbor.example").await;
    let (status, _) = app
        .rpc("list_people", &[("search", ""), ("page", "1")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.page("/users").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_shows_only_what_lies_within_the_viewers_reach() {
    let app = spawn_app().await;
    // Sam manages Market Street (his default outlet) and works as Staff at Pier 39.
    let sam = app.user_id("sam.patel@harbor.example").await.to_string();
    app.sign_in_as(ADMIN).await;
    let (_, whole) = app.rpc("get_person", &[("id", &sam)]).await;
    assert_eq!(whole["default_outlet"], "Harbor Burger Market Street");
    assert!(whole["organization_details"].is_object(), "{whole}");

    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (status, pier) = manager.rpc("get_person", &[("id", &sam)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pier["default_outlet"].is_null(), "another outlet: {pier}");
    assert!(
        pier["organization_details"].is_null(),
        "organization-wide settings: {pier}"
    );
    let (_, html) = manager.page(&format!("/users/{sam}")).await;
    for hidden in ["Market Street", "Report roles"] {
        let at = html
            .find(hidden)
            .map(|i| &html[i.saturating_sub(300)..i + 50]);
        assert!(at.is_none(), "{hidden}: {at:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_list_reads_its_page_in_order_from_the_sort_index() {
    use brigade::domain::Scope;
    use brigade::domain::user_commands::PeopleSelection;
    let app = spawn_app().await;
    let org = app.organization("harbor").await;
    let mut conn = app.plan_conn().await;
    let plan = app.plan(
        brigade::store::people::explain_list(
            &mut conn,
            org,
            &Scope::Organization,
            &PeopleSelection::default(),
        )
        .await
        .unwrap(),
    );
    assert!(
        plan.uses("memberships_org_sort") && !plan.sorts(),
        "no member is sorted to show a page: {plan:?}"
    );
}
