//! Single sign-on in the console: the sign-in page's "Sign in with single sign-on" (a plain
//! GET form to `/auth/sso/start`, whose button names the organization's sign-on once the
//! email is typed), and the connection on Security & Permissions > Sign-in. The redirects
//! are `routes.rs`, the server functions `rpc.rs`.

#[cfg(feature = "ssr")]
pub mod routes;
mod rpc;

pub use rpc::*;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_router::hooks::use_query_map;

use super::Problem;
use super::form::{FormAlert, TextField, field_error};
use crate::domain::sso::SsoConnection;
#[cfg(feature = "ssr")]
use crate::domain::sso::refusal_message;

/// The sign-in page's single sign-on. The email is asked on the page itself (a GET form to
/// `/login`: the console's `form-action 'self'` would stop a form's redirect to the identity
/// provider), then "Continue with <its name>" is a link that leaves for it. The sign-in page
/// is served without the app (see `WITHOUT_THE_APP`), so the server answers the form: the
/// link, or why there is none.
#[cfg(feature = "ssr")]
#[component]
pub fn SsoSignIn(#[prop(into)] next: Signal<String>) -> impl IntoView {
    let query = use_query_map();
    let email = query.read_untracked().get("sso_email").unwrap_or_default();
    let typed = email.trim().to_string();
    // Asked once the text can be an address (a domain after the @).
    let offered = Resource::new(
        move || typed.clone(),
        |typed| async move {
            let domain = typed.rsplit_once('@').map(|(_, domain)| domain.to_string());
            match domain {
                Some(domain) if domain.contains('.') && !domain.ends_with('.') => {
                    sso_offered(typed).await
                }
                _ => Ok(None),
            }
        },
    );
    let refused = move || {
        query
            .read()
            .get("sso_error")
            .and_then(|code| refusal_message(&code))
    };
    let start = move |name: String, typed: &str| {
        let mut href = format!("/auth/sso/start?email={}", urlencoding::encode(typed));
        let next = next.get();
        if !next.is_empty() {
            href.push_str(&format!("&next={}", urlencoding::encode(&next)));
        }
        view! {
            <p><a class="button" href=href data-testid="sso-continue">{format!("Continue with {name}")}</a></p>
        }
    };
    view! {
        <section class="sso-sign-in" aria-labelledby="sso-heading">
            <h2 id="sso-heading">"Single sign-on"</h2>
            {move || refused().map(|message| view! { <p class="field-error" role="alert" data-testid="sso-error">{message}</p> })}
            <form method="get" action="/login" class="stacked">
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="sso-email">"Work email"</label>
                    <input id="sso-email" name="sso_email" type="email" autocomplete="email" value=email/>
                </div>
                <button type="submit" class="secondary">"Find my organization's sign-on"</button>
            </form>
            <Suspense>
                {move || Suspend::new(async move {
                    let typed = query.read_untracked().get("sso_email").unwrap_or_default();
                    let typed = typed.trim();
                    match offered.await {
                        Ok(Some(name)) => start(name, typed).into_any(),
                        Ok(None) if !typed.is_empty() => view! {
                            <p class="hint" data-testid="sso-none">"No single sign-on is set up for this address: sign in with your password above."</p>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The organization's single sign-on on Security & Permissions > Sign-in.
#[component]
pub fn SsoSettings() -> impl IntoView {
    let save = ServerAction::<SaveSsoConnection>::new();
    let require = ServerAction::<RequireSso>::new();
    let remove = ServerAction::<RemoveSsoConnection>::new();
    let connection = Resource::new(
        move || {
            (
                save.version().get(),
                require.version().get(),
                remove.version().get(),
            )
        },
        |_| load_sso_connection(),
    );
    let error = Signal::derive(move || {
        require
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    view! {
        <section aria-labelledby="sso-settings-heading">
            <h2 id="sso-settings-heading">"Single sign-on (OpenID Connect)"</h2>
            <FormAlert error/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match connection.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(Some(connection)) => view! { <SsoConnected connection require remove/> }.into_any(),
                        Ok(None) => view! { <SsoConnectForm save/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SsoConnected(
    connection: SsoConnection,
    require: ServerAction<RequireSso>,
    remove: ServerAction<RemoveSsoConnection>,
) -> impl IntoView {
    let required = connection.require_sso;
    let domains = if connection.domains.is_empty() {
        "None yet: the operator claims them with `brigade sso add --domain …`.".to_string()
    } else {
        connection.domains.join(", ")
    };
    view! {
        <dl class="facts" data-testid="sso-connection">
            <dt>"Shown as"</dt><dd>{format!("Continue with {}", connection.display_name)}</dd>
            <dt>"Issuer"</dt><dd><code>{connection.issuer}</code></dd>
            <dt>"Client id"</dt><dd><code>{connection.client_id}</code></dd>
            <dt>"Client secret"</dt><dd>"Kept sealed; never shown again."</dd>
            <dt>"Redirect URI to allow at the provider"</dt><dd><code>{connection.redirect_uri}</code></dd>
            <dt>"Email domains"</dt><dd data-testid="sso-domains">{domains}</dd>
        </dl>
        <ul class="toggles">
            <li class="toggle">
                <ActionForm action=require attr:class="inline">
                    <input type="hidden" name="required" value=(!required).to_string()/>
                    <button type="submit" role="switch" aria-checked=required.to_string()
                        aria-label="Require single sign-on">
                        {if required { "On" } else { "Off" }}
                    </button>
                </ActionForm>
                <div>
                    <strong>"Require single sign-on"</strong>
                    <p class="hint">"People of the domains above can no longer sign in with a password or a passkey, nor reset a password: they use single sign-on. People who hold the Owner role's permissions keep their password and two-step sign-in, as a way in when the identity provider fails."</p>
                </div>
            </li>
        </ul>
        <ActionForm action=remove attr:class="inline">
            <button type="submit" class="link">"Remove single sign-on"</button>
        </ActionForm>
    }
}

#[component]
fn SsoConnectForm(save: ServerAction<SaveSsoConnection>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <p>"Let people sign in with your identity provider (Microsoft Entra ID, Okta, Google…). Register Brigade there as a web application, then enter what it gives you. Brigade's operator then claims your email domains for it."</p>
        <ActionForm action=save attr:class="stacked" attr:novalidate="">
            <TextField id="sso-issuer" name="issuer" label="Issuer URL" error=field_error(error, "issuer")/>
            <TextField id="sso-client-id" name="client_id" label="Client id" error=field_error(error, "client_id")/>
            <TextField id="sso-client-secret" name="client_secret" label="Client secret" input_type="password"
                autocomplete="off" error=field_error(error, "client_secret")/>
            <TextField id="sso-display-name" name="display_name" label="Name people see (Continue with …)"
                error=field_error(error, "display_name")/>
            <FormAlert error/>
            <button type="submit" disabled=move || save.pending().get()>"Set up single sign-on"</button>
        </ActionForm>
    }
}
