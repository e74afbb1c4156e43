//! SCIM 2.0 for identity providers: the requests Okta and Entra ID document, replayed; the
//! filters and paging RFC 7644 decides; and what a SCIM connection may not do.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use reqwest::StatusCode;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Harbor's identity provider: acts with the Integration role, new people start as Staff at
/// HB-001.
pub(crate) async fn harbor_idp(app: &TestApp) -> String {
    app.scim_connection("harbor", None, Some(("Staff", "HB-001")))
        .await
}

pub(crate) fn patch(operations: Value) -> Value {
    json!({"schemas": [PATCH], "Operations": operations})
}

/// The emails of a list answer, in its order.
fn emails(reply: &Reply) -> Vec<String> {
    reply.body["Resources"]
        .as_array()
        .unwrap_or_else(|| panic!("a ListResponse: {}", reply.body))
        .iter()
        .map(|user| user["emails"][0]["value"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) fn assert_scim_error(reply: &Reply, status: u16, scim_type: Option<&str>) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_eq!(reply.body["schemas"], json!([ERROR]), "{}", reply.body);
    assert_eq!(
        reply.body["status"],
        json!(status.to_string()),
        "status is a string"
    );
    assert_eq!(
        reply.body.get("scimType").and_then(Value::as_str),
        scim_type,
        "{}",
        reply.body
    );
}

async fn membership_status(app: &TestApp, org: &str, email: &str) -> String {
    app.query(
        "SELECT m.status FROM memberships m JOIN user_accounts a ON a.id = m.user_id
         JOIN organizations o ON o.id = m.organization_id WHERE o.slug = $1 AND a.email = $2",
    )
    .bind(org)
    .bind(email)
    .scalar()
    .await
    .unwrap()
}

#[tokio::test]
async fn okta_matches_creates_updates_and_deactivates_a_person() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let find =
        "/Users?filter=userName%20eq%20%22ana.lopes%40harbor.example%22&startIndex=1&count=100";

    let before = app.scim_get(find, &idp).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.body["totalResults"], json!(0));

    // Okta's create: password and an empty groups list included, neither stored.
    let okta = json!({
        "schemas": [USER], "userName": "ana.lopes@harbor.example",
        "name": {"givenName": "Ana", "familyName": "Lopes"},
        "emails": [{"primary": true, "value": "ana.lopes@harbor.example", "type": "work"}],
        "displayName": "Ana Lopes", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [], "password": "1mz050nq", "active": true
    });
    let created = app
        .scim(Method::POST, "/Users", &idp, Some(okta.clone()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["userName"], json!("ana.lopes@harbor.example"));
    assert_eq!(
        created.body["name"],
        json!({"givenName": "Ana", "familyName": "Lopes"})
    );
    assert_eq!(created.body["externalId"], json!("00ujl29u0le5T6Aj10h7"));
    assert_eq!(created.body["active"], json!(true));
    assert_eq!(created.body["meta"]["resourceType"], json!("User"));
    assert_eq!(
        created.etag.as_deref(),
        created.body["meta"]["version"].as_str()
    );
    assert!(created.body.get("password").is_none());

    // The person is Harbor's, managed by SCIM, with the connection's start access.
    let token = app.api_token("harbor", "Integration", None).await;
    let user = app.api_get(&format!("/users/{id}"), &token).await;
    assert_eq!(user.body["managed_by"], json!("scim"));
    assert_eq!(user.body["user_roles"][0]["name"], json!("Staff"));
    assert_eq!(user.body["locations"][0]["number"], json!("HB-001"));
    assert_eq!(user.body["default_location"]["number"], json!("HB-001"));

    let found = app.scim_get(find, &idp).await;
    assert_eq!(found.body["totalResults"], json!(1));
    assert_eq!(found.body["Resources"][0]["id"], json!(id));

    // A second create of the same person is a uniqueness conflict.
    let again = app
        .scim(Method::POST, "/Users", &idp, Some(okta.clone()))
        .await;
    assert_scim_error(&again, 409, Some("uniqueness"));

    // Okta updates a profile by PUT (a full replace).
    let mut put = okta.clone();
    put["name"]["familyName"] = json!("Lopes-Silva");
    put["id"] = json!(id);
    let replaced = app
        .scim(Method::PUT, &format!("/Users/{id}"), &idp, Some(put))
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.body["name"]["familyName"], json!("Lopes-Silva"));

    // Okta deactivates with a path-less replace.
    let deactivated = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            &idp,
            Some(patch(
                json!([{"op": "replace", "value": {"active": false}}]),
            )),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    assert_eq!(deactivated.body["active"], json!(false));
    assert_eq!(
        membership_status(&app, "harbor", "ana.lopes@harbor.example").await,
        "inactive"
    );

    // Each write is audited as SCIM's, by the connection.
    let vias: Vec<String> = app
        .query("SELECT e.via FROM audit_events e WHERE e.subject_user_id = $1 ORDER BY e.id")
        .bind(uuid::Uuid::parse_str(&id).unwrap())
        .scalars()
        .await
        .unwrap();
    assert!(vias.len() >= 3, "{vias:?}");
    assert!(vias.iter().all(|via| via == "scim"), "{vias:?}");
}

