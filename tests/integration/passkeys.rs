//! Passkeys (WebAuthn): added on one's own page after the password, signing in alone, and
//! every refusal — a bad signature, a replayed or stale ceremony, a cloned authenticator, a
//! passkey presented for another account or removed, a deactivated person, another person's
//! passkey, a server reached by an IP address. The browser is played by a software
//! authenticator (P-256, attestation "none") that answers as Chromium's does.

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::{Client, StatusCode};
use serde_cbor_2::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const RP_ID: &str = "localhost";
/// The page's origin: `localhost` on the port the browser used (any port is accepted there).
const ORIGIN: &str = "http://localhost:3000";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A platform authenticator holding one discoverable credential.
#[derive(Clone)]
struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    counter: u32,
}

impl Authenticator {
    fn new(seed: u8) -> Self {
        Self {
            key: SigningKey::from_slice(&[seed; 32]).unwrap(),
            credential_id: vec![seed; 16],
            user_handle: Vec::new(),
            counter: 0,
        }
    }

    /// rpIdHash, flags (user present and verified), the signature counter.
    fn authenticator_data(&self, flags: u8) -> Vec<u8> {
        let mut data = Sha256::digest(RP_ID.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    fn client_data(kind: &str, options: &Value) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": options["publicKey"]["challenge"],
            "origin": ORIGIN,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    /// `navigator.credentials.create` with the server's options.
    fn create(&mut self, options: &Value) -> Value {
        let user = options["publicKey"]["user"]["id"].as_str().unwrap();
        self.user_handle = URL_SAFE_NO_PAD.decode(user).unwrap();
        let point = self.key.verifying_key().to_sec1_point(false);
        let point = point.as_bytes();
        let cose_key = Cbor::Map(BTreeMap::from([
            (Cbor::Integer(1), Cbor::Integer(2)),
            (Cbor::Integer(3), Cbor::Integer(-7)),
            (Cbor::Integer(-1), Cbor::Integer(1)),
            (Cbor::Integer(-2), Cbor::Bytes(point[1..33].to_vec())),
            (Cbor::Integer(-3), Cbor::Bytes(point[33..65].to_vec())),
        ]));
        // User present, user verified, attested credential data.
        let mut auth_data = self.authenticator_data(0x45);
        auth_data.extend_from_slice(&[0; 16]);
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&serde_cbor_2::to_vec(&cose_key).unwrap());
        let attestation = Cbor::Map(BTreeMap::from([
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]));
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&serde_cbor_2::to_vec(&attestation).unwrap()),
                "clientDataJSON": b64(&Self::client_data("webauthn.create", options)),
            },
        })
    }

    /// `navigator.credentials.get` with the server's options: the counter moves on.
    fn get(&mut self, options: &Value) -> Value {
        self.counter += 1;
        let auth_data = self.authenticator_data(0x05);
        let client_data = Self::client_data("webauthn.get", options);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
        })
    }
}

/// An instance reached at `http://localhost`, as passkeys require.
async fn spawn_on_localhost() -> TestApp {
    spawn_app_with(|config| config.public_url = "http://localhost".into()).await
}

