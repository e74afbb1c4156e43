//! SCIM Groups are the organization's roles: the requests Okta and Entra ID document for
//! groups, replayed; membership grants and revokes the role (across the organization, or at
//! the person's default outlet); and what a connection may not do through a group.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::scim::{assert_scim_error, encoded, harbor_idp, patch};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// Creates a person through SCIM (they start as Staff at HB-001, their default outlet).
async fn provisioned(app: &TestApp, idp: &str, email: &str) -> String {
    let body = json!({"schemas": [USER], "userName": email, "emails": [{"value": email, "primary": true}], "active": true});
    let created = app.scim(Method::POST, "/Users", idp, Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

/// The grants of `role` a person holds in Harbor: "" across the organization, else the
/// outlet's number.
async fn grants(app: &TestApp, email: &str, role: &str) -> Vec<String> {
    app.query(
        "SELECT coalesce(o.number, '') FROM user_connectors c
         JOIN memberships m ON m.id = c.membership_id JOIN user_accounts a ON a.id = m.user_id
         JOIN roles r ON r.id = c.role_id LEFT JOIN outlets o ON o.id = c.outlet_id
         WHERE a.email = $1 AND r.name = $2 ORDER BY 1",
    )
    .bind(email)
    .bind(role)
    .scalars()
    .await
    .unwrap()
}

fn member_ids(group: &Value) -> Vec<String> {
    group["members"]
        .as_array()
        .unwrap_or_else(|| panic!("a group with members: {group}"))
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_string())
        .collect()
}

async fn group_named(app: &TestApp, idp: &str, name: &str) -> Value {
    let filter = encoded(&format!("displayName eq \"{name}\""));
    let found = app.scim_get(&format!("/Groups?filter={filter}"), idp).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(
        found.body["totalResults"],
        json!(1),
        "{name}: {}",
        found.body
    );
    found.body["Resources"][0].clone()
}

#[tokio::test]
async fn okta_pushes_groups_and_their_memberships_as_roles() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let ana = provisioned(&app, &idp, "ana.okta@harbor.example").await;

    // Okta matches an existing group by name: a library role.
    let area = group_named(&app, &idp, "area manager").await;
    let area_id = area["id"].as_str().unwrap().to_string();
    assert_eq!(
        area_id,
        app.role_id("harbor", "Area Manager").await.to_string()
    );
    assert_eq!(area["schemas"], json!([GROUP]));
    let path = format!("/Groups/{area_id}");

    // Okta's membership push: add with a list, remove by a value filter.
    let add = patch(
        json!([{"op": "add", "path": "members", "value": [{"value": ana, "display": "ana.okta@harbor.example"}]}]),
    );
    let added = app
        .scim(Method::PATCH, &path, &idp, Some(add.clone()))
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(member_ids(&added.body).contains(&ana));
    assert_eq!(
        grants(&app, "ana.okta@harbor.example", "Area Manager").await,
        [""]
    );
    let again = app.scim(Method::PATCH, &path, &idp, Some(add)).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "adding a member twice changes nothing"
    );
    let read = app.scim_get(&path, &idp).await;
    assert!(read.etag.is_some(), "a group has a version");
    assert!(member_ids(&read.body).contains(&ana));

    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{ana}\"]")}]));
    let removed = app.scim(Method::PATCH, &path, &idp, Some(remove)).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert!(!member_ids(&removed.body).contains(&ana));
    assert!(
        grants(&app, "ana.okta@harbor.example", "Area Manager")
            .await
            .is_empty()
    );
    assert_eq!(
        grants(&app, "ana.okta@harbor.example", "Staff").await,
        ["HB-001"],
        "her other access stays"
    );

    // Okta pushes a new group: a library role with no permissions, with its members.
    let new = json!({"schemas": [GROUP], "displayName": "Line Cooks", "externalId": "00g1emaKYZTWRYYRRTSK", "members": [{"value": ana}]});
    let created = app
        .scim(Method::POST, "/Groups", &idp, Some(new.clone()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["externalId"], "00g1emaKYZTWRYYRRTSK");
    let line_cooks = created.body["id"].as_str().unwrap().to_string();
    let permissions = app
        .count("SELECT COUNT(*) FROM role_permissions p JOIN roles r ON r.id = p.role_id WHERE r.name = 'Line Cooks'")
        .await;
    assert_eq!(
        permissions, 0,
        "least privilege: an admin gives it permissions"
    );
    assert_eq!(
        grants(&app, "ana.okta@harbor.example", "Line Cooks").await,
        [""]
    );
    let duplicate = app.scim(Method::POST, "/Groups", &idp, Some(new)).await;
    assert_scim_error(&duplicate, 409, Some("uniqueness"));

    // Okta renames with a path-less replace.
    let rename = patch(
        json!([{"op": "replace", "value": {"id": line_cooks, "displayName": "Line Cooks East"}}]),
    );
    let renamed = app
        .scim(
            Method::PATCH,
            &format!("/Groups/{line_cooks}"),
            &idp,
            Some(rename),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.body["displayName"], "Line Cooks East");
    assert_eq!(
        app.role_id("harbor", "Line Cooks East").await.to_string(),
        line_cooks
    );

    let audited = app
        .count(
            "SELECT COUNT(*) FROM audit_events WHERE via = 'scim' AND action IN \
             ('user_connector.created', 'user_connector.deleted', 'role.created', 'role.updated')",
        )
        .await;
    // Area Manager added and removed; Line Cooks created (with its externalId) and its member
    // added; renamed.
    assert_eq!(audited, 6);
}