#[tokio::test]
async fn entra_id_tests_the_connection_then_provisions_with_its_own_forms() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;

    // "Test connection": a filter on a random GUID answers an empty list.
    let probe = app
        .scim_get(
            "/Users?filter=userName+eq+%226f2b1c3d-0a4e-4b8f-9c2d-1e3f5a6b7c8d%22",
            &idp,
        )
        .await;
    assert_eq!(probe.status, StatusCode::OK);
    assert_eq!(probe.body["totalResults"], json!(0));
    assert_eq!(probe.body["Resources"], json!([]));

    let entra = json!({
        "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "userName": "Test_User_dfeef4c5@testuser.com", "active": true,
        "emails": [{"primary": true, "type": "work", "value": "Test_User_11bb6097@testuser.com"}],
        "meta": {"resourceType": "User"}, "roles": [],
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": null, "manager": null}
    });
    let created = app.scim(Method::POST, "/Users", &idp, Some(entra)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");

    // Entra's match forms find the person.
    for filter in [
        "externalId eq \"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159\"",
        "emails[type eq \"work\"].value eq \"test_user_11bb6097@testuser.com\"",
        "userName eq \"TEST_USER_DFEEF4C5@testuser.com\"",
    ] {
        let found = app
            .scim_get(&format!("/Users?filter={}", encoded(filter)), &idp)
            .await;
        assert_eq!(
            found.body["totalResults"],
            json!(1),
            "{filter}: {}",
            found.body
        );
    }

    // Capitalised ops, a value-filtered path, single-path replaces.
    let changed = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@testuser.com"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Kitchen"}
            ]))),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    // Brigade keeps addresses in lower case (emails compare ignoring case).
    assert_eq!(
        changed.body["emails"],
        json!([{"value": "updatedemail@testuser.com"}])
    );
    assert_eq!(
        changed.body["name"]["familyName"],
        json!("updatedFamilyName")
    );

    // A path-less replace with dotted and URN-qualified keys, booleans as strings.
    let changed = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(json!([{"op": "replace", "value": {
                "name.givenName": "Robin",
                "urn:ietf:params:scim:schemas:core:2.0:User:userName": "robin@testuser.com",
                "active": "False"
            }}]))),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["name"]["givenName"], json!("Robin"));
    assert_eq!(changed.body["userName"], json!("robin@testuser.com"));
    assert_eq!(changed.body["active"], json!(false));

    let reactivated = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(
                json!([{"op": "Replace", "path": "active", "value": "True"}]),
            )),
        )
        .await;
    assert_eq!(
        reactivated.body["active"],
        json!(true),
        "{}",
        reactivated.body
    );

    // DELETE: 204, then the person is gone from SCIM and kept, inactive, everywhere else.
    let deleted = app.scim(Method::DELETE, &path, &idp, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_scim_error(&app.scim_get(&path, &idp).await, 404, None);
    let token = app.api_token("harbor", "Integration", None).await;
    let kept = app.api_get(&format!("/users/{id}"), &token).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(kept.body["inactive"], json!(true));
    let audited: i64 = app
        .query("SELECT COUNT(*) FROM audit_events WHERE action = 'user.removed_by_identity_provider' AND subject_user_id = $1")
        .bind(uuid::Uuid::parse_str(&id).unwrap())
        .scalar()
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // Provisioned again (same address): the same person comes back, active.
    let back = app
        .scim(
            Method::POST,
            "/Users",
            &idp,
            Some(json!({"userName": "robin@testuser.com", "emails": [{"value": "updatedEmail@testuser.com"}]})),
        )
        .await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    assert_eq!(back.body["id"], json!(id));
    assert_eq!(back.body["active"], json!(true));
}

