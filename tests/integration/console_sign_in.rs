//! Signing in and out, sessions, and the request guards.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_an_http_only_lax_session_cookie_and_goes_to_next() {
    let app = spawn_app().await;
    let response = app
        .sign_in_then("ADMIN@harbor.example", DEMO_PASSWORD, "/users?q=kim")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/users?q=kim");
    let cookie = TestApp::session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http gets no Secure flag: {cookie}"
    );

    let (status, html) = app.page("/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Avery Lindqvist"),
        "the header names the signed-in person"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_by_username_works_and_next_never_leaves_the_site() {
    let app = spawn_app().await;
    let response = app
        .sign_in_then("manager", DEMO_PASSWORD, "//evil.example/")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/users");
}

/// An error body without its request id (which every answer has, different each time).
fn without_request_id(body: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(body).unwrap();
    for inner in value.as_object_mut().unwrap().values_mut() {
        inner.as_object_mut().unwrap().remove("request_id");
    }
    value.to_string()
}

/// A sign-in's answer body, without its request id.
async fn sign_in_answer(app: &TestApp, identifier: &str, password: &str) -> String {
    without_request_id(
        &app.sign_in(identifier, password)
            .await
            .text()
            .await
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_person_get_the_same_message() {
    let app = spawn_app().await;
    let wrong = app.sign_in(ADMIN, "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(TestApp::session_cookie(&wrong).is_none());
    let wrong = without_request_id(&wrong.text().await.unwrap());
    let unknown = sign_in_answer(&app, "nobody@harbor.example", "not-the-password").await;
    assert!(wrong.contains("Email or password is incorrect."), "{wrong}");
    assert_eq!(wrong, unknown);
    // An account that never set a password cannot sign in either, with the same answer.
    let no_password = sign_in_answer(&app, "dana.whitfield@harbor.example", "").await;
    assert!(
        no_password.contains("Enter your password."),
        "{no_password}"
    );
    let no_password = sign_in_answer(&app, "dana.whitfield@harbor.example", "anything").await;
    assert_eq!(no_password, unknown);
    assert_eq!(app.get("/users").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactive_people_cannot_sign_in() {
    let app = spawn_app().await;
    let response = app.sign_in(INACTIVE, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("deactivated"));
    assert_eq!(app.get("/users").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_a_signed_in_person_ends_their_session() {
    let app = spawn_app().await;
    app.sign_in_as(MANAGER).await;
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    app.query("UPDATE memberships SET status = 'inactive' WHERE user_id = $1")
        .bind(app.user_id(MANAGER).await)
        .execute()
        .await
        .unwrap();
    assert_eq!(app.get("/users").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_needs_a_session() {
    let app = spawn_app().await;
    for path in [
        "/users",
        "/users?q=kim",
        "/",
        "/users/00000000-0000-0000-0000-000000000000",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/login?next="), "{path} -> {location}");
    }
    assert_eq!(
        app.get("/users?q=kim").await.headers()["location"],
        "/login?next=%2Fusers%3Fq%3Dkim"
    );
    let (status, body) = app
        .rpc("list_people", &[("search", ""), ("page", "1")])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let refused = app
        .client
        .post(app.url("/rpc/login"))
        .header("Origin", "http://evil.example")
        .form(&[("identifier", ADMIN), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(TestApp::session_cookie(&refused).is_none());
    let fetch_metadata = app
        .client
        .post(app.url("/rpc/logout"))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_metadata.status(), StatusCode::FORBIDDEN);

    let same_origin = app
        .client
        .post(app.url("/rpc/login"))
        .header("Origin", app.address.clone())
        .header("Accept", "application/json")
        .form(&[("identifier", ADMIN), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_issues_a_new_session_id_and_sign_out_ends_it() {
    let app = spawn_app().await;
    let first = TestApp::session_cookie(&app.sign_in(ADMIN, DEMO_PASSWORD).await).unwrap();
    let second = TestApp::session_cookie(&app.sign_in(MANAGER, DEMO_PASSWORD).await).unwrap();
    let id = |cookie: &str| cookie.split(';').next().unwrap().to_string();
    assert_ne!(id(&first), id(&second));

    // The old id is dead: a client holding it is signed out.
    let stale = browser();
    let response = stale
        .get(app.url("/users"))
        .header("Cookie", id(&first))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let (status, _) = app.rpc("logout", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get("/users").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_restart() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    // A second instance on the same database is what a restarted server looks like.
    let restarted = spawn_on(&app.database_url, &app.dir).await;
    let response = app
        .client
        .get(restarted.url("/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_in_two_organizations_switches_between_them() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (_, html) = app.page("/users").await;
    assert!(
        html.contains("organization-switcher"),
        "two memberships show the switcher"
    );
    assert!(
        app.people_emails("")
            .await
            .contains(&"dana.whitfield@harbor.example".to_string())
    );

    let northside: uuid::Uuid = app
        .query("SELECT id FROM organizations WHERE slug = 'northside'")
        .scalar()
        .await
        .unwrap();
    let (status, _) = app
        .rpc(
            "switch_organization",
            &[("organization_id", &northside.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let emails = app.people_emails("").await;
    assert!(emails.contains(&"jordan.blake@northside.example".to_string()));
    assert!(!emails.contains(&"dana.whitfield@harbor.example".to_string()));

    // One cannot switch into an organization one is not a member of.
    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (status, _) = manager
        .rpc(
            "switch_organization",
            &[("organization_id", &northside.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_never_leaves_the_site_whatever_it_looks_like() {
    let app = spawn_app().await;
    let bypasses = [
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "/\u{0}/x",
        "evil.example",
    ];
    for next in bypasses {
        let client = browser();
        let response = client
            .post(app.url("/rpc/login"))
            .header("Accept", "application/json")
            .form(&[
                ("identifier", ADMIN),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{next:?}");
        assert_eq!(response.headers()["location"], "/users", "{next:?}");
    }
    let kept = app
        .sign_in_then(ADMIN, DEMO_PASSWORD, "/connectors?type=O")
        .await;
    assert_eq!(kept.headers()["location"], "/connectors?type=O");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_throttled_per_account_on_every_server() {
    let app = spawn_app().await;
    for _ in 0..10 {
        let wrong = app.sign_in(MANAGER, "not-the-password").await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Another server on the same database counts the same failures, and even the right
    // password is refused until the window has passed.
    let other = spawn_on(&app.database_url, &app.dir).await;
    for attempt in [
        other.sign_in(MANAGER, DEMO_PASSWORD).await,
        other.sign_in("manager", "not-the-password").await,
    ] {
        assert_eq!(attempt.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = attempt.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
        let body = attempt.text().await.unwrap();
        assert!(
            body.contains("Too many failed sign-ins. Try again in 15 minutes."),
            "{body}"
        );
    }
    // Other people are not affected.
    assert_eq!(
        app.sign_in(ADMIN, DEMO_PASSWORD).await.status(),
        StatusCode::OK
    );
    // Once the failures are older than the window, the right password works again.
    app.exec("UPDATE sign_in_failures SET failed_at = '2000-01-01T00:00:00.000Z'")
        .await;
    assert_eq!(
        other.sign_in(MANAGER, DEMO_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_throttled_per_client_address() {
    let app = spawn_app().await;
    // Thirty failures from one address, each for a different login name, each claiming
    // another address in X-Forwarded-For: the peer is no trusted proxy, so it is not believed.
    for n in 0..30 {
        let wrong = sign_in_forwarded(
            &app,
            &format!("guess{n}@harbor.example"),
            "not-the-password",
            &format!("198.51.100.{n}"),
        )
        .await;
        assert_eq!(
            wrong.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {n}"
        );
    }
    let refused = app.sign_in(ADMIN, DEMO_PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_failures WHERE key LIKE 'address:%'")
            .await,
        30,
        "counted in the database, so every server shares it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_password_or_identifier_is_refused_before_anything_is_checked() {
    let app = spawn_app().await;
    let cases = [
        (
            "password over 256 bytes",
            ADMIN.to_string(),
            "p".repeat(257),
            "password",
        ),
        (
            "identifier longer than any email",
            "x".repeat(400),
            "password".to_string(),
            "identifier",
        ),
    ];
    for (name, identifier, password, field) in cases {
        let response = app.sign_in(&identifier, &password).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let body = response.text().await.unwrap();
        assert!(body.contains(&format!("\"{field}\"")), "{name}: {body}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_failures").await,
        0,
        "refused input is not a failed sign-in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_when_the_password_changes_or_its_lifetime_is_over() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    // Setting or changing a password bumps the account's session version.
    app.exec("UPDATE user_accounts SET session_version = session_version + 1 WHERE email = 'admin@harbor.example'")
        .await;
    assert_eq!(app.get("/users").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/users").await.status(),
        StatusCode::SEE_OTHER,
        "the session is gone"
    );

    use brigade::service::Clock;
    use brigade::service::auth::{SESSION_LIFETIME, SessionClaims, resume};
    let admin = brigade::domain::UserId(app.user_id(ADMIN).await);
    let organization = app.organization("harbor").await;
    let claims = SessionClaims {
        user: admin,
        organization,
        version: 1,
        signed_in_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        sign_in: None,
    };
    assert!(resume(&app.context, &claims).await.unwrap().is_some());
    let later = app.context.with_clock(Clock::shifted(
        SESSION_LIFETIME + time::Duration::seconds(1),
    ));
    assert!(
        resume(&later, &claims).await.unwrap().is_none(),
        "a session has an absolute lifetime, however active"
    );
}

/// Signs in with an `X-Forwarded-For` header.
async fn sign_in_forwarded(
    app: &TestApp,
    identifier: &str,
    password: &str,
    forwarded_for: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/rpc/login"))
        .header("Accept", "application/json")
        .header("X-Forwarded-For", forwarded_for)
        .form(&[
            ("identifier", identifier),
            ("password", password),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_is_throttled_on_its_own() {
    let app = spawn_app_trusting("127.0.0.1/32").await;
    // Thirty failures of one client behind the proxy (each for another login name)...
    for n in 0..30 {
        let wrong = sign_in_forwarded(
            &app,
            &format!("guess{n}@harbor.example"),
            "not-the-password",
            "6.6.6.6, 198.51.100.7",
        )
        .await;
        assert_eq!(
            wrong.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {n}"
        );
    }
    // ...throttle that client, whatever it writes left of what the proxy added...
    let refused = sign_in_forwarded(&app, ADMIN, DEMO_PASSWORD, "1.1.1.1, 198.51.100.7").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...and no other client of the same proxy.
    let other = sign_in_forwarded(&app, ADMIN, DEMO_PASSWORD, "198.51.100.8").await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_failures WHERE key = 'address:198.51.100.7'")
            .await,
        30
    );
}

/// The sign-in page is the first page everyone loads: it is served without the app's code
/// (`console::WITHOUT_THE_APP`), and its form works as a plain HTML form. The browser posts it
/// and follows the redirect: on to `next`, or back to the page, which shows the problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_loads_no_app_code_and_signs_in_as_a_plain_form() {
    let app = spawn_app().await;
    let (status, login) = app.page("/login?next=%2Fme").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!loads_the_app(&login), "{login}");
    assert!(
        login.contains(r#"action="/rpc/login" method="post""#)
            || login.contains(r#"method="post" action="/rpc/login""#),
        "{login}"
    );
    assert!(
        login.contains(r#"<input type="hidden" name="next" value="/me">"#),
        "{login}"
    );

    let browser = browser();
    let plain_form = |password: &'static str| {
        browser
            .post(app.url("/rpc/login"))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", app.url("/login?next=%2Fme"))
            .form(&[
                ("identifier", MANAGER),
                ("password", password),
                ("next", "/me"),
            ])
            .send()
    };
    let refused = plain_form("not-the-password").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FOUND);
    // Back to the page; the refusal travels in a cookie for it, not in the address.
    assert_eq!(refused.headers()["location"], "/login?next=%2Fme");
    let back = app.url("/login?next=%2Fme");
    let page = browser.get(&back).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(r#"role="alert" class="form-error">Email or password is incorrect."#),
        "{page}"
    );
    assert!(
        page.contains(r#"<input type="hidden" name="next" value="/me">"#),
        "{page}"
    );
    // What was typed is there again (the password field is the one to fill), once.
    let typed =
        r#"name="identifier" type="text" autocomplete="username" value="manager@harbor.example""#;
    assert!(page.contains(typed), "{page}");
    assert!(
        page.contains(r#"type="password" autocomplete="current-password" autofocus"#),
        "{page}"
    );
    let again = browser
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains("manager@harbor.example"), "{again}");

    let signed_in = plain_form(DEMO_PASSWORD).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    assert_eq!(signed_in.headers()["location"], "/me");
    let me = browser.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert!(loads_the_app(&me.text().await.unwrap()));
}

/// Leptos' form redirects let a page show a server function's error read from its address
/// (`?__path=…&__err=…`). Anyone can write one into a link, so no page reads them: nobody can
/// put a message of their choosing on our pages. (The sign-in page shows the refusal its own
/// server function sent the browser back with: see the test above.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_shows_an_error_written_into_its_address() {
    use base64::Engine;
    let app = spawn_app().await;
    let planted = serde_json::json!({
        "Denied": { "code": "locked", "message": "Your account is locked: call 555-0100." }
    });
    let planted = base64::engine::general_purpose::URL_SAFE.encode(planted.to_string());
    // (page, a server function an action of the page calls, signed in)
    let cases = [
        ("/login", "/rpc/login", false),
        ("/forgot", "/rpc/password_reset_request", false),
        ("/me", "/rpc/change_my_name", true),
    ];
    for (page, function, signed_in) in cases {
        if signed_in {
            app.sign_in_as(MANAGER).await;
        }
        let link = format!(
            "{page}?__path={}&__err={planted}",
            urlencoding::encode(function)
        );
        let (status, html) = app.page(&link).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        assert!(html.contains("</main>"), "{link}: {html}");
        assert!(
            !html.contains("555-0100"),
            "{link} shows the planted message"
        );
    }
}

/// Whether a page's HTML loads the app (the hydration script Leptos writes for it).
fn loads_the_app(html: &str) -> bool {
    html.contains("/pkg/brigade.js") || html.contains(".wasm")
}
