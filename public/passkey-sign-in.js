// The sign-in page's "Sign in with a passkey" (src/console/passkeys/mod.rs, PasskeySignIn).
// The sign-in page is served without the app's WebAssembly, so this is its one script: it
// asks the server for a challenge, the browser for a passkey, and the server to sign in with
// it, then goes where the server says. Every decision is the server's.

const section = document.querySelector("[data-passkey-sign-in]");
const button = section.querySelector("button");
const alert = section.querySelector("[role=alert]");

function show(message) {
  alert.textContent = message;
  alert.hidden = !message;
}

// WebAuthn's binary fields travel as unpadded base64url text (webauthn-rs-proto).
const bytes = (text) =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const text = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

class Refused extends Error {}

/** The message of a server function's refusal (the console's AppError as JSON). */
function refusal(body) {
  const detail = body && typeof body === "object" ? Object.values(body)[0] : null;
  return detail?.fields?.passkey ?? detail?.message ?? "Something went wrong on our side. Try again.";
}

async function call(endpoint, type, body) {
  let response;
  try {
    response = await fetch(`/rpc/${endpoint}`, {
      method: "POST",
      headers: { "Content-Type": type, Accept: "application/json" },
      body,
    });
  } catch {
    throw new Refused("Brigade could not be reached. Check the connection and try again.");
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Refused(refusal(answer));
  return answer;
}

/** What the browser's refusal means to the person (as the app says it when adding one). */
function browserRefusal(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "AbortError":
      return "No passkey was used: the browser's dialog was closed or timed out.";
    case "SecurityError":
      return "The browser refused: open Brigade at its own address (BRIGADE_PUBLIC_URL).";
    default:
      return "The browser could not use a passkey here.";
  }
}

async function signIn() {
  const challenge = await call("passkey_sign_in_begin", "application/x-www-form-urlencoded", "");
  const options = challenge.publicKey;
  options.challenge = bytes(options.challenge);
  for (const allowed of options.allowCredentials ?? []) allowed.id = bytes(allowed.id);
  let credential;
  try {
    credential = await navigator.credentials.get({ publicKey: options, mediation: challenge.mediation });
  } catch (error) {
    throw new Refused(browserRefusal(error));
  }
  if (!credential) throw new Refused(browserRefusal(null));
  const { response } = credential;
  const next = new URLSearchParams(location.search).get("next");
  const target = await call(
    "passkey_sign_in",
    "application/json",
    JSON.stringify({
      credential: {
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        extensions: credential.getClientExtensionResults(),
        response: {
          authenticatorData: text(response.authenticatorData),
          clientDataJSON: text(response.clientDataJSON),
          signature: text(response.signature),
          userHandle: response.userHandle ? text(response.userHandle) : null,
        },
      },
      next: next || null,
    }),
  );
  // A full load: the console starts from the new session.
  location.assign(target);
}

if (window.PublicKeyCredential && navigator.credentials) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    show("");
    try {
      await signIn();
    } catch (error) {
      show(error instanceof Refused ? error.message : "The browser could not use a passkey here.");
      button.disabled = false;
    }
  });
  button.disabled = false;
} else {
  show("This browser cannot use passkeys.");
}