pub(crate) fn encoded(text: &str) -> String {
    urlencoding::encode(text).into_owned()
}

#[tokio::test]
async fn filters_answer_what_the_rfc_says_on_harbors_people() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let lena = app.user_id("lena.moreau@harbor.example").await;
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "userName eq \"LENA.MOREAU\"".into(),
            vec!["lena.moreau@harbor.example"],
        ),
        ("userName eq \"lena.moreau@harbor.example\"".into(), vec![]),
        (
            "emails.value eq \"Lena.Moreau@harbor.example\"".into(),
            vec!["lena.moreau@harbor.example"],
        ),
        (
            "userName sw \"k\"".into(),
            vec!["kai.turner@harbor.example", "keanu.akana@saltline.example"],
        ),
        (
            "name.familyName sw \"S\"".into(),
            vec!["payroll.sync@harbor.example", "tomas.silva@harbor.example"],
        ),
        (
            "active eq false".into(),
            vec!["ellis.park@saltline.example", "quinn.former@harbor.example"],
        ),
        (
            "emails ew \"@saltline.example\" and not (active eq false)".into(),
            vec![
                "ben.osei@saltline.example",
                "keanu.akana@saltline.example",
                "marco.bianchi@saltline.example",
                "rosa.delgado@saltline.example",
            ],
        ),
        (
            "name.givenName eq \"Grace\" or name.givenName eq \"Ivy\"".into(),
            vec!["grace.kim@harbor.example", "ivy.chen@harbor.example"],
        ),
        ("externalId pr".into(), vec![]),
        (
            format!("id eq \"{lena}\""),
            vec!["lena.moreau@harbor.example"],
        ),
        ("id eq \"not-an-id\"".into(), vec![]),
        // Another organization's people are never found.
        ("emails.value eq \"owner@northside.example\"".into(), vec![]),
    ];
    for (filter, expected) in cases {
        let reply = app
            .scim_get(&format!("/Users?filter={}", encoded(&filter)), &idp)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{filter}: {}", reply.body);
        let mut found = emails(&reply);
        found.sort();
        assert_eq!(found, expected, "{filter}");
        assert_eq!(
            reply.body["totalResults"],
            json!(expected.len()),
            "{filter}"
        );
    }

    for filter in [
        "title eq \"Chef\"",
        "userName gt \"a\"",
        "meta.lastModified gt \"2026-01-01T00:00:00Z\"",
        "userName eq",
    ] {
        let reply = app
            .scim_get(&format!("/Users?filter={}", encoded(filter)), &idp)
            .await;
        assert_scim_error(&reply, 400, Some("invalidFilter"));
    }
}

#[tokio::test]
async fn pages_are_stable_one_based_and_counted_in_integers() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let all = app.scim_get("/Users?count=1000", &idp).await;
    let total = all.body["totalResults"].as_i64().unwrap();
    assert_eq!(total, 20, "Harbor's demo people");
    let mut paged = Vec::new();
    let mut start = 1;
    while start <= total {
        let page = app
            .scim_get(&format!("/Users?startIndex={start}&count=6"), &idp)
            .await;
        assert!(page.body["startIndex"].is_i64() && page.body["itemsPerPage"].is_i64());
        assert_eq!(page.body["startIndex"], json!(start));
        paged.extend(emails(&page));
        start += 6;
    }
    assert_eq!(
        paged,
        emails(&all),
        "the pages walk the list in its order, once"
    );

    let cases = [
        ("/Users?count=0", 0, 1),
        ("/Users?startIndex=0&count=2", 2, 1),
        ("/Users?startIndex=-5&count=2", 2, 1),
        ("/Users?count=-1", 0, 1),
        ("/Users?startIndex=19&count=5", 2, 19),
        ("/Users?startIndex=500", 0, 500),
        ("/Users?aadOptscim062020&count=1", 1, 1),
    ];
    for (path, items, start) in cases {
        let page = app.scim_get(path, &idp).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.body["itemsPerPage"], json!(items), "{path}");
        assert_eq!(page.body["startIndex"], json!(start), "{path}");
        assert_eq!(page.body["totalResults"], json!(total), "{path}");
    }
    for path in ["/Users?count=ten", "/Users?startIndex=1.5"] {
        assert_scim_error(&app.scim_get(path, &idp).await, 400, Some("invalidValue"));
    }
}

