//! Passkeys in the console: the section of `/me` that lists, adds and removes them, and the
//! sign-in page's "Sign in with a passkey". Both need a script in the browser (WebAuthn is a
//! browser API), and the server renders their buttons disabled until it runs: on `/me` the
//! app (`browser.rs`), on the sign-in page, which is served without the app, its own small
//! script (`public/passkey-sign-in.js`). The server functions are in `rpc.rs`.

mod browser;
mod rpc;

pub use rpc::*;

use leptos::prelude::*;

use super::Problem;
use super::form::{FormAlert, field_error, when};
use crate::domain::AppError;
use crate::domain::passkeys::{MyPasskey, MyPasskeys};

/// True once the page runs in the browser (effects never run on the server).
fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

async fn add_passkey(name: String, password: String) -> Result<MyPasskey, AppError> {
    // The name is checked before the browser is asked, so a bad one costs no ceremony.
    crate::domain::passkeys::PasskeyName::parse(&name, "name")?;
    let challenge = passkey_register_begin(password).await?;
    let credential = browser::create(challenge).await?;
    passkey_register_finish(name, credential).await
}

/// The section of `/me`.
#[component]
pub fn PasskeysSection() -> impl IntoView {
    let remove = ServerAction::<PasskeyRemove>::new();
    let add = Action::new_local(|(name, password): &(String, String)| {
        add_passkey(name.clone(), password.clone())
    });
    // The list reloads after each attempt to add or remove; what is typed outlives it, and is
    // cleared once a passkey is added.
    let typed = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            typed.0.set(String::new());
            typed.1.set(String::new());
        }
    });
    let list = Resource::new(
        move || (remove.version().get(), add.version().get()),
        |_| load_passkeys(),
    );
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">"Passkeys"</h2>
            <p class="hint">"A passkey signs you in with your fingerprint, face or device PIN: no password, no code, and nothing a fake site can catch."</p>
            <FormAlert error=remove_error/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(MyPasskeys { available: false, .. }) => view! {
                            <p data-testid="passkeys-unavailable">{crate::domain::passkeys::UNAVAILABLE}</p>
                        }.into_any(),
                        Ok(MyPasskeys { passkeys, .. }) => view! {
                            <PasskeyTable passkeys remove/>
                            <AddPasskey add typed/>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PasskeyTable(passkeys: Vec<MyPasskey>, remove: ServerAction<PasskeyRemove>) -> impl IntoView {
    if passkeys.is_empty() {
        return view! { <p data-testid="no-passkeys">"No passkeys yet."</p> }.into_any();
    }
    view! {
        <table data-testid="passkeys">
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Added"</th>
                <th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th>
            </tr></thead>
            <tbody>
                {passkeys.into_iter().map(|passkey| {
                    let label = format!("Remove {}", passkey.name);
                    view! {
                        <tr>
                            <td>{passkey.name.clone()}</td>
                            <td>{when(&passkey.created_at)}" UTC"</td>
                            <td>{passkey.last_used_at.as_deref().map_or_else(|| "Never".to_string(), |at| format!("{} UTC", when(at)))}</td>
                            <td>
                                <ActionForm action=remove attr:class="inline">
                                    <input type="hidden" name="id" value=passkey.id.to_string()/>
                                    <button type="submit" class="link" aria-label=label>"Remove"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn AddPasskey(
    add: Action<(String, String), Result<MyPasskey, AppError>>,
    /// The name and the password typed.
    typed: (RwSignal<String>, RwSignal<String>),
) -> impl IntoView {
    let hydrated = hydrated();
    let (name, password) = typed;
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let added = move || add.value().get().and_then(Result::ok);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        add.dispatch_local((name.get_untracked(), password.get_untracked()));
    };
    view! {
        {move || added().map(|passkey| view! {
            <p class="notice-ok" role="status" data-testid="passkey-added">{format!("Passkey “{}” added: you can sign in with it now.", passkey.name)}</p>
        })}
        <form class="grid" novalidate="" on:submit=submit>
            <div class="field">
                <label for="passkey-name">"Name of the new passkey"</label>
                <input id="passkey-name" name="name" placeholder="e.g. Work laptop" prop:value=name on:input=move |event| name.set(event_target_value(&event))
                    aria-describedby="passkey-name-error"/>
                <p class="field-error" id="passkey-name-error">{move || field_error(error, "name").get()}</p>
            </div>
            <div class="field">
                <label for="passkey-password">"Your password"</label>
                <input id="passkey-password" name="password" type="password" autocomplete="current-password"
                    prop:value=password on:input=move |event| password.set(event_target_value(&event))
                    aria-describedby="passkey-password-error"/>
                <p class="field-error" id="passkey-password-error">{move || field_error(error, "password").get()}</p>
            </div>
            <p class="field-error" id="passkey-error" role="alert">{move || field_error(error, "passkey").get()}</p>
            <FormAlert error/>
            <div class="actions">
                <button type="submit" disabled=move || !hydrated.get() || add.pending().get()>"Add a passkey"</button>
            </div>
        </form>
    }
}

/// The sign-in page's passkey button, when this server offers passkeys. The page has no app
/// (see `WITHOUT_THE_APP`): `public/passkey-sign-in.js` enables the button, asks the server for
/// a challenge (`passkey_sign_in_begin`), the browser for a passkey, and the server to sign in
/// with it (`passkey_sign_in`), then goes where the server says; a refusal shows in the alert.
#[cfg(feature = "ssr")]
#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let offered = super::server::context().is_ok_and(|context| context.passkeys_offered());
    offered.then(|| {
        view! {
            <div class="passkey-sign-in" data-passkey-sign-in="">
                <p class="or">"or"</p>
                <button type="button" data-testid="passkey-sign-in" disabled>
                    "Sign in with a passkey"
                </button>
                <p class="field-error" role="alert" hidden></p>
                <script type="module" src="/passkey-sign-in.js"></script>
            </div>
        }
    })
}
