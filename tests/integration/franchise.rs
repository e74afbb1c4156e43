//! Brands and franchisees: inviting an existing organization (its settings managers accept or
//! decline in the console) and unlinking a franchisee, which ends what the link gave there and
//! nothing else.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use brigade::domain::model::Via;
use brigade::domain::organization::OrganizationForm;
use brigade::store::audit::Actor;

/// An existing organization of `kind` whose owner (`owner@<slug>.example`) can sign in.
async fn existing_organization(app: &TestApp, name: &str, slug: &str, kind: &str) -> String {
    let owner = format!("owner@{slug}.example");
    let new = OrganizationForm {
        name: name.into(),
        slug: slug.into(),
        kind: kind.into(),
        time_zone: "UTC".into(),
        email: owner.clone(),
        first_name: "Olive".into(),
        last_name: "Owner".into(),
        password: None,
    }
    .parse(&[
        brigade::domain::model::OrganizationKind::Corporate,
        brigade::domain::model::OrganizationKind::Independent,
        brigade::domain::model::OrganizationKind::Franchisee,
    ])
    .unwrap();
    let mut work = app.context.begin().await.unwrap();
    let actor = Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    brigade::service::setup::create_organization(&mut work, actor, &new)
        .await
        .unwrap();
    work.commit().await.unwrap();
    app.give_password(&owner).await;
    owner
}

async fn brand_id(app: &TestApp, name: &str) -> String {
    app.id_of("SELECT id FROM brands WHERE name = $1", name)
        .await
        .to_string()
}

/// The franchisees and open invitations of the caller's brand `brand` (an id), as the settings
/// page shows them.
async fn franchise_of(app: &TestApp, brand: &str) -> Value {
    let (status, page) = app.rpc("organization_brands", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["brands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|card| card["brand"]["id"] == brand)
        .map(|card| card["franchise"].clone())
        .expect("the brand is listed")
}

/// Another browser on the same database, signed in as `email`.
async fn signed_in(app: &TestApp, email: &str) -> TestApp {
    let other = spawn_on(&app.database_url, &app.dir).await;
    other.sign_in_as(email).await;
    other
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_independent_organization_accepts_in_the_console_and_runs_the_brand() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let owner = existing_organization(&app, "Pier Tacos", "pier-tacos", "independent").await;
    let brand = brand_id(&app, "Harbor Burger").await;

    let (status, invited) = app
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", " Pier-Tacos ")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{invited}");
    assert_eq!(invited["invitee"], "Pier Tacos");
    assert!(
        app.outbox()
            .iter()
            .any(|m| m.contains(&format!("To: {owner}")) && m.contains("/settings")),
        "the invitee's settings managers are told by mail"
    );
    let (status, again) = app
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["Conflict"]["code"], "already_invited");
    let listed = franchise_of(&app, &brand).await;
    assert_eq!(listed["invited"][0]["invitee_slug"], "pier-tacos");

    let pier = signed_in(&app, &owner).await;
    let (status, received) = pier.rpc("franchise_invitations", &[]).await;
    assert_eq!(status, StatusCode::OK, "{received}");
    assert_eq!(received[0]["brand"]["name"], "Harbor Burger");
    assert_eq!(received[0]["inviter"], "Harbor Kitchen Group");
    let id = received[0]["id"].as_str().unwrap().to_string();

    let northside = signed_in(&app, NORTHSIDE_OWNER).await;
    let (_, none) = northside.rpc("franchise_invitations", &[]).await;
    assert_eq!(
        none,
        json!([]),
        "another organization sees no invitation of Pier Tacos"
    );
    let (status, _) = northside
        .rpc("answer_invitation", &[("id", &id), ("answer", "accept")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nor answers it");
    let (status, body) = pier
        .rpc("answer_invitation", &[("id", &id), ("answer", "maybe")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, body) = pier
        .rpc("answer_invitation", &[("id", &id), ("answer", "accept")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, brands) = pier.rpc("organization_brands", &[]).await;
    assert_eq!(brands["brands"][0]["brand"]["name"], "Harbor Burger");
    assert_eq!(brands["brands"][0]["managed_by"], "Harbor Kitchen Group");
    assert_eq!(
        brands["brands"][0]["franchise"],
        Value::Null,
        "no franchisees of another's brand"
    );
    assert_eq!(brands["corporate"], false);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM organizations WHERE slug = 'pier-tacos' AND kind = 'franchisee'"
        )
        .await,
        1,
        "an independent operator that accepts becomes a franchisee"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'brand.franchisee_joined'")
            .await,
        2,
        "both organizations record it"
    );
    let (status, _) = pier
        .rpc("answer_invitation", &[("id", &id), ("answer", "decline")])
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an answered invitation is closed"
    );
    let listed = franchise_of(&app, &brand).await;
    let names: Vec<&str> = listed["franchisees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Northside Foods", "Pier Tacos"]);
    let (status, linked) = app
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(linked["Conflict"]["code"], "already_linked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_brands_owner_invites_another_non_corporate_organization_and_may_withdraw() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    existing_organization(&app, "Big Group", "big-group", "corporate").await;
    let owner = existing_organization(&app, "Pier Tacos", "pier-tacos", "independent").await;
    let brand = brand_id(&app, "Saltline Tacos").await;
    let cases: [(&str, StatusCode, &str); 4] = [
        ("no-such-org", StatusCode::UNPROCESSABLE_ENTITY, "slug"),
        ("harbor", StatusCode::UNPROCESSABLE_ENTITY, "slug"),
        ("big-group", StatusCode::UNPROCESSABLE_ENTITY, "slug"),
        ("Not a slug!", StatusCode::UNPROCESSABLE_ENTITY, "slug"),
    ];
    for (slug, expected, field) in cases {
        let (status, body) = app
            .rpc("invite_franchisee", &[("brand", &brand), ("slug", slug)])
            .await;
        assert_eq!(status, expected, "{slug}: {body}");
        assert!(
            body["Invalid"]["fields"][field].is_string(),
            "{slug}: {body}"
        );
    }
    let northside = signed_in(&app, NORTHSIDE_OWNER).await;
    let (status, _) = northside
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another's brand is absent");
    let manager = signed_in(&app, MANAGER).await;
    let (status, _) = manager
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an outlet manager manages no settings"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM franchise_invitations")
            .await,
        0,
        "no refusal wrote anything"
    );

    let (_, invited) = app
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    let id = invited["id"].as_str().unwrap().to_string();
    let (status, _) = northside.rpc("withdraw_invitation", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the inviter withdraws");
    let (status, _) = app.rpc("withdraw_invitation", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK);
    let pier = signed_in(&app, &owner).await;
    let (_, received) = pier.rpc("franchise_invitations", &[]).await;
    assert_eq!(received, json!([]), "a withdrawn invitation is gone");
    let (status, _) = pier
        .rpc("answer_invitation", &[("id", &id), ("answer", "accept")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, invited) = app
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    let id = invited["id"].as_str().unwrap().to_string();
    let (status, _) = pier
        .rpc("answer_invitation", &[("id", &id), ("answer", "decline")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM franchisee_brands").await,
        1,
        "declined: no link"
    );
    let (_, brands) = pier.rpc("organization_brands", &[]).await;
    assert_eq!(brands["brands"], json!([]));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action IN
             ('brand.franchisee_invited', 'brand.invitation_withdrawn', 'brand.invitation_declined')"
        )
        .await,
        5,
        "two invitations, a withdrawal, a decline (recorded by both organizations)"
    );
}