#[tokio::test]
async fn only_a_scim_connection_opens_scim_and_it_opens_nothing_else() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let api = app.api_token("harbor", "Integration", None).await;
    let cases = [
        ("/scim/v2/Users", api.as_str(), StatusCode::UNAUTHORIZED),
        (
            "/scim/v2/ServiceProviderConfig",
            api.as_str(),
            StatusCode::UNAUTHORIZED,
        ),
        ("/scim/v2/Users", "", StatusCode::UNAUTHORIZED),
        ("/scim/v2/Users", idp.as_str(), StatusCode::OK),
        ("/api/v1/users", idp.as_str(), StatusCode::UNAUTHORIZED),
        ("/api/v1/me", idp.as_str(), StatusCode::UNAUTHORIZED),
        ("/api/v1/users", api.as_str(), StatusCode::OK),
    ];
    for (path, token, status) in cases {
        let response = app
            .client
            .get(app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path} with {token:.12}");
    }
    let unauthorized = app.scim_get("/Users", &api).await;
    assert_scim_error(&unauthorized, 401, None);

    // A revoked connection stops at once.
    let id: uuid::Uuid = app
        .query("SELECT id FROM api_tokens WHERE kind = 'scim'")
        .scalar()
        .await
        .unwrap();
    app.revoke_token(&id.to_string()).await;
    assert_eq!(
        app.scim_get("/Users", &idp).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_connection_reaches_only_its_organization_and_grants_nothing_above_its_role() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let northside = app.user_id("owner@northside.example").await;
    let path = format!("/Users/{northside}");
    let body = json!({"userName": "owner", "emails": [{"value": "owner@northside.example"}], "active": false});
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(body)),
        (
            Method::PATCH,
            Some(patch(
                json!([{"op": "replace", "path": "active", "value": false}]),
            )),
        ),
        (Method::DELETE, None),
    ] {
        let reply = app.scim(method.clone(), &path, &idp, body).await;
        assert_scim_error(&reply, 404, None);
    }
    assert_eq!(
        membership_status(&app, "northside", "owner@northside.example").await,
        "active"
    );

    // A connection that only reads people creates none.
    let reader = app
        .scim_connection("harbor", Some("Viewer"), Some(("Staff", "HB-001")))
        .await;
    assert_eq!(app.scim_get("/Users", &reader).await.status, StatusCode::OK);
    let new = json!({"userName": "new.cook@harbor.example"});
    let refused = app
        .scim(Method::POST, "/Users", &reader, Some(new.clone()))
        .await;
    assert_scim_error(&refused, 403, None);

    // A connection cannot start people with a role above its own.
    app.custom_role(
        "harbor",
        "Provisioner",
        "L",
        &[
            "users.view",
            "users.manage",
            "connectors.view",
            "connectors.manage",
        ],
    )
    .await;
    let narrow = app
        .scim_connection("harbor", Some("Provisioner"), Some(("Owner", "HB-001")))
        .await;
    let refused = app
        .scim(Method::POST, "/Users", &narrow, Some(new.clone()))
        .await;
    assert_scim_error(&refused, 403, None);

    // Without a start role and outlet, a connection creates nobody.
    let incomplete = app.scim_connection("harbor", None, None).await;
    let refused = app
        .scim(Method::POST, "/Users", &incomplete, Some(new))
        .await;
    assert_scim_error(&refused, 403, None);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("new people")
    );
    let people: i64 = app
        .query("SELECT COUNT(*) FROM user_accounts WHERE email = 'new.cook@harbor.example'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(people, 0, "no partial write");
}

