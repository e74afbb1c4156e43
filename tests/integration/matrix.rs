//! The authorization matrix: every API route and every console server function, called by
//! each kind of caller, aimed at each kind of target; each cell states the answer.
//!
//! Callers (columns, in this order):
//!   O  Harbor owner (console)              A  Harbor API client, partner role `api` (every permission)
//!   V  Harbor viewer (console)             a  Harbor API client with the view-only role
//!   M  Harbor outlet manager at HB-001     D  a deactivated person (an Area Manager, signed in before)
//!   N  Northside owner (console)           R  a revoked token
//!                                          _  nobody
//! People act through the console (their session cookie); API clients through the API (their
//! bearer token). A session opens no API route but `GET /me`, and a token opens no server
//! function: those cells are 401 by design.
//!
//! Targets (each row names those it takes):
//!   -      none (the caller's own organization, or a list's whole content)
//!   own    at HB-001: Lena Moreau (Staff), the outlet HB-001 — the outlet manager's outlet
//!   other  at HB-002: Grace Kim (Staff), the outlet HB-002 — another outlet
//!   org    in Northside: a Staff member at NS-101, its outlet, its roles — another organization
//!   brand  Aiden Ross: in Northside, managed by Harbor's brand "Harbor Burger"
//!
//! Answers: 2 = 2xx; 1 = 401; 3 = 403; 4 = 404; x = 422 (the request passed authorization and
//! a field is refused: an id outside the caller's organization or reach reads "there is no such
//! outlet/role in this organization", as for an id that exists nowhere); b = 400; c = 409; for
//! lists S = 2xx showing the target, H = 2xx without it.
//!
//! What the cells settle:
//! - Outside the caller's organization (or, for an outlet manager, outside their outlet) a
//!   target is 404 — never 403, which would say it exists. A caller who lacks the permission
//!   altogether may be refused 403 before the target is looked up (the same for any id).
//! - A person's session opens no API route but `GET /me`, and a token opens no server
//!   function; a deactivated person and a revoked token are 401 everywhere.
//! - The open doors (sign-in, first-run setup, verification links) answer everyone alike: a
//!   wrong password 422 at the field, an unknown setup link 404, an unusable verification
//!   or reset link 403; a reset request gets the same 2xx for any address.
//! - Set `MATRIX_DEBUG=1` to see every answer's status and the start of its body.
//!
//! A route or server function without a row fails `every_route_and_server_function_has_a_row`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    None,
    Own,
    Other,
    Org,
    Brand,
}
use Target::{Brand, None as Whole, Org, Other, Own};

enum Face {
    Api(Method, &'static str),
    Rpc(&'static str),
}

struct Row {
    face: Face,
    /// The JSON body (API) or the form (server function), with placeholders.
    input: Input,
    /// What a list must (S) or must not (H) show of the target.
    marker: &'static str,
    cells: &'static [(Target, &'static str)],
}

enum Input {
    Nothing,
    Json(&'static str),
    Form(&'static [(&'static str, &'static str)]),
}

use Face::{Api, Rpc};
use Input::{Form, Json, Nothing};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PATCH: Method = Method::PATCH;
const DELETE: Method = Method::DELETE;

/// Shorthand for a row.
const fn row(
    face: Face,
    input: Input,
    marker: &'static str,
    cells: &'static [(Target, &'static str)],
) -> Row {
    Row {
        face,
        input,
        marker,
        cells,
    }
}

//                                  O V M N A a D R _
/// A browser's answer to a passkey registration, well formed (proving nothing).
const PASSKEY_REGISTRATION: &str = r#"{"name": "Matrix key", "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"attestationObject": "AAAA", "clientDataJSON": "AAAA"}}}"#;
/// A browser's answer to a passkey sign-in, well formed (proving nothing).
const PASSKEY_ASSERTION: &str = r#"{"next": null, "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": null}}}"#;

