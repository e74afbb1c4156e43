//! Day one: an empty install opens only through its one-time setup link, which creates the
//! first organization (with its Owner role) and its owner, then closes for good.

use crate::helpers::*;
use brigade::service::setup;
use reqwest::StatusCode;

fn fields<'a>(token: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("token", token),
        ("name", "Harbor Kitchen Group"),
        ("slug", "harbor"),
        ("kind", "corporate"),
        ("time_zone", "America/Los_Angeles"),
        ("email", "avery@harbor.example"),
        ("first_name", "Avery"),
        ("last_name", "Lindqvist"),
        ("password", "a-long-password"),
        ("confirmation", "a-long-password"),
    ];
    for (name, value) in overrides {
        form.retain(|(n, _)| n != name);
        form.push((name, value));
    }
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_link_creates_the_first_organization_and_owner_then_closes() {
    let app = spawn_empty().await;
    let stale = setup::open_setup(&app.context).await.unwrap().unwrap();
    let token = setup::open_setup(&app.context).await.unwrap().unwrap();
    assert_eq!(
        app.page(&format!("/setup/{stale}")).await.0,
        StatusCode::NOT_FOUND,
        "a new start replaces an unused link"
    );
    assert_eq!(
        app.page("/setup/not-the-token").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, html) = app.page(&format!("/setup/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Create organization"));

    let cases = [
        ("slug", "Harbor Kitchen!"),
        ("time_zone", "Mars/Olympus"),
        ("kind", "franchisee"),
        ("password", "short"),
    ];
    for (field, value) in cases {
        let (status, body) = app
            .rpc("complete_setup", &fields(&token, &[(field, value)]))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["Invalid"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organizations").await,
        0,
        "nothing written"
    );

    let response = app
        .client
        .post(app.url("/rpc/complete_setup"))
        .header("Accept", "application/json")
        .form(&fields(&token, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/users");
    let (status, html) = app.page("/users").await;
    assert_eq!(status, StatusCode::OK, "the owner is signed in");
    assert!(html.contains("Avery Lindqvist"));
    let zone: String = app
        .query("SELECT time_zone FROM organizations WHERE slug = 'harbor'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(zone, "America/Los_Angeles");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM roles").await,
        1,
        "one role: Owner"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'organization.created'")
            .await,
        1
    );

    assert_eq!(
        app.page(&format!("/setup/{token}")).await.0,
        StatusCode::NOT_FOUND,
        "closed for good"
    );
    let (status, _) = app
        .rpc("complete_setup", &fields(&token, &[("slug", "other")]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        setup::open_setup(&app.context).await.unwrap().is_none(),
        "no new link once set up"
    );
    let fresh = spawn_on(&app.database_url, &app.dir).await;
    assert_eq!(
        fresh
            .sign_in("avery@harbor.example", "a-long-password")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_with_data_has_no_setup_page() {
    let app = spawn_app().await;
    assert!(setup::open_setup(&app.context).await.unwrap().is_none());
    assert_eq!(app.page("/setup/anything").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_changes_the_name_and_time_zone_but_never_the_slug() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (status, body) = app
        .rpc(
            "save_organization_settings",
            &[
                ("name", "Harbor Kitchens"),
                ("time_zone", "europe/brussels"),
                ("slug", "other"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["time_zone"], "Europe/Brussels");
    assert_eq!(body["slug"], "harbor", "a slug sent along changes nothing");
    for (field, value) in [("name", " "), ("time_zone", "Europe/Atlantis")] {
        let mut form = vec![("name", "Harbor Kitchens"), ("time_zone", "UTC")];
        form.retain(|(n, _)| *n != field);
        form.push((field, value));
        let (status, body) = app.rpc("save_organization_settings", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["Invalid"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'organization.updated'")
            .await,
        1
    );
    let (status, html) = app.page("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Harbor Kitchens"));

    app.give_password("dana.whitfield@harbor.example").await;
    let dana = spawn_on(&app.database_url, &app.dir).await;
    dana.sign_in_as("dana.whitfield@harbor.example").await; // Area Manager
    let (status, _) = dana
        .rpc(
            "save_organization_settings",
            &[("name", "Mine"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let (_, theirs) = northside.rpc("organization_settings", &[]).await;
    assert_eq!(
        theirs["name"], "Northside Foods",
        "each organization its own settings"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corporate_owner_creates_and_renames_brands_a_franchisee_only_sees_its_own() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (status, created) = app
        .rpc("save_brand", &[("id", ""), ("name", "Pier Noodles")])
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["brand"]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .rpc("save_brand", &[("id", ""), ("name", "harbor burger")])
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "brand names are unique per owner"
    );
    let (status, renamed) = app
        .rpc("save_brand", &[("id", &id), ("name", "Pier Ramen")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["brand"]["name"], "Pier Ramen");
    let (status, body) = app.rpc("save_brand", &[("id", ""), ("name", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('brand.created', 'brand.renamed')"
        )
        .await,
        2
    );

    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let (_, brands) = northside.rpc("organization_brands", &[]).await;
    let brands = &brands["brands"];
    assert_eq!(brands.as_array().unwrap().len(), 1);
    assert_eq!(brands[0]["brand"]["name"], "Harbor Burger");
    assert_eq!(brands[0]["managed_by"], "Harbor Kitchen Group");
    let harbor_burger = brands[0]["brand"]["id"].as_str().unwrap().to_string();
    let (status, body) = northside
        .rpc("save_brand", &[("id", &harbor_burger), ("name", "Mine")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = northside
        .rpc("save_brand", &[("id", ""), ("name", "Northside Wings")])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a franchisee creates no brand: {body}"
    );
    let (status, _) = northside
        .rpc("save_brand", &[("id", &id), ("name", "Stolen")])
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organization's brand is absent"
    );
}

/// `add_franchisee` for Harbor Burger with this slug.
async fn add_franchisee(app: &TestApp, brand: &str, slug: &str) -> (StatusCode, serde_json::Value) {
    app.rpc(
        "add_franchisee",
        &[
            ("brand", brand),
            ("name", "Pier Burgers LLC"),
            ("slug", slug),
            ("owner_email", "owner@pierburgers.example"),
            ("time_zone", "America/Los_Angeles"),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corporate_owner_adds_a_franchisee_whose_owner_is_invited_and_sees_the_brand() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let brand = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger")
        .await
        .to_string();
    let (status, body) = add_franchisee(&app, &brand, "Pier Burgers!").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = add_franchisee(&app, &brand, "pier-burgers").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        app.outbox()
            .iter()
            .any(|m| m.contains("To: owner@pierburgers.example")),
        "the owner is invited"
    );
    let linked = app
        .count(
            "SELECT COUNT(*) FROM franchisee_brands f JOIN organizations o ON o.id = f.organization_id
             WHERE o.slug = 'pier-burgers' AND o.kind = 'franchisee'",
        )
        .await;
    assert_eq!(linked, 1);
    let token = app.api_token("pier-burgers", "Owner", None).await;
    let roles = app.api_get("/user-roles?type=O", &token).await;
    assert!(
        roles.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Burger Crew Trainer"),
        "the franchisee is offered the brand's roles: {}",
        roles.body
    );

    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let (status, _) = add_franchisee(&northside, &brand, "other-burgers").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the brand's owner adds its franchisees"
    );
}