#[tokio::test]
async fn entra_tests_the_connection_and_changes_members_with_its_own_forms() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let probe = app
        .scim_get(
            &format!(
                "/Groups?excludedAttributes=members&filter={}",
                encoded("displayName eq \"a4b7c1e2-90f3-4d5e-8a6b-7c8d9e0f1a2b\"")
            ),
            &idp,
        )
        .await;
    assert_eq!(probe.status, StatusCode::OK);
    assert_eq!(probe.body["totalResults"], json!(0));

    let ben = provisioned(&app, &idp, "ben.entra@harbor.example").await;
    let manager = app
        .scim_get(
            &format!(
                "/Groups?excludedAttributes=members&filter={}",
                encoded("displayName eq \"Outlet Manager\"")
            ),
            &idp,
        )
        .await;
    let group = &manager.body["Resources"][0];
    assert!(group.get("members").is_none(), "excluded: {group}");
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());

    // An outlet role is granted at the member's default outlet.
    let add = patch(json!([{"op": "Add", "path": "members", "value": [{"value": ben}]}]));
    let added = app.scim(Method::PATCH, &path, &idp, Some(add)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(
        grants(&app, "ben.entra@harbor.example", "Outlet Manager").await,
        ["HB-001"]
    );
    let remove = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": ben}]}]));
    let removed = app.scim(Method::PATCH, &path, &idp, Some(remove)).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert!(
        grants(&app, "ben.entra@harbor.example", "Outlet Manager")
            .await
            .is_empty()
    );

    // PUT sets exactly its members.
    let staff = group_named(&app, &idp, "Staff").await;
    let staff_path = format!("/Groups/{}", staff["id"].as_str().unwrap());
    let before = member_ids(&staff);
    assert!(before.contains(&ben), "new people start as Staff: {staff}");
    let replaced = app
        .scim(
            Method::PUT,
            &staff_path,
            &idp,
            Some(json!({"schemas": [GROUP], "displayName": "Staff", "members": [{"value": ben}]})),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(member_ids(&replaced.body), std::slice::from_ref(&ben));
    assert!(
        grants(&app, "lena.moreau@harbor.example", "Staff")
            .await
            .is_empty(),
        "a member left out of the PUT loses the role"
    );
}

/// A refused request: (case, token, method, path, body, status, scimType).
type Refusal<'a> = (
    &'a str,
    &'a str,
    Method,
    String,
    Option<Value>,
    u16,
    Option<&'a str>,
);