/// Kim: a Harbor trainer managed by Harbor Burger, with access at Northside's NS-101.
async fn brand_managed_trainer(app: &TestApp) {
    let harbor = app.api_token("harbor", "Integration", None).await;
    let pier = app.outlet_id("HB-001").await;
    let item = json!({
        "username": "kim.trainer",
        "email": "kim.trainer@harbor.example",
        "first_name": "Kim",
        "last_name": "Trainer",
        "default_location": pier,
        "user_roles": [{"id": app.role_id("harbor", "Burger Crew Trainer").await}],
        "locations": [{"id": pier}],
        "managed_by_brand": app.id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger").await,
        "external_locations": [{"id": app.outlet_id("NS-101").await}],
    });
    let reply = app.api_post("/users", &harbor, json!([item])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

fn ends(listed: &Value, franchisee: &str) -> Value {
    listed["franchisees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == franchisee)
        .map(|f| f["ends"].clone())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinking_a_franchisee_is_confirmed_and_ends_what_the_link_gave_and_nothing_else() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    brand_managed_trainer(&app).await;
    let client = app
        .api_token("northside", "Burger Crew Trainer", Some("NS-103"))
        .await;
    let brand = brand_id(&app, "Harbor Burger").await;
    let northside_id = app.organization("northside").await.0.to_string();
    let listed = franchise_of(&app, &brand).await;
    assert_eq!(
        ends(&listed, "Northside Foods"),
        json!({"brand_role_grants": 2, "external_people": 1, "handed_over": 1, "api_clients": 1}),
        "Hana's and Kim's trainer grants, Kim, Aiden (provisioned by the brand), the client"
    );
    let harbor_rows = "SELECT COUNT(*) FROM user_connectors c JOIN organizations o ON o.id = c.organization_id WHERE o.slug = 'harbor'";
    let northside_roles = "SELECT COUNT(*) FROM roles r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = 'northside'";
    let northside_outlets = "SELECT COUNT(*) FROM outlets o JOIN brands b ON b.id = o.brand_id WHERE o.number LIKE 'NS-%' AND b.name = 'Harbor Burger'";
    let before = (
        app.count(harbor_rows).await,
        app.count(northside_roles).await,
        app.count(northside_outlets).await,
    );
    let unlink = [
        ("brand", brand.as_str()),
        ("organization", northside_id.as_str()),
    ];

    let (status, body) = app.rpc("unlink_franchisee", &unlink).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["Invalid"]["fields"]["confirm"]
            .as_str()
            .unwrap()
            .contains("2 grants of the brand's roles"),
        "the confirmation says what ends: {body}"
    );
    let northside = signed_in(&app, NORTHSIDE_OWNER).await;
    let confirmed = [unlink[0], unlink[1], ("confirm", "on")];
    let (status, _) = northside.rpc("unlink_franchisee", &confirmed).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a franchisee does not unlink its brand"
    );
    let manager = signed_in(&app, MANAGER).await;
    let (status, _) = manager.rpc("unlink_franchisee", &confirmed).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM franchisee_brands").await,
        1,
        "nothing written"
    );

    let (status, ended) = app.rpc("unlink_franchisee", &confirmed).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["external_people"], 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM franchisee_brands").await, 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM user_connectors c JOIN roles r ON r.id = c.role_id
             JOIN organizations o ON o.id = c.organization_id
             WHERE o.slug = 'northside' AND r.brand_id IS NOT NULL"
        )
        .await,
        0,
        "no brand role is held at Northside"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM memberships m JOIN user_accounts a ON a.id = m.user_id
             WHERE a.email = 'kim.trainer@harbor.example'"
        )
        .await,
        1,
        "Kim keeps her Harbor membership only"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM memberships m JOIN user_accounts a ON a.id = m.user_id
             JOIN user_connectors c ON c.membership_id = m.id
             WHERE a.email = 'aiden.ross@northside.example' AND m.managed_by_brand_id IS NULL"
        )
        .await,
        1,
        "Aiden stays at Northside with his access, managed by Northside now"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id WHERE a.email = 'hana.sato@northside.example'"
        )
        .await,
        1,
        "Hana keeps her own Outlet Manager grant, only the trainer grant ended"
    );
    assert_eq!(
        app.api_get("/me", &client).await.status,
        StatusCode::UNAUTHORIZED,
        "the client holding a brand role is revoked"
    );
    assert_eq!(
        (
            app.count(harbor_rows).await,
            app.count(northside_roles).await,
            app.count(northside_outlets).await,
        ),
        before,
        "Harbor's access, Northside's roles and outlets are untouched"
    );
    let (_, brands) = northside.rpc("organization_brands", &[]).await;
    assert_eq!(
        brands["brands"],
        json!([]),
        "Northside no longer runs the brand"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'brand.franchisee_unlinked'")
            .await,
        2,
        "both organizations record it"
    );
    let (status, _) = app.rpc("unlink_franchisee", &confirmed).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no link left to end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_role_is_refused_every_franchise_function_and_writes_nothing() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    existing_organization(&app, "Pier Tacos", "pier-tacos", "independent").await;
    let brand = brand_id(&app, "Saltline Tacos").await;
    let (_, invited) = app
        .rpc(
            "invite_franchisee",
            &[("brand", &brand), ("slug", "pier-tacos")],
        )
        .await;
    let id = invited["id"].as_str().unwrap().to_string();
    let northside = app.organization("northside").await.0.to_string();
    let harbor_burger = brand_id(&app, "Harbor Burger").await;
    let manager = signed_in(&app, MANAGER).await;
    let cases: [(&str, Vec<(&str, &str)>); 7] = [
        ("organization_brands", vec![]),
        ("franchise_invitations", vec![]),
        (
            "invite_franchisee",
            vec![("brand", &brand), ("slug", "pier-tacos")],
        ),
        ("withdraw_invitation", vec![("id", &id)]),
        ("answer_invitation", vec![("id", &id), ("answer", "accept")]),
        (
            "unlink_franchisee",
            vec![
                ("brand", &harbor_burger),
                ("organization", &northside),
                ("confirm", "on"),
            ],
        ),
        ("outlets_page", vec![]),
    ];
    for (function, form) in cases {
        let (status, body) = manager.rpc(function, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {body}");
    }
    let lena = spawn_on(&app.database_url, &app.dir).await;
    app.give_password("lena.moreau@harbor.example").await;
    lena.sign_in_as("lena.moreau@harbor.example").await;
    let (status, _) = lena
        .rpc("outlet_choices", &[("search", ""), ("managing", "true")])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "staff manage no access anywhere"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM franchise_invitations WHERE answered_at IS NULL")
            .await,
        1,
        "the invitation is still open"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM franchisee_brands").await, 1);
}
