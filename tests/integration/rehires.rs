//! External ids and rehires: a membership's `external_id` (employee or payroll number) is
//! unique in its organization, set by the API, the console and SCIM, and searchable; creating
//! a person whose external id or email names a *deactivated* member brings that membership
//! back (`"reactivated": true`) with the new access only, instead of making a second person.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A new Staff member at `outlet`, with an external id.
async fn staff(
    app: &TestApp,
    username: &str,
    email: &str,
    external_id: &str,
    outlet: &str,
) -> Value {
    let at = app.outlet_id(outlet).await;
    json!({
        "username": username,
        "email": email,
        "first_name": "Rhea",
        "last_name": "Okafor",
        "external_id": external_id,
        "default_location": at,
        "user_roles": [{"id": app.role_id("harbor", "Staff").await}],
        "locations": [{"id": at}],
    })
}

async fn user_by_email(app: &TestApp, token: &str, email: &str) -> Value {
    let reply = app.api_get(&format!("/users?emails={email}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["results"][0].clone()
}

fn numbers(user: &Value) -> Vec<String> {
    user["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["number"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehire_by_external_id_brings_the_person_back_with_the_new_access_only() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let email = "rhea.okafor@harbor.example";
    let first = app
        .api_post(
            "/users",
            &token,
            json!([staff(&app, "rhea", email, "E-1042", "HB-001").await]),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["success"][0]["reactivated"], false);
    let id = first.body["success"][0]["id"].as_str().unwrap().to_string();
    let rhea = user_by_email(&app, &token, email).await;
    assert_eq!(rhea["external_id"], "E-1042");
    let by_number = app.api_get("/users?external_ids=E-9,E-1042", &token).await;
    assert_eq!(by_number.status, StatusCode::OK, "{}", by_number.body);
    assert_eq!(by_number.body["results"].as_array().unwrap().len(), 1);
    assert_eq!(by_number.body["results"][0]["email"], email);

    let off = app
        .api_patch(&format!("/users/{id}"), &token, json!({"inactive": true}))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);

    // Hired again months later, at another outlet, under another username.
    let again = app
        .api_post(
            "/users",
            &token,
            json!([staff(&app, "rhea.2", email, "E-1042", "HB-002").await]),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["success"][0]["reactivated"], true);
    assert_eq!(
        again.body["success"][0]["id"],
        id.as_str(),
        "the same person"
    );
    let back = user_by_email(&app, &token, email).await;
    assert_eq!(back["inactive"], false);
    assert_eq!(
        numbers(&back),
        ["HB-002"],
        "the earlier outlet is not revived"
    );
    assert_eq!(back["username"], "rhea", "the account is unchanged");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM memberships m JOIN user_accounts a ON a.id = m.user_id
             WHERE lower(a.email) = '{email}'"
        ))
        .await,
        1,
        "no second person"
    );
    assert_eq!(app.audited("user.reactivated").await, 1);
    assert_eq!(app.audited("user.created").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_someone_an_external_id_or_email_already_names_is_refused_or_a_rehire() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let create = |body: Value| {
        let (app, token) = (&app, &token);
        async move { app.api_post("/users", token, json!([body])).await }
    };
    // Two people with numbers: Ada active, Bo deactivated.
    for (name, number) in [("ada", "P-1"), ("bo.b", "P-2")] {
        let email = format!("{name}@harbor.example");
        let made = create(staff(&app, name, &email, number, "HB-001").await).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    }
    let bo = user_by_email(&app, &token, "bo.b@harbor.example").await;
    let off = app
        .api_patch(
            &format!("/users/{}", bo["id"].as_str().unwrap()),
            &token,
            json!({"inactive": true}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);

    struct Case {
        name: &'static str,
        email: &'static str,
        external_id: &'static str,
        status: StatusCode,
        code: &'static str,
    }
    let cases = [
        Case {
            name: "an active person's number",
            email: "new.one@harbor.example",
            external_id: "P-1",
            status: StatusCode::CONFLICT,
            code: "duplicate_external_id",
        },
        Case {
            name: "an active person's email, with a free number",
            email: "ada@harbor.example",
            external_id: "P-9",
            status: StatusCode::CONFLICT,
            code: "duplicate_email",
        },
        Case {
            name: "a deactivated person's number with another email",
            email: "bo.new@harbor.example",
            external_id: "P-2",
            status: StatusCode::CONFLICT,
            code: "rehire_email_differs",
        },
        Case {
            name: "a deactivated person's number with an active person's email",
            email: "ada@harbor.example",
            external_id: "P-2",
            status: StatusCode::CONFLICT,
            code: "duplicate_external_id",
        },
        Case {
            name: "the deactivated demo person's email with Bo's number",
            email: INACTIVE,
            external_id: "P-2",
            status: StatusCode::CONFLICT,
            code: "external_id_mismatch",
        },
    ];
    for case in cases {
        let before = app.count("SELECT COUNT(*) FROM audit_events").await;
        let reply =
            create(staff(&app, "someone", case.email, case.external_id, "HB-001").await).await;
        assert_eq!(reply.status, case.status, "{}: {}", case.name, reply.body);
        assert_eq!(
            reply.body["user_errors"][0]["code"], case.code,
            "{}: {}",
            case.name, reply.body
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_events").await,
            before,
            "{}: nothing written",
            case.name
        );
    }

    let too_long = create(
        staff(
            &app,
            "long",
            "long@harbor.example",
            &"7".repeat(256),
            "HB-001",
        )
        .await,
    )
    .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body["user_errors"][0]["fields"]["external_id"].is_string());

    // Quinn (deactivated, Staff at HB-001) returns by email alone, and takes a number.
    let quinn = create(staff(&app, "quinn.again", INACTIVE, "P-7", "HB-003").await).await;
    assert_eq!(quinn.status, StatusCode::OK, "{}", quinn.body);
    assert_eq!(quinn.body["success"][0]["reactivated"], true);
    let quinn = user_by_email(&app, &token, INACTIVE).await;
    assert_eq!(quinn["external_id"], "P-7");
    assert_eq!(numbers(&quinn), ["HB-003"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_someone_who_manages_the_deactivated_person_can_bring_them_back() {
    let app = spawn_app().await;
    // Quinn's earlier access was at Pier 39 (HB-001); this token manages Market Street only.
    let elsewhere = app
        .api_token("harbor", "Outlet Manager", Some("HB-002"))
        .await;
    let reply = app
        .api_post(
            "/users",
            &elsewhere,
            json!([staff(&app, "quinn.2", INACTIVE, "Q-1", "HB-002").await]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["user_errors"][0]["code"], "duplicate_email");
    assert_eq!(app.audited("user.reactivated").await, 0);

    // Someone who manages Pier 39 brings Quinn back there.
    let pier = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    let reply = app
        .api_post(
            "/users",
            &pier,
            json!([staff(&app, "quinn.2", INACTIVE, "Q-1", "HB-001").await]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["success"][0]["reactivated"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_rehires_by_employee_number_finds_people_by_it_and_keeps_it_unique() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let quinn = app.user_id(INACTIVE).await.to_string();
    let (status, body) = app
        .rpc("update_person", &[("id", &quinn), ("external_id", "E-77")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["external_id"], "E-77");
    assert_eq!(
        app.people_emails("E-77").await,
        [INACTIVE],
        "found by number"
    );

    let morgan = app.user_id(MANAGER).await.to_string();
    let (status, body) = app
        .rpc("update_person", &[("id", &morgan), ("external_id", "E-77")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("duplicate_external_id"), "{body}");

    // Add access with the number: Quinn is back, with this access only.
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", INACTIVE),
                ("first_name", ""),
                ("last_name", ""),
                ("role", &staff),
                ("outlet", "HB-002"),
                ("external_id", "E-77"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reactivated"], true);
    let grants = app
        .count(&format!(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id WHERE a.email = '{INACTIVE}'"
        ))
        .await;
    assert_eq!(grants, 1, "only the access just given");
    let (page, html) = app.page("/users?q=E-77").await;
    assert_eq!(page, StatusCode::OK);
    assert!(html.contains("Quinn Former"), "{html}");
    assert!(
        !html.contains("Morgan Reyes"),
        "only the holder of the number"
    );

    // The number of someone else, with another email, is refused.
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "someone.new@harbor.example"),
                ("first_name", ""),
                ("last_name", ""),
                ("role", &staff),
                ("outlet", "HB-002"),
                ("external_id", "E-77"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("duplicate_external_id"), "{body}");
}