#[tokio::test]
async fn a_group_change_is_refused_where_the_connection_may_not_go() {
    let app = spawn_app().await;
    let idp = harbor_idp(&app).await;
    let ana = provisioned(&app, &idp, "ana.refused@harbor.example").await;
    let admin = app.user_id(ADMIN).await.to_string();
    let role = |name: &'static str| {
        let app = &app;
        async move { format!("/Groups/{}", app.role_id("harbor", name).await) }
    };
    let add = |id: &str| patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    let northside_role = format!("/Groups/{}", app.role_id("northside", "Owner").await);
    let viewer = app
        .scim_connection("harbor", Some("Viewer"), Some(("Staff", "HB-001")))
        .await;
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
        .scim_connection("harbor", Some("Provisioner"), Some(("Staff", "HB-001")))
        .await;
    let before = app.count("SELECT COUNT(*) FROM user_connectors").await;

    let cases: Vec<Refusal> = vec![
        (
            "an unknown member",
            &idp,
            Method::PATCH,
            role("Area Manager").await,
            Some(add("0192f3a4-0000-7000-8000-000000000000")),
            400,
            Some("invalidValue"),
        ),
        (
            "an outlet role for someone with no default outlet",
            &idp,
            Method::PATCH,
            role("Outlet Manager").await,
            Some(add(&admin)),
            400,
            Some("invalidValue"),
        ),
        (
            "another organization's role",
            &idp,
            Method::PATCH,
            northside_role.clone(),
            Some(add(&ana)),
            404,
            None,
        ),
        (
            "a connection that only reads",
            &viewer,
            Method::PATCH,
            role("Area Manager").await,
            Some(add(&ana)),
            403,
            None,
        ),
        (
            "a role above the connection's",
            &narrow,
            Method::PATCH,
            role("Owner").await,
            Some(add(&ana)),
            403,
            None,
        ),
        (
            "a role in use deleted",
            &idp,
            Method::DELETE,
            role("Staff").await,
            None,
            409,
            None,
        ),
        (
            "a group without a name",
            &idp,
            Method::POST,
            "/Groups".into(),
            Some(json!({"members": []})),
            400,
            Some("invalidValue"),
        ),
        (
            "a group created by a connection that defines no roles",
            &narrow,
            Method::POST,
            "/Groups".into(),
            Some(json!({"displayName": "Hosts"})),
            403,
            None,
        ),
    ];
    for (case, token, method, path, body, status, scim_type) in cases {
        let reply = app.scim(method, &path, token, body).await;
        assert_eq!(reply.status.as_u16(), status, "{case}: {}", reply.body);
        assert_scim_error(&reply, status, scim_type);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_connectors").await,
        before,
        "nothing granted or revoked"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM roles WHERE name = 'Hosts'")
            .await,
        0
    );
    let northside = app.scim_get(&northside_role, &idp).await;
    assert_scim_error(&northside, 404, None);
}

#[tokio::test]
async fn a_franchisee_names_a_brand_role_for_itself_and_cannot_change_it() {
    let app = spawn_app().await;
    let idp = app
        .scim_connection("northside", None, Some(("Staff", "NS-102")))
        .await;
    let trainer = group_named(&app, &idp, "Burger Crew Trainer").await;
    let path = format!("/Groups/{}", trainer["id"].as_str().unwrap());
    let renamed = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(
                json!([{"op": "replace", "path": "displayName", "value": "Trainers"}]),
            )),
        )
        .await;
    assert_scim_error(&renamed, 403, None);
    let named = app
        .scim(
            Method::PATCH,
            &path,
            &idp,
            Some(patch(
                json!([{"op": "replace", "path": "externalId", "value": "ns-trainers"}]),
            )),
        )
        .await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    assert_eq!(named.body["externalId"], "ns-trainers");

    let harbor = harbor_idp(&app).await;
    let owner_view = group_named(&app, &harbor, "Burger Crew Trainer").await;
    assert!(
        owner_view.get("externalId").is_none(),
        "the franchisee's name for it is its own: {owner_view}"
    );
    assert_eq!(owner_view["displayName"], "Burger Crew Trainer");
}
