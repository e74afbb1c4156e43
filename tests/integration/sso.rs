//! Single sign-on with OpenID Connect against an identity provider of the test's own (a
//! small axum server: discovery, keys, token endpoint, ES256 ID tokens the test writes):
//! the flow (state, nonce, PKCE), the first sign-in linking by verified email, and every
//! refusal — a wrong nonce, another audience, an expired token, a bad signature, an unverified
//! email, a domain another organization claimed, a person without a membership, a state not
//! sent — each audited; then "Require SSO" with the owner's way in, and the reset mail.

use crate::helpers::*;
use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const CLIENT_ID: &str = "brigade-harbor";
const CLIENT_SECRET: &str = "harbor-client-secret";

/// The identity provider: its address, its signing key, and the ID tokens it will hand out
/// for codes (with the PKCE challenge each code was issued under).
#[derive(Clone)]
struct Provider {
    issuer: String,
    key: SigningKey,
    codes: Arc<Mutex<HashMap<String, (String, String)>>>,
    /// What the UserInfo endpoint answers (any access token).
    userinfo: Arc<Mutex<Value>>,
    /// The key its JWKS publishes (`key`, until a test rotates it).
    published: Arc<Mutex<SigningKey>>,
    /// How many times its discovery document was fetched.
    discoveries: Arc<std::sync::atomic::AtomicUsize>,
}

impl Provider {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let provider = Provider {
            issuer,
            key: SigningKey::from_slice(&[42; 32]).unwrap(),
            codes: Arc::default(),
            userinfo: Arc::new(Mutex::new(json!({}))),
            published: Arc::new(Mutex::new(SigningKey::from_slice(&[42; 32]).unwrap())),
            discoveries: Arc::default(),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        provider
    }

