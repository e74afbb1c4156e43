//! The app's side of the WebAuthn ceremony of adding a passkey: `navigator.credentials.create`,
//! with webauthn-rs-proto converting the messages to and from the browser's objects. (Signing
//! in with one is the sign-in page's own script, `public/passkey-sign-in.js`: that page is
//! served without the app.)

use webauthn_rs_proto::{CreationChallengeResponse, RegisterPublicKeyCredential};

use crate::domain::AppError;

#[cfg(feature = "hydrate")]
mod imp {
    use super::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    fn credentials() -> Result<web_sys::CredentialsContainer, AppError> {
        web_sys::window()
            .map(|window| window.navigator().credentials())
            .ok_or_else(|| AppError::field("passkey", "This browser cannot use passkeys."))
    }

    /// What the browser's refusal means to the person.
    fn refused(error: wasm_bindgen::JsValue) -> AppError {
        let name = error
            .dyn_ref::<web_sys::DomException>()
            .map(|exception| exception.name())
            .unwrap_or_default();
        AppError::field(
            "passkey",
            match name.as_str() {
                "InvalidStateError" => "This device holds a passkey of yours for Brigade already.",
                "NotAllowedError" | "AbortError" => {
                    "No passkey was used: the browser's dialog was closed or timed out."
                }
                "SecurityError" => {
                    "The browser refused: open Brigade at its own address (BRIGADE_PUBLIC_URL)."
                }
                _ => "The browser could not use a passkey here.",
            },
        )
    }

    pub async fn create(
        challenge: CreationChallengeResponse,
    ) -> Result<RegisterPublicKeyCredential, AppError> {
        let options = web_sys::CredentialCreationOptions::from(challenge);
        let promise = credentials()?
            .create_with_options(&options)
            .map_err(refused)?;
        let credential = JsFuture::from(promise).await.map_err(refused)?;
        Ok(RegisterPublicKeyCredential::from(
            credential.unchecked_into::<web_sys::PublicKeyCredential>(),
        ))
    }
}

#[cfg(feature = "hydrate")]
pub use imp::create;

/// Without the browser build there is no browser to ask (the server renders the buttons;
/// they act once the page is hydrated).
#[cfg(not(feature = "hydrate"))]
pub async fn create(
    _challenge: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, AppError> {
    Err(AppError::field("passkey", NEEDS_BROWSER))
}

#[cfg(not(feature = "hydrate"))]
const NEEDS_BROWSER: &str = "Passkeys need JavaScript in the browser.";