fn rows() -> Vec<Row> {
    vec![
        // ---- The API -------------------------------------------------------------------
        row(Api(GET, "/me"), Nothing, "", &[(Whole, "222222111")]),
        row(
            Api(GET, "/audit-events"),
            Nothing,
            "",
            &[(Whole, "111123111")],
        ),
        row(
            Api(GET, "/outlets"),
            Nothing,
            "{outlet}",
            &[(Own, "1111SS111"), (Other, "1111SS111"), (Org, "1111HH111")],
        ),
        row(
            Api(POST, "/outlets"),
            Json(r#"{"name": "Matrix {n}", "number": "MX-{n}"}"#),
            "",
            &[(Whole, "111123111")],
        ),
        row(
            Api(PATCH, "/outlets/{outlet}"),
            Json(r#"{"name": "{outlet_name}"}"#),
            "",
            &[(Own, "111123111"), (Other, "111123111"), (Org, "111143111")],
        ),
        row(
            Api(GET, "/outlet-groups"),
            Nothing,
            "{group}",
            &[(Own, "1111SS111"), (Org, "1111HH111")],
        ),
        row(
            Api(GET, "/outlet-groups/{group}"),
            Nothing,
            "",
            &[(Own, "111122111"), (Org, "111144111")],
        ),
        row(
            Api(POST, "/outlet-groups"),
            Json(r#"{"name": "Matrix group {n}", "outlets": ["{outlet}"]}"#),
            "",
            &[(Own, "111123111"), (Org, "1111x3111")],
        ),
        row(
            Api(PATCH, "/outlet-groups/{group}"),
            Json(r#"{"add_outlets": ["{outlet}"]}"#),
            "",
            &[(Own, "111123111"), (Org, "111143111")],
        ),
        row(
            Api(DELETE, "/outlet-groups/{fresh_group}"),
            Nothing,
            "",
            &[(Own, "111123111"), (Org, "111143111")],
        ),
        row(
            Api(GET, "/report-roles"),
            Nothing,
            "{report_role}",
            &[(Own, "1111SS111"), (Org, "1111HH111")],
        ),
        row(
            Api(POST, "/report-roles"),
            Json(r#"{"name": "Matrix {n}"}"#),
            "",
            &[(Whole, "111123111")],
        ),
        row(
            Api(PATCH, "/report-roles/{report_role}"),
            Json(r#"{"name": "{report_role_name}"}"#),
            "",
            &[(Own, "111123111"), (Org, "111143111")],
        ),
        row(
            Api(DELETE, "/report-roles/{fresh_report_role}"),
            Nothing,
            "",
            &[(Own, "111123111"), (Org, "111143111")],
        ),
        row(
            Api(GET, "/user-connectors"),
            Nothing,
            "{connector}",
            &[
                (Own, "1111SS111"),
                (Other, "1111SS111"),
                (Org, "1111HH111"),
                (Brand, "1111HH111"),
            ],
        ),
        row(
            Api(POST, "/user-connectors"),
            Json(
                r#"{"email": "matrix{n}@harbor.example", "role": "{role}", "outlet": "{outlet}"}"#,
            ),
            "",
            &[(Own, "111123111"), (Other, "111123111"), (Org, "1111x3111")],
        ),
        row(
            Api(POST, "/user-connectors"),
            Json(
                r#"{"email": "matrix{n}@harbor.example", "role": "{role}", "outlet_group": "{group}"}"#,
            ),
            "",
            &[(Own, "111123111"), (Org, "1111x3111")],
        ),
        row(
            Api(GET, "/user-connectors/{connector}"),
            Nothing,
            "",
            &[
                (Own, "111122111"),
                (Other, "111122111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(PATCH, "/user-connectors/{connector}"),
            Json(r#"{"role": "{role}"}"#),
            "",
            &[
                (Own, "111123111"),
                (Other, "111123111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(POST, "/user-connectors/{fresh_connector}/transfer"),
            Json(r#"{"outlet": "{away}"}"#),
            "",
            &[
                (Own, "111123111"),
                (Other, "111123111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(DELETE, "/user-connectors/{fresh_connector}"),
            Nothing,
            "",
            &[
                (Own, "111123111"),
                (Other, "111123111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(GET, "/user-roles"),
            Nothing,
            "{custom_role}",
            &[(Own, "1111SS111"), (Org, "1111HH111")],
        ),
        row(
            Api(POST, "/user-roles"),
            Json(
                r#"{"name": "Matrix {n}", "type": "L", "partner_role": "viewer", "permissions": ["users.view"]}"#,
            ),
            "",
            &[(Whole, "111123111")],
        ),
        row(
            Api(PATCH, "/user-roles/{custom_role}"),
            Json(r#"{"name": "{custom_role_name}"}"#),
            "",
            &[(Own, "111123111"), (Org, "111144111")],
        ),
        row(
            Api(DELETE, "/user-roles/{fresh_role}"),
            Nothing,
            "",
            &[(Own, "111123111"), (Org, "111144111")],
        ),
        row(
            Api(GET, "/users"),
            Nothing,
            "{user}",
            &[
                (Own, "1111SS111"),
                (Other, "1111SS111"),
                (Org, "1111HH111"),
                (Brand, "1111HH111"),
            ],
        ),
        row(
            Api(POST, "/users"),
            Json(
                r#"[{"username": "matrix{n}", "email": "matrix{n}@harbor.example", "default_location": {"id": "{outlet}"}, "locations": [{"id": "{outlet}"}], "user_roles": [{"id": "{role}"}]}]"#,
            ),
            "",
            &[(Own, "111123111"), (Other, "111123111"), (Org, "1111x3111")],
        ),
        row(
            Api(GET, "/users/{user}"),
            Nothing,
            "",
            &[
                (Own, "111122111"),
                (Other, "111122111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(PATCH, "/users/{user}"),
            Json(r#"{"last_name": "{last_name}"}"#),
            "",
            &[
                (Own, "111123111"),
                (Other, "111123111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(GET, "/users/{fresh_invitee}/invitation"),
            Nothing,
            "",
            &[
                (Own, "111122111"),
                (Other, "111122111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(POST, "/users/{fresh_invitee}/invitation"),
            Nothing,
            "",
            &[
                (Own, "111123111"),
                (Other, "111123111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        row(
            Api(DELETE, "/users/{fresh_invitee}/invitation"),
            Nothing,
            "",
            &[
                (Own, "111123111"),
                (Other, "111123111"),
                (Org, "111144111"),
                (Brand, "111144111"),
            ],
        ),
        // ---- The console: people and access ----------------------------------------------
        row(
            Rpc("list_people"),
            Form(&[("search", "{email}")]),
            "{email}",
            &[
                (Own, "SSSH11111"),
                (Other, "SSHH11111"),
                (Org, "HHHS11111"),
                (Brand, "HHHS11111"),
            ],
        ),
        row(
            Rpc("get_person"),
            Form(&[("id", "{user}")]),
            "",
            &[
                (Own, "222411111"),
                (Other, "224411111"),
                (Org, "444211111"),
                (Brand, "444211111"),
            ],
        ),
        row(
            Rpc("person_editing"),
            Form(&[("id", "{user}")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "434211111"),
                (Brand, "434211111"),
            ],
        ),
        row(
            Rpc("update_person"),
            Form(&[("id", "{user}"), ("last_name", "{last_name}")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "444211111"),
                (Brand, "444311111"),
            ],
        ),
        row(
            Rpc("send_invitation"),
            Form(&[("id", "{fresh_invitee}")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "444211111"),
                (Brand, "444311111"),
            ],
        ),
        row(
            Rpc("revoke_invitation"),
            Form(&[("id", "{fresh_invitee}")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "444211111"),
                (Brand, "444311111"),
            ],
        ),
        row(
            Rpc("set_person_status"),
            Form(&[("id", "{user}"), ("inactive", "false")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "444211111"),
                (Brand, "444311111"),
            ],
        ),
        row(
            Rpc("list_connectors"),
            Form(&[("query[email]", "{email}")]),
            "{connector}",
            &[
                (Own, "SSSH11111"),
                (Other, "SSHH11111"),
                (Org, "HHHS11111"),
                (Brand, "HHHS11111"),
            ],
        ),
        row(
            Rpc("access_report"),
            Form(&[("query[email]", "{email}")]),
            "{connector}",
            &[(Own, "SSSH11111"), (Other, "SSHH11111"), (Org, "HHHS11111")],
        ),
        row(Rpc("access_options"), Nothing, "", &[(Whole, "222211111")]),
        row(
            Rpc("add_connector"),
            Form(&[
                ("email", "matrix{n}@harbor.example"),
                ("first_name", "Matrix"),
                ("last_name", "Cell"),
                ("role", "{role}"),
                ("outlet", "{outlet}"),
            ]),
            "",
            &[(Own, "232x11111"), (Other, "23xx11111"), (Org, "x3x211111")],
        ),
        row(
            Rpc("add_connector"),
            Form(&[
                ("email", "matrix{n}@harbor.example"),
                ("first_name", "Matrix"),
                ("last_name", "Group"),
                ("role", "{role}"),
                ("outlet", ""),
                ("outlet_group", "{group}"),
            ]),
            "",
            &[(Own, "233x11111"), (Org, "x3x211111")],
        ),
        row(
            Rpc("change_connector"),
            Form(&[("id", "{connector}"), ("role", "{role}")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "444211111"),
                (Brand, "444311111"),
            ],
        ),
        row(
            Rpc("revoke_connector"),
            Form(&[("id", "{fresh_connector}")]),
            "",
            &[
                (Own, "232411111"),
                (Other, "234411111"),
                (Org, "444211111"),
                (Brand, "444311111"),
            ],
        ),
        // ---- The console: Security & Permissions, roles, API clients ----------------------
        row(
            Rpc("security_overview"),
            Nothing,
            "",
            &[(Whole, "222211111")],
        ),
        row(
            Rpc("switch_api_edits"),
            Form(&[("brand", ""), ("allowed", "true")]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("create_role"),
            Form(&[
                ("name", "Matrix {n}"),
                ("role_type", "L"),
                ("partner_role", "viewer"),
                ("permissions[]", "users.view"),
            ]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("update_role"),
            Form(&[
                ("id", "{custom_role}"),
                ("name", "{custom_role_name}"),
                ("partner_role", "viewer"),
                ("permissions[]", "users.view"),
            ]),
            "",
            &[(Own, "233411111"), (Org, "444211111")],
        ),
        row(
            Rpc("delete_role"),
            Form(&[("id", "{fresh_role}")]),
            "",
            &[(Own, "233411111"), (Org, "444211111")],
        ),
        row(
            Rpc("save_report_role"),
            Form(&[("name", "Matrix {n}")]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("delete_report_role"),
            Form(&[("id", "{fresh_report_role}")]),
            "",
            &[(Own, "233411111"), (Org, "433211111")],
        ),
        row(Rpc("api_clients"), Nothing, "", &[(Whole, "233211111")]),
        row(
            Rpc("issue_api_client"),
            Form(&[
                ("name", "Matrix {n}"),
                ("role", "{api_role}"),
                ("outlet", ""),
            ]),
            "",
            &[(Own, "233x11111"), (Org, "x33211111")],
        ),
        row(
            Rpc("scim_connections"),
            Nothing,
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("issue_scim_connection"),
            Form(&[
                ("name", "Matrix SCIM {n}"),
                ("role", "{api_role}"),
                ("outlet", ""),
                ("people_role", ""),
                ("people_outlet", ""),
            ]),
            "",
            &[(Own, "233x11111"), (Org, "x33211111")],
        ),
        row(
            Rpc("revoke_api_client"),
            Form(&[("id", "{fresh_client}")]),
            "",
            &[(Own, "233411111"), (Org, "433211111")],
        ),
        row(Rpc("audit_log"), Nothing, "", &[(Whole, "233211111")]),
        // ---- The console: the organization, outlets ---------------------------------------
        row(
            Rpc("organization_settings"),
            Nothing,
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("save_organization_settings"),
            Form(&[("name", "{my_org_name}"), ("time_zone", "{my_time_zone}")]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("outlets_page"),
            Form(&[("search", "{number}")]),
            "{outlet}",
            &[(Own, "S33H11111"), (Other, "S33H11111"), (Org, "H33S11111")],
        ),
        row(
            Rpc("outlet_choices"),
            Form(&[("search", "{number}")]),
            "{number}",
            &[(Own, "SSSH11111"), (Other, "SSHH11111"), (Org, "HHHS11111")],
        ),
        row(
            Rpc("start_bulk_action"),
            Form(&[
                ("action", "remove_role"),
                ("role", "{custom_role}"),
                ("people", "{user}"),
            ]),
            "",
            &[(Own, "232x11111"), (Other, "23xx11111"), (Org, "x3x211111")],
        ),
        row(
            Rpc("bulk_progress"),
            Form(&[("id", "{fresh_bulk_job}")]),
            "",
            &[(Own, "244411111"), (Org, "444211111")],
        ),
        row(
            // Someone who may not read groups is offered none (an empty list, not a refusal).
            Rpc("outlet_group_choices"),
            Form(&[("search", "Matrix")]),
            "",
            &[(Whole, "222211111")],
        ),
        row(
            Rpc("outlet_groups_page"),
            Nothing,
            "{group}",
            &[(Own, "SS3H11111"), (Org, "HH3S11111")],
        ),
        row(
            Rpc("save_outlet_group"),
            Form(&[("name", "Matrix group {n}")]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("save_outlet_group"),
            Form(&[("id", "{group}"), ("name", "Matrix district")]),
            "",
            &[(Own, "233411111"), (Org, "433211111")],
        ),
        row(
            Rpc("change_group_outlets"),
            Form(&[("id", "{group}"), ("outlet", "{number}")]),
            "",
            &[(Own, "233x11111"), (Org, "xxx211111")],
        ),
        row(
            Rpc("delete_outlet_group"),
            Form(&[("id", "{fresh_group}")]),
            "",
            &[(Own, "233411111"), (Org, "433211111")],
        ),
        row(
            Rpc("save_outlet"),
            Form(&[
                ("id", "{outlet}"),
                ("name", "{outlet_name}"),
                ("number", "{number}"),
            ]),
            "",
            &[(Own, "233411111"), (Other, "233411111"), (Org, "433211111")],
        ),
        row(
            Rpc("set_outlet_archived"),
            Form(&[("id", "{outlet}"), ("archived", "false")]),
            "",
            &[(Own, "233411111"), (Other, "233411111"), (Org, "433211111")],
        ),
        row(
            Rpc("preview_outlet_import"),
            Form(&[("csv", "name,number\nMatrix {n},MI-{n}\n")]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("apply_outlet_import"),
            Form(&[("csv", "name,number\nMatrix {n},MI-{n}\n")]),
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("outlet_import_progress"),
            Form(&[("id", "{job}")]),
            "",
            &[(Own, "233411111")],
        ),
        // ---- The console: brands and franchisees ------------------------------------------
        row(
            Rpc("organization_brands"),
            Nothing,
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("save_brand"),
            Form(&[("name", "Matrix {n}")]),
            "",
            &[(Whole, "233311111")],
        ),
        row(
            Rpc("add_franchisee"),
            Form(&[
                ("brand", "{brand}"),
                ("name", "Matrix {n}"),
                ("slug", "matrix-{n}"),
                ("owner_email", "owner{n}@matrix.example"),
            ]),
            "",
            &[(Own, "233411111")],
        ),
        row(
            Rpc("invite_franchisee"),
            Form(&[("brand", "{brand}"), ("slug", "{fresh_independent}")]),
            "",
            &[(Own, "233411111")],
        ),
        row(
            Rpc("withdraw_invitation"),
            Form(&[("id", "{fresh_invitation}")]),
            "",
            &[(Own, "233411111")],
        ),
        row(
            Rpc("franchise_invitations"),
            Nothing,
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("answer_invitation"),
            Form(&[("id", "{fresh_invitation}"), ("answer", "decline")]),
            "",
            &[(Own, "433411111")],
        ),
        row(
            Rpc("unlink_franchisee"),
            Form(&[("brand", "{brand}"), ("organization", "{franchisee}")]),
            "",
            &[(Own, "x33411111")],
        ),
        // ---- The console: oneself, and the open doors -------------------------------------
        row(Rpc("current_viewer"), Nothing, "", &[(Whole, "222211111")]),
        row(Rpc("my_page"), Nothing, "", &[(Whole, "222211111")]),
        row(
            Rpc("change_my_name"),
            Form(&[
                ("first_name", "{my_first_name}"),
                ("last_name", "{my_last_name}"),
            ]),
            "",
            &[(Whole, "222211111")],
        ),
        row(
            Rpc("change_my_password"),
            Form(&[
                ("current_password", "{demo_password}"),
                ("new_password", "{demo_password}"),
                ("confirmation", "{demo_password}"),
            ]),
            "",
            &[(Whole, "222211111")],
        ),
        row(Rpc("my_sign_ins"), Nothing, "", &[(Whole, "222211111")]),
        row(
            Rpc("end_session"),
            Form(&[("id", "0193a1b2-0000-7000-8000-000000000000")]),
            "",
            &[(Whole, "444411111")],
        ),
        row(
            Rpc("end_other_sessions"),
            Nothing,
            "",
            &[(Whole, "222211111")],
        ),
        // Two-step sign-in: nobody in the matrix has enrolled, so turning it off and new
        // recovery codes are 409; a code with no enrolment waiting is 422 at the field.
        row(Rpc("two_step_status"), Nothing, "", &[(Whole, "222211111")]),
        row(Rpc("two_step_begin"), Nothing, "", &[(Whole, "222211111")]),
        row(
            Rpc("two_step_confirm"),
            Form(&[("code", "000000")]),
            "",
            &[(Whole, "xxxx11111")],
        ),
        row(
            Rpc("two_step_turn_off"),
            Form(&[("password", "{demo_password}")]),
            "",
            &[(Whole, "cccc11111")],
        ),
        row(
            Rpc("two_step_renew_codes"),
            Form(&[("password", "{demo_password}")]),
            "",
            &[(Whole, "cccc11111")],
        ),
        row(
            Rpc("two_step_requirement"),
            Nothing,
            "",
            &[(Whole, "233211111")],
        ),
        row(
            Rpc("require_two_step"),
            Form(&[("required", "false")]),
            "",
            &[(Whole, "233211111")],
        ),
        // Passkeys: the matrix's server is reached by an IP address, so it offers none (403
        // after the caller is known); a ceremony never begun is 403 too.
        row(Rpc("my_passkeys"), Nothing, "", &[(Whole, "222211111")]),
        row(
            Rpc("passkey_register_begin"),
            Form(&[("password", "{demo_password}")]),
            "",
            &[(Whole, "333311111")],
        ),
        row(
            Rpc("passkey_register_finish"),
            Json(PASSKEY_REGISTRATION),
            "",
            &[(Whole, "333311111")],
        ),
        row(
            Rpc("passkey_remove"),
            Form(&[("id", "0193a1b2-0000-7000-8000-000000000000")]),
            "",
            &[(Whole, "444411111")],
        ),
        row(
            Rpc("passkey_sign_in_begin"),
            Nothing,
            "",
            &[(Whole, "333333333")],
        ),
        row(
            Rpc("passkey_sign_in"),
            Json(PASSKEY_ASSERTION),
            "",
            &[(Whole, "333333333")],
        ),
        // Single sign-on: nobody in the matrix has a connection (404 for those who manage
        // settings); a connection whose issuer does not answer is 422 at the field.
        row(
            Rpc("sso_offered"),
            Form(&[("email", "someone@harbor.example")]),
            "",
            &[(Whole, "222222222")],
        ),
        row(Rpc("sso_connection"), Nothing, "", &[(Whole, "233211111")]),
        row(
            Rpc("save_sso_connection"),
            Form(&[
                ("issuer", "http://127.0.0.1:9"),
                ("client_id", "matrix"),
                ("client_secret", "matrix-secret"),
                ("display_name", "Matrix SSO"),
            ]),
            "",
            &[(Whole, "x33x11111")],
        ),
        row(
            Rpc("require_sso"),
            Form(&[("required", "false")]),
            "",
            &[(Whole, "433411111")],
        ),
        row(
            Rpc("remove_sso_connection"),
            Nothing,
            "",
            &[(Whole, "433411111")],
        ),
        row(
            Rpc("login_two_step"),
            Form(&[("code", "123456")]),
            "",
            &[(Whole, "333333333")],
        ),
        row(
            Rpc("login"),
            Form(&[
                ("identifier", "matrix.nobody@harbor.example"),
                ("password", "not-the-password"),
            ]),
            "",
            &[(Whole, "xxxxxxxxx")],
        ),
        row(
            Rpc("setup_open"),
            Form(&[("token", "not-a-setup-token")]),
            "",
            &[(Whole, "444444444")],
        ),
        row(
            Rpc("complete_setup"),
            Form(&[
                ("token", "not-a-setup-token"),
                ("name", "Matrix Group"),
                ("slug", "matrix-group"),
                ("kind", "independent"),
                ("time_zone", "UTC"),
                ("email", "owner@matrix-group.example"),
                ("first_name", "Matrix"),
                ("last_name", "Owner"),
                ("password", "{demo_password}"),
                ("confirmation", "{demo_password}"),
            ]),
            "",
            &[(Whole, "444444444")],
        ),
        row(
            Rpc("verify_email"),
            Form(&[("token", "not-a-verification-token")]),
            "",
            &[(Whole, "333333333")],
        ),
        row(
            Rpc("verify_set_password"),
            Form(&[
                ("token", "not-a-verification-token"),
                ("password", "{demo_password}"),
                ("confirmation", "{demo_password}"),
            ]),
            "",
            &[(Whole, "333333333")],
        ),
        row(
            Rpc("password_reset_request"),
            Form(&[("email", "matrix{n}@nowhere.example")]),
            "",
            &[(Whole, "222222222")],
        ),
        row(
            Rpc("password_reset_email"),
            Form(&[("token", "not-a-reset-token")]),
            "",
            &[(Whole, "333333333")],
        ),
        row(
            Rpc("password_reset_complete"),
            Form(&[
                ("token", "not-a-reset-token"),
                ("password", "{demo_password}"),
                ("confirmation", "{demo_password}"),
            ]),
            "",
            &[(Whole, "333333333")],
        ),
        // Last: these change the session they are sent with.
        row(
            Rpc("switch_organization"),
            Form(&[("organization_id", "{organization}")]),
            "",
            &[(Own, "222411111"), (Org, "244211111")],
        ),
        row(Rpc("logout"), Nothing, "", &[(Whole, "222211111")]),
    ]
}

const COLUMNS: [&str; 9] = ["O", "V", "M", "N", "A", "a", "D", "R", "_"];

/// How a caller reaches the server: a signed-in console (its own cookie jar) or a token.
enum Caller {
    Person(Box<TestApp>, Values),
    Token(String),
    Nobody,
}

type Values = BTreeMap<&'static str, String>;

struct World {
    app: TestApp,
    callers: Vec<Caller>,
    targets: BTreeMap<Target, Values>,
    harbor: String,
    northside: String,
    counter: AtomicU32,
}

impl World {
    fn next(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A placeholder made afresh for each use (what a cell deletes or answers).
    async fn fresh(&self, name: &str, target: Target, values: &Values) -> String {
        let n = self.next();
        let token = if target == Org {
            &self.northside
        } else {
            &self.harbor
        };
        let created = |reply: Reply| {
            assert!(reply.status.is_success(), "{name}: {}", reply.body);
            reply.body["id"].as_str().unwrap().to_string()
        };
        match name {
            "fresh_connector" if target == Brand => values["connector"].clone(),
            "fresh_connector" => created(
                self.app
                    .api_post(
                        "/user-connectors",
                        token,
                        json!({ "email": format!("fresh{n}@matrix.example"), "role": values["role"], "outlet": values["outlet"] }),
                    )
                    .await,
            ),
            // Someone just invited (a pending invitation); Aiden (never invited) for a brand.
            "fresh_invitee" if target == Brand => values["user"].clone(),
            "fresh_invitee" => {
                let reply = self
                    .app
                    .api_post(
                        "/user-connectors",
                        token,
                        json!({ "email": format!("invitee{n}@matrix.example"), "role": values["role"], "outlet": values["outlet"], "send_verification_email": true }),
                    )
                    .await;
                assert!(reply.status.is_success(), "{name}: {}", reply.body);
                reply.body["user"]["id"].as_str().unwrap().to_string()
            }
            "fresh_group" => created(
                self.app
                    .api_post(
                        "/outlet-groups",
                        token,
                        json!({ "name": format!("Fresh group {n}"), "outlets": [values["outlet"]] }),
                    )
                    .await,
            ),
            // A bulk action the organization's owner started (it changes nobody).
            "fresh_bulk_job" => {
                let Caller::Person(owner, _) = &self.callers[if target == Org { 3 } else { 0 }]
                else {
                    unreachable!()
                };
                let (status, job) = owner
                    .rpc(
                        "start_bulk_action",
                        &[
                            ("action", "remove_role"),
                            ("role", &values["custom_role"]),
                            ("people", &values["user"]),
                        ],
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{job}");
                job["progress"]["id"].as_str().unwrap().to_string()
            }
            "fresh_role" => created(
                self.app
                    .api_post(
                        "/user-roles",
                        token,
                        json!({ "name": format!("Fresh {n}"), "type": "L", "partner_role": "viewer", "permissions": ["users.view"] }),
                    )
                    .await,
            ),
            "fresh_report_role" => created(
                self.app
                    .api_post("/report-roles", token, json!({ "name": format!("Fresh {n}") }))
                    .await,
            ),
            "fresh_client" => {
                let org = if target == Org { "northside" } else { "harbor" };
                let client = format!("fresh client {n}");
                let mut work = self.app.context.begin().await.unwrap();
                brigade::service::api_tokens::create(
                    &mut work,
                    brigade::service::api_tokens::NewToken {
                        organization_slug: org,
                        role_name: "Viewer",
                        outlet_number: None,
                        name: &client,
                    },
                )
                .await
                .unwrap();
                work.commit().await.unwrap();
                self.app
                    .id_of("SELECT id FROM api_tokens WHERE name = $1", &client)
                    .await
                    .to_string()
            }
            "fresh_independent" => {
                let slug = format!("indie-{n}");
                independent_organization(&self.app, &slug).await;
                slug
            }
            "fresh_invitation" => {
                let slug = format!("invited-{n}");
                let organization = independent_organization(&self.app, &slug).await;
                let invitation = uuid::Uuid::now_v7();
                self.app
                    .query(
                        "INSERT INTO franchise_invitations (id, brand_id, organization_id, created_at)
                         VALUES ($1, $2, $3, '2026-01-01T00:00:00.000Z')",
                    )
                    .bind(invitation)
                    .bind(uuid::Uuid::parse_str(&values["brand"]).unwrap())
                    .bind(organization)
                    .execute()
                    .await
                    .unwrap();
                invitation.to_string()
            }
            other => panic!("no fresh {other}"),
        }
    }

    /// The template with every placeholder filled for this target and caller.
    async fn fill(&self, template: &str, target: Target, own: Option<&Values>) -> String {
        let values = &self.targets[&target];
        let mut text = template.replace("{n}", &self.next().to_string());
        let mut from = 0;
        while let Some(start) = text[from..].find('{').map(|i| from + i) {
            let name: String = text[start + 1..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if name.is_empty() || !text[start + 1 + name.len()..].starts_with('}') {
                from = start + 1;
                continue;
            }
            let value = if name.starts_with("fresh_") {
                self.fresh(&name, target, values).await
            } else if let Some(value) = values.get(name.as_str()) {
                value.clone()
            } else if let Some(value) = own.and_then(|own| own.get(name.as_str())) {
                value.clone()
            } else if name.starts_with("my_") {
                // A caller without a console: the value does not matter, it is refused.
                String::new()
            } else {
                panic!("no value for {{{name}}} at {target:?}")
            };
            text.replace_range(start..start + name.len() + 2, &value);
            from = start + value.len();
        }
        text
    }

    /// The answer of one cell, as its letter.
    async fn answer(&self, row: &Row, target: Target, caller: &Caller) -> char {
        let own = match caller {
            Caller::Person(_, values) => Some(values),
            _ => None,
        };
        let (status, text) = match &row.face {
            Api(method, path) => {
                let path = self.fill(path, target, own).await;
                let mut request = match caller {
                    Caller::Person(person, _) => person
                        .client
                        .request(method.clone(), person.url(&format!("/api/v1{path}"))),
                    _ => self
                        .app
                        .client
                        .request(method.clone(), self.app.url(&format!("/api/v1{path}"))),
                };
                if let Caller::Token(token) = caller {
                    request = request.bearer_auth(token);
                }
                if let Json(body) = &row.input {
                    let body: Value =
                        serde_json::from_str(&self.fill(body, target, own).await).unwrap();
                    request = request.json(&body);
                }
                let response = request.send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            }
            Rpc(name) => {
                let mut request = match caller {
                    Caller::Person(person, _) => {
                        person.client.post(person.url(&format!("/rpc/{name}")))
                    }
                    _ => self.app.client.post(self.app.url(&format!("/rpc/{name}"))),
                };
                if let Caller::Token(token) = caller {
                    request = request.bearer_auth(token);
                }
                request = match &row.input {
                    Json(body) => request
                        .header("Content-Type", "application/json")
                        .body(self.fill(body, target, own).await),
                    Form(pairs) => {
                        let mut form = Vec::new();
                        for (key, value) in *pairs {
                            form.push((key.to_string(), self.fill(value, target, own).await));
                        }
                        request.form(&form)
                    }
                    Nothing => request.form(&[] as &[(String, String)]),
                };
                let response = request
                    .header("Accept", "application/json")
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.text().await.unwrap())
            }
        };
        if std::env::var("MATRIX_DEBUG").is_ok() {
            eprintln!(
                "{} {target:?} {} {}",
                route_of(&row.face),
                status,
                &text[..text.len().min(300)]
            );
        }
        match status.as_u16() {
            200..=299 if row.marker.is_empty() => '2',
            200..=299 => {
                let marker = self.fill(row.marker, target, own).await;
                if text.contains(&marker) { 'S' } else { 'H' }
            }
            400 => 'b',
            401 => '1',
            403 => '3',
            404 => '4',
            409 => 'c',
            422 => 'x',
            other => panic!("{other} is not an answer the matrix knows: {text}"),
        }
    }
}

/// An independent organization (its owner is no caller of the matrix); its id.
async fn independent_organization(app: &TestApp, slug: &str) -> uuid::Uuid {
    use brigade::domain::organization::OrganizationForm;
    let new = OrganizationForm {
        name: format!("Independent {slug}"),
        slug: slug.into(),
        kind: "independent".into(),
        time_zone: "UTC".into(),
        email: format!("owner@{slug}.example"),
        first_name: "Olive".into(),
        last_name: "Owner".into(),
        password: None,
    }
    .parse(&[brigade::domain::model::OrganizationKind::Independent])
    .unwrap();
    let mut work = app.context.begin().await.unwrap();
    let actor = brigade::store::audit::Actor {
        user_id: None,
        token_id: None,
        via: brigade::domain::model::Via::Cli,
    };
    brigade::service::setup::create_organization(&mut work, actor, &new)
        .await
        .unwrap();
    work.commit().await.unwrap();
    app.organization(slug).await.0
}

async fn signed_in(app: &TestApp, email: &str) -> TestApp {
    app.give_password(email).await;
    let person = spawn_on(&app.database_url, &app.dir).await;
    person.sign_in_as(email).await;
    person
}

/// The callers, the targets and what they are called.
async fn world() -> World {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    let view_only = app.api_token("harbor", "Viewer", None).await;
    let revoked = app.api_token("harbor", "Integration", None).await;
    app.query(
        "UPDATE api_tokens SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE token_hash = $1",
    )
    .bind(brigade::service::secrets::hash(&revoked))
    .execute()
    .await
    .unwrap();

    let person = |org_name: &str, first: &str, last: &str, time_zone: &str| -> Values {
        BTreeMap::from([
            ("my_org_name", org_name.to_string()),
            ("my_first_name", first.to_string()),
            ("my_last_name", last.to_string()),
            ("my_time_zone", time_zone.to_string()),
        ])
    };
    let harbor_person =
        |first: &str, last: &str| person("Harbor Kitchen Group", first, last, "UTC");
    let owner = signed_in(&app, ADMIN).await;
    let viewer = signed_in(&app, "felix.grant@harbor.example").await;
    let manager = signed_in(&app, MANAGER).await;
    let northside_owner = signed_in(&app, NORTHSIDE_OWNER).await;
    let deactivated = signed_in(&app, "dana.whitfield@harbor.example").await;
    let dana = app.user_id("dana.whitfield@harbor.example").await;
    let reply = app
        .api_patch(
            &format!("/users/{dana}"),
            &harbor,
            json!({ "inactive": true }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let callers = vec![
        Caller::Person(Box::new(owner), harbor_person("Avery", "Lindqvist")),
        Caller::Person(Box::new(viewer), harbor_person("Felix", "Grant")),
        Caller::Person(Box::new(manager), harbor_person("Morgan", "Reyes")),
        Caller::Person(
            Box::new(northside_owner),
            person("Northside Foods", "Nia", "Okafor", "UTC"),
        ),
        Caller::Token(harbor.clone()),
        Caller::Token(view_only),
        Caller::Person(Box::new(deactivated), harbor_person("Dana", "Whitfield")),
        Caller::Token(revoked),
        Caller::Nobody,
    ];

    // Northside's own Staff member, at NS-101.
    let made = app
        .api_post(
            "/user-connectors",
            &northside,
            json!({ "email": "matrix.ns@northside.example", "first_name": "Nora", "last_name": "North",
                    "role": app.role_id("northside", "Staff").await, "outlet": app.outlet_id("NS-101").await }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // A role of each organization's own, to change and list.
    let mut custom = BTreeMap::new();
    for (org, token) in [("harbor", &harbor), ("northside", &northside)] {
        let role = app
            .api_post(
                "/user-roles",
                token,
                json!({ "name": "Matrix custom", "type": "L", "partner_role": "viewer", "permissions": ["users.view"] }),
            )
            .await;
        assert_eq!(role.status, StatusCode::CREATED, "{}", role.body);
        custom.insert(org, role.body["id"].as_str().unwrap().to_string());
    }
    let report_role = |org: &'static str, name: &'static str| {
        let app = &app;
        async move {
            app.query("SELECT r.id FROM report_roles r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = $1 AND r.name = $2")
                .bind(org)
                .bind(name)
                .scalar::<uuid::Uuid>()
                .await
                .unwrap()
                .to_string()
        }
    };
    let brand = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger")
        .await
        .to_string();
    let organization = |slug: &'static str| {
        let app = &app;
        async move { app.organization(slug).await.0.to_string() }
    };
    // An outlet import of the owner's, to ask after.
    let (status, job) = {
        let Caller::Person(owner, _) = &callers[0] else {
            unreachable!()
        };
        owner
            .rpc(
                "apply_outlet_import",
                &[("csv", "name,number\nMatrix Import,MJ-1\n")],
            )
            .await
    };
    assert_eq!(status, StatusCode::OK, "{job}");

    // An outlet group of each organization's own, holding the target's outlet.
    let mut groups = BTreeMap::new();
    for (org, token, outlet) in [
        ("harbor", &harbor, "HB-001"),
        ("northside", &northside, "NS-101"),
    ] {
        let group = app
            .api_post(
                "/outlet-groups",
                token,
                json!({ "name": "Matrix district", "outlets": [app.outlet_id(outlet).await] }),
            )
            .await;
        assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
        groups.insert(org, group.body["id"].as_str().unwrap().to_string());
    }
    let mut targets = BTreeMap::new();
    for (target, email, org, outlet) in [
        (Own, "lena.moreau@harbor.example", "harbor", "HB-001"),
        (Other, "grace.kim@harbor.example", "harbor", "HB-002"),
        (Org, "matrix.ns@northside.example", "northside", "NS-101"),
        (Brand, "aiden.ross@northside.example", "northside", "NS-102"),
    ] {
        let user = app.user_id(email).await;
        let (last_name, outlet_name): (String, String) = (
            app.query("SELECT last_name FROM user_accounts WHERE id = $1")
                .bind(user)
                .scalar()
                .await
                .unwrap(),
            app.query("SELECT name FROM outlets WHERE number = $1")
                .bind(outlet)
                .scalar()
                .await
                .unwrap(),
        );
        let (report_role_name, api_role) = if org == "harbor" {
            ("Finance", app.role_id("harbor", "Integration").await)
        } else {
            ("Labor", app.role_id("northside", "Integration").await)
        };
        let values: Values = BTreeMap::from([
            ("email", email.to_string()),
            ("user", user.to_string()),
            ("connector", app.connector_in(org, email).await.to_string()),
            ("last_name", last_name),
            ("outlet", app.outlet_id(outlet).await.to_string()),
            // Another outlet of the same organization, where nobody but its owner manages.
            (
                "away",
                app.outlet_id(if org == "harbor" { "HB-003" } else { "NS-102" })
                    .await
                    .to_string(),
            ),
            ("outlet_name", outlet_name),
            ("number", outlet.to_string()),
            ("role", app.role_id(org, "Staff").await.to_string()),
            ("custom_role", custom[org].clone()),
            ("group", groups[org].clone()),
            ("custom_role_name", "Matrix custom".to_string()),
            ("report_role", report_role(org, report_role_name).await),
            ("report_role_name", report_role_name.to_string()),
            ("api_role", api_role.to_string()),
            ("organization", organization(org).await),
            ("brand", brand.clone()),
            ("franchisee", organization("northside").await),
            ("job", job["id"].as_str().unwrap_or_default().to_string()),
            ("demo_password", DEMO_PASSWORD.to_string()),
        ]);
        targets.insert(target, values);
    }
    let whole = targets[&Own].clone();
    targets.insert(Whole, whole);
    World {
        app,
        callers,
        targets,
        harbor,
        northside,
        counter: AtomicU32::new(1),
    }
}

/// `METHOD /path/{id}` of an API route (any placeholder read as `{id}`), `rpc name` of a
/// server function.
fn api_route(method: &str, path: &str) -> String {
    let generic: Vec<&str> = path
        .split('/')
        .map(|part| if part.starts_with('{') { "{id}" } else { part })
        .collect();
    format!("{} {}", method.to_uppercase(), generic.join("/"))
}

fn route_of(face: &Face) -> String {
    match face {
        Api(method, path) => api_route(method.as_str(), path),
        Rpc(name) => format!("rpc {name}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_matrix_holds_cell_by_cell() {
    let world = world().await;
    let rows = rows();

    // Every route of the contract and every server function has a row, and no row names
    // one that does not exist.
    let contract = world
        .app
        .get("/api/v1/openapi.json")
        .await
        .json::<Value>()
        .await
        .unwrap();
    let mut exists = BTreeSet::new();
    for (path, operations) in contract["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                exists.insert(api_route(method, path));
            }
        }
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        exists.insert(format!("rpc {}", path.trim_start_matches("/rpc/")));
    }
    let covered: BTreeSet<String> = rows.iter().map(|row| route_of(&row.face)).collect();
    assert_eq!(
        exists.difference(&covered).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "routes without a row in the matrix"
    );
    assert_eq!(
        covered.difference(&exists).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "rows for routes that do not exist"
    );

    let mut wrong = Vec::new();
    for row in &rows {
        for (target, expected) in row.cells {
            assert_eq!(
                expected.len(),
                COLUMNS.len(),
                "{}: {expected}",
                route_of(&row.face)
            );
            let mut observed = String::new();
            for caller in &world.callers {
                observed.push(world.answer(row, *target, caller).await);
            }
            if observed != *expected {
                wrong.push(format!(
                    "{:40} {target:?}: expected {expected}, answered {observed}",
                    route_of(&row.face)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "cells answered otherwise (columns {}):\n{}",
        COLUMNS.concat(),
        wrong.join("\n")
    );
}