    /// An ID token with `claims` over the defaults, signed by `key` (the provider's own unless
    /// a test forges one).
    fn id_token(&self, key: &SigningKey, claims: Value) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut payload = json!({
            "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
        });
        for (name, value) in claims.as_object().unwrap() {
            payload[name] = value.clone();
        }
        let header =
            URL_SAFE_NO_PAD.encode(json!({"alg": "ES256", "kid": "k1", "typ": "JWT"}).to_string());
        let body = URL_SAFE_NO_PAD.encode(payload.to_string());
        let signed = format!("{header}.{body}");
        let signature: Signature = key.sign(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

async fn discovery(State(provider): State<Provider>) -> Json<Value> {
    provider
        .discoveries
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let issuer = &provider.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(provider): State<Provider>) -> Json<Value> {
    let point = provider
        .published
        .lock()
        .unwrap()
        .verifying_key()
        .to_sec1_point(false);
    let point = point.as_bytes();
    Json(json!({ "keys": [{
        "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    }]}))
}

async fn userinfo(State(provider): State<Provider>) -> Json<Value> {
    Json(provider.userinfo.lock().unwrap().clone())
}

/// The token endpoint: the code's ID token, when the PKCE verifier matches its challenge.
async fn token(
    State(provider): State<Provider>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<Value>, (axum::http::StatusCode, Json<Value>)> {
    let refused = || {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_grant" })),
        )
    };
    let code = form.get("code").ok_or_else(refused)?;
    let (challenge, id_token) = provider
        .codes
        .lock()
        .unwrap()
        .remove(code)
        .ok_or_else(refused)?;
    let verifier = form.get("code_verifier").ok_or_else(refused)?;
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
        return Err(refused());
    }
    Ok(Json(json!({
        "access_token": "an-access-token", "token_type": "Bearer", "expires_in": 300,
        "id_token": id_token,
    })))
}

/// A browser that started a single sign-on for `email`: the provider's authorization request.
async fn start(app: &TestApp, client: &Client, email: &str) -> HashMap<String, String> {
    let response = client
        .get(app.url(&format!(
            "/auth/sso/start?email={}",
            urlencoding::encode(email)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let url = reqwest::Url::parse(&location).unwrap();
    url.query_pairs().into_owned().collect()
}

/// The provider sends the browser back with a code for `id_token`; where Brigade sends it next.
async fn come_back(
    app: &TestApp,
    provider: &Provider,
    client: &Client,
    request: &HashMap<String, String>,
    id_token: String,
) -> String {
    let code = format!("code-{}", uuid::Uuid::new_v4());
    provider
        .codes
        .lock()
        .unwrap()
        .insert(code.clone(), (request["code_challenge"].clone(), id_token));
    let response = client
        .get(app.url(&format!(
            "/auth/sso/callback?code={code}&state={}",
            urlencoding::encode(&request["state"])
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"].to_str().unwrap().to_string()
}

/// `brigade sso add` for `org` with `issuer`, claiming `domain` (the secret is the test's).
fn sso_add(
    app: &TestApp,
    org: &str,
    issuer: &str,
    client_id: &str,
    domain: &str,
) -> std::process::Output {
    app.brigade(&[
        "sso",
        "add",
        "--org",
        org,
        "--issuer",
        issuer,
        "--client-id",
        client_id,
        "--client-secret",
        CLIENT_SECRET,
        "--name",
        "Harbor Okta",
        "--domain",
        domain,
    ])
}

/// Harbor with single sign-on through the provider, harbor.example claimed from the CLI.
async fn harbor_with_sso() -> (TestApp, Provider) {
    let provider = Provider::start().await;
    let app = spawn_app().await;
    let output = sso_add(
        &app,
        "harbor",
        &provider.issuer,
        CLIENT_ID,
        "harbor.example",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (app, provider)
}

/// The mail to `email`, once it is out (mail is sent apart from the answer).
async fn mail_to(app: &TestApp, email: &str) -> String {
    for _ in 0..100 {
        if let Some(mail) = app.outbox().into_iter().find(|mail| mail.contains(email)) {
            return mail.replace("=\r\n", "").replace("=\n", "");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail to {email}");
}

async fn refusals(app: &TestApp) -> i64 {
    app.audited("organization.sso_sign_in_refused").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_with_their_organizations_identity_provider() {
    let (app, provider) = harbor_with_sso().await;
    let (status, name) = app
        .rpc_as_stranger("sso_offered", &[("email", MANAGER)])
        .await;
    assert_eq!((status, name), (StatusCode::OK, json!("Harbor Okta")));
    let (_, none) = app
        .rpc_as_stranger("sso_offered", &[("email", NORTHSIDE_OWNER)])
        .await;
    assert_eq!(none, Value::Null);

    let client = browser();
    let request = start(&app, &client, MANAGER).await;
    assert_eq!(request["client_id"], CLIENT_ID);
    assert_eq!(request["code_challenge_method"], "S256");
    assert!(request["redirect_uri"].ends_with("/auth/sso/callback"));
    let id_token = provider.id_token(
        &provider.key,
        json!({ "sub": "okta-0001", "nonce": request["nonce"], "email": MANAGER, "email_verified": true }),
    );
    let target = come_back(&app, &provider, &client, &request, id_token).await;
    assert!(!target.starts_with("/login"), "signed in: {target}");
    assert_eq!(
        client.get(app.url("/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let method: String = app
        .query("SELECT method FROM sign_ins ORDER BY signed_in_at DESC, id DESC LIMIT 1")
        .scalar()
        .await
        .unwrap();
    assert_eq!(method, "sso");

    // The link holds from now on: the subject signs in whatever email the token carries.
    let client = browser();
    let request = start(&app, &client, MANAGER).await;
    let id_token = provider.id_token(
        &provider.key,
        json!({ "sub": "okta-0001", "nonce": request["nonce"], "email": "morgan@elsewhere.example", "email_verified": false }),
    );
    let target = come_back(&app, &provider, &client, &request, id_token).await;
    assert!(!target.starts_with("/login"), "the link signs in: {target}");
    assert_eq!(refusals(&app).await, 0);

    // A provider that keeps the email out of the ID token: it is asked at UserInfo, for the
    // token's own subject only.
    let cases = [
        ("okta-0002", "okta-0002", true),
        ("okta-0003", "okta-someone-else", false),
    ];
    for (subject, userinfo_subject, signed_in) in cases {
        *provider.userinfo.lock().unwrap() =
            json!({ "sub": userinfo_subject, "email": ADMIN, "email_verified": true });
        let client = browser();
        let request = start(&app, &client, ADMIN).await;
        let id_token = provider.id_token(
            &provider.key,
            json!({ "sub": subject, "nonce": request["nonce"] }),
        );
        let target = come_back(&app, &provider, &client, &request, id_token).await;
        assert_eq!(
            !target.starts_with("/login"),
            signed_in,
            "UserInfo of {userinfo_subject}: {target}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_on_this_machine_only_for_a_server_on_this_machine() {
    use brigade::service::{auth, sso};
    let provider = Provider::start().await;
    let app = spawn_app_with(|config| config.public_url = "https://brigade.example".into()).await;
    let operator = auth::operator(&app.context, "harbor").await.unwrap();
    let new = sso::NewConnection {
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        display_name: "Harbor Okta".into(),
    };
    let refused = sso::save_connection(&app.context, &operator, &new).await;
    assert!(
        matches!(&refused, Err(error) if error.field_problem("issuer").is_some()),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_untrustworthy_answer_is_refused_and_audited() {
    let (app, provider) = harbor_with_sso().await;
    // A Northside domain, claimed by Northside for a provider of its own.
    let northside_provider = Provider::start().await;
    let output = sso_add(
        &app,
        "northside",
        &northside_provider.issuer,
        "brigade-northside",
        "northside.example",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let forger = SigningKey::from_slice(&[7; 32]).unwrap();
    let long_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    // (what, the token's claims over a good one (None: its nonce), the key, the refusal)
    let cases: Vec<(&str, Value, &SigningKey, &str)> = vec![
        (
            "a wrong nonce",
            json!({ "nonce": "not-the-nonce" }),
            &provider.key,
            "sso_invalid_token",
        ),
        (
            "another audience",
            json!({ "aud": "another-client" }),
            &provider.key,
            "sso_invalid_token",
        ),
        (
            "another issuer",
            json!({ "iss": "http://127.0.0.1:1" }),
            &provider.key,
            "sso_invalid_token",
        ),
        (
            "expired",
            json!({ "iat": long_ago - 60, "exp": long_ago }),
            &provider.key,
            "sso_invalid_token",
        ),
        ("a bad signature", json!({}), &forger, "sso_invalid_token"),
        (
            "an unverified email",
            json!({ "email_verified": false }),
            &provider.key,
            "sso_email_not_verified",
        ),
        (
            "an email of a domain another organization claimed",
            json!({ "email": NORTHSIDE_OWNER }),
            &provider.key,
            "sso_domain_not_claimed",
        ),
        (
            "a person with no membership",
            json!({ "email": "nobody.here@harbor.example" }),
            &provider.key,
            "sso_no_membership",
        ),
        (
            "a deactivated person",
            json!({ "email": INACTIVE }),
            &provider.key,
            "sso_no_membership",
        ),
    ];
    for (index, (what, claims, key, refusal)) in cases.into_iter().enumerate() {
        let client = browser();
        let request = start(&app, &client, MANAGER).await;
        let mut all = json!({
            "sub": format!("okta-refused-{index}"), "nonce": request["nonce"],
            "email": MANAGER, "email_verified": true,
        });
        for (name, value) in claims.as_object().unwrap() {
            all[name] = value.clone();
        }
        let before = refusals(&app).await;
        let target = come_back(
            &app,
            &provider,
            &client,
            &request,
            provider.id_token(key, all),
        )
        .await;
        assert_eq!(target, format!("/login?sso_error={refusal}"), "{what}");
        assert_eq!(refusals(&app).await, before + 1, "{what} is audited");
        assert_eq!(
            client.get(app.url("/me")).send().await.unwrap().status(),
            StatusCode::SEE_OTHER,
            "{what}: nobody is signed in"
        );
    }
    let links: i64 = app
        .query("SELECT COUNT(*) FROM sso_links")
        .scalar()
        .await
        .unwrap();
    assert_eq!(links, 0, "no refused answer linked anyone");

    // A return that was not started in this browser, or with another state.
    let client = browser();
    let request = start(&app, &client, MANAGER).await;
    let response = browser()
        .get(app.url(&format!(
            "/auth/sso/callback?code=x&state={}",
            request["state"]
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "/login?sso_error=sso_expired"
    );
    let response = client
        .get(app.url("/auth/sso/callback?code=x&state=another-state"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "/login?sso_error=sso_expired"
    );
    // An email nobody claimed gets no provider.
    let response = browser()
        .get(app.url("/auth/sso/start?email=someone%40gmail.example"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?sso_error=sso_not_set_up")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_belongs_to_one_organization() {
    let (app, provider) = harbor_with_sso().await;
    let output = sso_add(&app, "northside", &provider.issuer, "n", "harbor.example");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("claimed by another organization"));
    let holders: i64 = app
        .query("SELECT COUNT(*) FROM sso_domains WHERE domain = 'harbor.example'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(holders, 1);
    // The console cannot claim domains: its form takes none.
    app.sign_in_as(ADMIN).await;
    let (status, connection) = app.rpc("sso_connection", &[]).await;
    assert_eq!(status, StatusCode::OK, "{connection}");
    assert_eq!(connection["domains"], json!(["harbor.example"]));
    assert!(
        !connection.to_string().contains(CLIENT_SECRET),
        "the secret is never shown"
    );
    let sealed: String = app
        .query("SELECT sealed_client_secret FROM sso_connections")
        .scalar()
        .await
        .unwrap();
    assert!(
        !sealed.contains(CLIENT_SECRET),
        "the secret is sealed at rest"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_sso_refuses_passwords_except_the_owners() {
    let (app, _provider) = harbor_with_sso().await;
    app.sign_in_as(ADMIN).await;
    let (status, body) = app.rpc("require_sso", &[("required", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, response) = password_sign_in_from(&app, MANAGER, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert!(body.to_string().contains("Harbor Okta"), "{body}");
    // A wrong password learns nothing about single sign-on.
    let (_, response) = password_sign_in_from(&app, MANAGER, "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The owner keeps their password (and would keep two-step sign-in) as a way in.
    let (_, response) = password_sign_in_from(&app, ADMIN, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);

    // A forgotten password: the mail says to use single sign-on, with no link.
    let (status, _) = app
        .rpc_as_stranger("password_reset_request", &[("email", MANAGER)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let mail = mail_to(&app, MANAGER).await;
    assert!(mail.contains("Harbor Okta"), "{mail}");
    assert!(!mail.contains("/reset/"), "{mail}");

    // Off again: passwords work.
    app.rpc("require_sso", &[("required", "false")]).await;
    let (_, response) = password_sign_in_from(&app, MANAGER, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let changes: i64 = app
        .query("SELECT COUNT(*) FROM audit_events WHERE action = 'organization.sso_requirement_changed'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(changes, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_document_is_kept_and_fetched_again_for_a_new_key() {
    use std::sync::atomic::Ordering::SeqCst;
    let (app, provider) = harbor_with_sso().await;
    let sign_in = |key: SigningKey| {
        let (app, provider) = (&app, &provider);
        async move {
            let client = browser();
            let request = start(app, &client, MANAGER).await;
            let id_token = provider.id_token(
                &key,
                json!({ "sub": "okta-0001", "nonce": request["nonce"], "email": MANAGER, "email_verified": true }),
            );
            come_back(app, provider, &client, &request, id_token).await
        }
    };
    let before = provider.discoveries.load(SeqCst);
    for _ in 0..2 {
        assert!(!sign_in(provider.key.clone()).await.starts_with("/login"));
    }
    assert_eq!(
        provider.discoveries.load(SeqCst),
        before + 1,
        "two sign-ins, one discovery"
    );
    // The provider rotates its key: a token signed by the new one is checked against the
    // provider's document fetched again.
    let rotated = SigningKey::from_slice(&[43; 32]).unwrap();
    *provider.published.lock().unwrap() = rotated.clone();
    assert!(!sign_in(rotated).await.starts_with("/login"));
    assert_eq!(provider.discoveries.load(SeqCst), before + 2);
}