/// Adds a passkey for the person signed in on `client`.
async fn add_passkey(
    app: &TestApp,
    client: &Client,
    authenticator: &mut Authenticator,
    name: &str,
) -> (StatusCode, Value) {
    let (status, options) = app
        .rpc_from(
            client,
            "passkey_register_begin",
            &[("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let credential = authenticator.create(&options);
    app.rpc_json(
        client,
        "passkey_register_finish",
        &json!({ "name": name, "credential": credential }),
    )
    .await
}

/// The answer of the browser's sign-in, challenged anew on `client`.
async fn assertion(app: &TestApp, client: &Client, authenticator: &mut Authenticator) -> Value {
    let (status, options) = app.rpc_from(client, "passkey_sign_in_begin", &[]).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(options["publicKey"]["userVerification"], "required");
    authenticator.get(&options)
}

async fn sign_in_with(app: &TestApp, client: &Client, credential: &Value) -> (StatusCode, Value) {
    app.rpc_json(
        client,
        "passkey_sign_in",
        &json!({ "credential": credential, "next": null }),
    )
    .await
}

/// A person signed in on a browser of their own.
async fn person(app: &TestApp, email: &str) -> Client {
    let (client, response) = password_sign_in_from(app, email, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_added_after_the_password_signs_in_alone() {
    let app = spawn_on_localhost().await;
    let manager = person(&app, MANAGER).await;

    for (password, why) in [("", "no password"), ("not-the-password", "a wrong one")] {
        let (status, body) = app
            .rpc_from(
                &manager,
                "passkey_register_begin",
                &[("password", password)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert!(body.to_string().contains("password"), "{why}: {body}");
    }

    let (status, options) = app
        .rpc_from(
            &manager,
            "passkey_register_begin",
            &[("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let selection = &options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["userVerification"], "required", "{options}");
    assert_eq!(options["publicKey"]["rp"]["id"], RP_ID);

    let mut laptop = Authenticator::new(7);
    let credential = laptop.create(&options);
    let (status, body) = app
        .rpc_json(
            &manager,
            "passkey_register_finish",
            &json!({ "name": "   ", "credential": credential }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a name is asked: {body}"
    );
    let (status, added) = app
        .rpc_json(
            &manager,
            "passkey_register_finish",
            &json!({ "name": "Work laptop", "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["name"], "Work laptop");
    let (status, again) = app
        .rpc_json(
            &manager,
            "passkey_register_finish",
            &json!({ "name": "Again", "credential": credential }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a ceremony finishes once: {again}"
    );
    assert!(app.audited("user_account.passkey_added").await >= 1);

    // Signing in: no name, no password, no code.
    let stranger = browser();
    let credential = assertion(&app, &stranger, &mut laptop).await;
    let (status, target) = sign_in_with(&app, &stranger, &credential).await;
    assert_eq!(status, StatusCode::OK, "{target}");
    assert!(target.as_str().unwrap().starts_with('/'), "{target}");
    let (status, mine) = app.rpc_from(&stranger, "my_passkeys", &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the session is the manager's: {mine}"
    );
    assert_eq!(mine["available"], true);
    assert_eq!(mine["passkeys"].as_array().unwrap().len(), 1);
    assert!(mine["passkeys"][0]["last_used_at"].is_string(), "{mine}");
    let method: String = app
        .query("SELECT method FROM sign_ins ORDER BY signed_in_at DESC, id DESC LIMIT 1")
        .scalar()
        .await
        .unwrap();
    assert_eq!(method, "passkey");

    // A ceremony abandoned in another browser moved the authenticator's counter on: a jump
    // forward is fine.
    let _abandoned = assertion(&app, &browser(), &mut laptop).await;
    let other = browser();
    let credential = assertion(&app, &other, &mut laptop).await;
    let (status, body) = sign_in_with(&app, &other, &credential).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_sign_in_is_refused_unless_every_check_passes() {
    let app = spawn_on_localhost().await;
    let manager = person(&app, MANAGER).await;
    let mut laptop = Authenticator::new(7);
    let (status, body) = add_passkey(&app, &manager, &mut laptop, "Laptop").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let clone = laptop.clone();

    // A signature that does not verify.
    let client = browser();
    let mut tampered = assertion(&app, &client, &mut laptop).await;
    tampered["response"]["signature"] =
        json!(b64(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]));
    let (status, body) = sign_in_with(&app, &client, &tampered).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(app.audited("user_account.sign_in_failed").await >= 1);

    // A right answer works once; replayed, there is no ceremony left to finish, and against
    // a new challenge it proves nothing.
    let client = browser();
    let good = assertion(&app, &client, &mut laptop).await;
    assert_eq!(sign_in_with(&app, &client, &good).await.0, StatusCode::OK);
    let (status, body) = sign_in_with(&app, &client, &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "replayed: {body}");
    let client = browser();
    let _ = app.rpc_from(&client, "passkey_sign_in_begin", &[]).await;
    let (status, body) = sign_in_with(&app, &client, &good).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another challenge: {body}"
    );

    // A copy of the authenticator whose counter is behind the stored one.
    let mut copy = clone;
    let client = browser();
    let cloned = assertion(&app, &client, &mut copy).await;
    let (status, body) = sign_in_with(&app, &client, &cloned).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a cloned authenticator: {body}"
    );

    // The passkey presented as another account's (its user handle changed).
    let admin = app.user_id(ADMIN).await;
    let mut impostor = laptop.clone();
    impostor.user_handle = admin.as_bytes().to_vec();
    let client = browser();
    let presented = assertion(&app, &client, &mut impostor).await;
    let (status, body) = sign_in_with(&app, &client, &presented).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another account: {body}"
    );
    assert!(
        body.to_string().contains("does not know this passkey"),
        "{body}"
    );

    // A deactivated person.
    app.exec("UPDATE memberships SET status = 'inactive' WHERE user_id = (SELECT id FROM user_accounts WHERE email = 'manager@harbor.example')")
        .await;
    let client = browser();
    let credential = assertion(&app, &client, &mut laptop).await;
    let (status, body) = sign_in_with(&app, &client, &credential).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "deactivated: {body}"
    );
    assert!(body.to_string().contains("deactivated"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_is_its_persons_own() {
    let app = spawn_on_localhost().await;
    let manager = person(&app, MANAGER).await;
    let mut laptop = Authenticator::new(9);
    let (status, added) = add_passkey(&app, &manager, &mut laptop, "Laptop").await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let id = added["id"].as_str().unwrap();

    // The same authenticator's credential cannot be registered twice.
    let (status, body) = add_passkey(&app, &manager, &mut laptop, "Laptop again").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Another person, even the organization's owner, neither sees nor removes it.
    let admin = person(&app, ADMIN).await;
    let (_, theirs) = app.rpc_from(&admin, "my_passkeys", &[]).await;
    assert_eq!(theirs["passkeys"], json!([]), "{theirs}");
    let (status, _) = app.rpc_from(&admin, "passkey_remove", &[("id", id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.rpc_as_stranger("passkey_remove", &[("id", id)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = app
        .rpc_from(&manager, "passkey_remove", &[("id", id)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.audited("user_account.passkey_removed").await >= 1);
    let client = browser();
    let credential = assertion(&app, &client, &mut laptop).await;
    let (status, body) = sign_in_with(&app, &client, &credential).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "removed: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ceremony_must_finish_within_five_minutes() {
    use brigade::service::auth::ClientInfo;
    use brigade::service::{Clock, passkeys};
    let app = spawn_on_localhost().await;
    let manager = person(&app, MANAGER).await;
    let mut laptop = Authenticator::new(11);
    assert_eq!(
        add_passkey(&app, &manager, &mut laptop, "Laptop").await.0,
        StatusCode::OK
    );

    let (challenge, pending) = passkeys::begin_sign_in(&app.context).unwrap();
    let options = serde_json::to_value(&challenge).unwrap();
    let credential = serde_json::from_value(laptop.get(&options)).unwrap();
    let later = app.context.with_clock(Clock::shifted(
        passkeys::CEREMONY_WITHIN + time::Duration::seconds(1),
    ));
    let refused = passkeys::sign_in(&later, pending, &credential, &ClientInfo::default()).await;
    assert!(
        matches!(&refused, Err(error) if error.to_string() == passkeys::EXPIRED),
        "{refused:?}"
    );
}

/// The sign-in page has no app (see `console::WITHOUT_THE_APP`): its button comes with the
/// page's own script, which enables it (end2end: sign-in.spec.ts, passkeys).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_reached_by_its_name_offers_passkeys_on_the_sign_in_page() {
    let app = spawn_on_localhost().await;
    let (status, login) = app.page("/login").await;
    assert_eq!(status, StatusCode::OK);
    let button = r#"<button type="button" data-testid="passkey-sign-in" disabled>"#;
    assert!(login.contains(button), "{login}");
    assert!(
        login.contains(r#"<script type="module" src="/passkey-sign-in.js">"#),
        "{login}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_reached_by_an_ip_address_offers_no_passkeys() {
    let app = spawn_app().await;
    let (_, login) = app.page("/login").await;
    assert!(!login.contains("passkey-sign-in"), "{login}");
    let (status, body) = app.rpc_as_stranger("passkey_sign_in_begin", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    app.sign_in_as(MANAGER).await;
    let (_, mine) = app.rpc("my_passkeys", &[]).await;
    assert_eq!(mine["available"], false, "{mine}");
    let (status, _) = app
        .rpc("passkey_register_begin", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