#[tokio::test]
async fn a_shared_account_keeps_its_profile_and_its_other_memberships() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let kai = app.user_id("kai.turner@harbor.example").await;
    let path = format!("/Users/{kai}");
    let rename = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(
                json!([{"op": "replace", "path": "name.givenName", "value": "Kay"}]),
            )),
        )
        .await;
    assert_scim_error(&rename, 403, None);
    let given: String = app
        .query("SELECT first_name FROM user_accounts WHERE email = 'kai.turner@harbor.example'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(given, "Kai");

    let deactivated = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(
                json!([{"op": "replace", "path": "active", "value": false}]),
            )),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    assert_eq!(
        membership_status(&app, "harbor", "kai.turner@harbor.example").await,
        "inactive"
    );
    assert_eq!(
        membership_status(&app, "northside", "kai.turner@harbor.example").await,
        "active"
    );
}

#[tokio::test]
async fn deactivation_ends_the_persons_sessions_at_once() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    app.give_password(MANAGER).await;
    app.sign_in_as(MANAGER).await;
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    let manager = app.user_id(MANAGER).await;
    let reply = app
        .scim(
            Method::PATCH,
            &format!("/Users/{manager}"),
            &idp,
            Some(patch(
                json!([{"op": "replace", "value": {"active": false}}]),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "signed out at once"
    );
}

#[tokio::test]
async fn a_stale_version_is_refused_and_bad_input_is_a_scim_error() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let lena = app.user_id("lena.moreau@harbor.example").await;
    let path = format!("/Users/{lena}");
    let read = app.scim_get(&path, &idp).await;
    let version = read.etag.clone().expect("an ETag");
    assert_eq!(read.body["meta"]["version"], json!(version));

    let rename =
        |name: &str| patch(json!([{"op": "replace", "path": "name.familyName", "value": name}]));
    let send = |version: String, body: Value| {
        let client = app.client.clone();
        let url = app.url(&format!("/scim/v2{path}"));
        let idp = idp.clone();
        async move {
            client
                .patch(url)
                .bearer_auth(idp)
                .header("if-match", version)
                .header("content-type", "application/scim+json")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        send(version.clone(), rename("Moreau-Blanc")).await,
        StatusCode::OK
    );
    assert_eq!(
        send(version, rename("Dupont")).await,
        StatusCode::PRECONDITION_FAILED,
        "the version it read is stale"
    );

    let bad = [
        (
            Method::POST,
            "/Users",
            Some(json!({"name": {"givenName": "X"}})),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(json!({"userName": "x y z"})),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(json!({"userName": "not.an.address"})),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(json!({"userName": "admin@harbor.example"})),
            409,
            Some("uniqueness"),
        ),
        (
            Method::PATCH,
            path.as_str(),
            Some(patch(json!([{"op": "remove", "path": "userName"}]))),
            400,
            Some("mutability"),
        ),
        (
            Method::PATCH,
            path.as_str(),
            Some(json!({"Operations": "x"})),
            400,
            Some("invalidSyntax"),
        ),
        (
            Method::PATCH,
            path.as_str(),
            Some(patch(
                json!([{"op": "replace", "path": "externalId", "value": 7}]),
            )),
            400,
            Some("invalidValue"),
        ),
        (
            Method::PUT,
            "/Users/not-an-id",
            Some(json!({"userName": "x"})),
            404,
            None,
        ),
        (Method::POST, "/Devices", Some(json!({})), 404, None),
        (
            Method::POST,
            "/ServiceProviderConfig",
            Some(json!({})),
            405,
            None,
        ),
    ];
    for (method, path, body, status, scim_type) in bad {
        let reply = app.scim(method.clone(), path, &idp, body).await;
        assert_scim_error(&reply, status, scim_type);
    }

    // Two people cannot hold one external id.
    let grace = app.user_id("grace.kim@harbor.example").await;
    let set = |id: &str| patch(json!([{"op": "add", "path": "externalId", "value": id}]));
    let first = app
        .scim(Method::PATCH, &path, &idp, Some(set("E-100")))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = app
        .scim(
            Method::PATCH,
            &format!("/Users/{grace}"),
            &idp,
            Some(set("E-100")),
        )
        .await;
    assert_scim_error(&second, 409, Some("uniqueness"));

    // JSON in another type, or no JSON at all.
    let response = app
        .client
        .post(app.url("/scim/v2/Users"))
        .bearer_auth(&idp)
        .header("content-type", "text/plain")
        .body("userName=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = app
        .client
        .post(app.url("/scim/v2/Users"))
        .bearer_auth(&idp)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "application/scim+json");
}
