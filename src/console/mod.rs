//! The admin console: Leptos pages rendered on the server and hydrated in the browser, and
//! the server functions behind them. Server functions are thin: they find the caller, parse
//! their arguments into typed commands and call a service (in a unit of work for writes).
//! Nothing here trusts the browser; every rule is the service's and the policy's.

mod api_clients;
mod connectors;
mod form;
mod franchise;
mod layout;
mod me;
mod org_settings;
mod outlet_picker;
mod outlets;
mod people;
mod person_edit;
mod roles;
mod security;
#[cfg(feature = "ssr")]
pub mod server;
pub mod session;
mod setup;
mod verify;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::domain::AppError;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Lets end-to-end tests (and people) know the page is interactive.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/brigade.css"/>
        <Title formatter=|text: String| if text.is_empty() { "Brigade".to_string() } else { format!("{text} · Brigade") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=session::LoginPage/>
                <Route path=path!("/verify/:token") view=verify::VerifyPage ssr=SsrMode::Async/>
                <Route path=path!("/setup/:token") view=setup::SetupPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=layout::ConsoleLayout>
                    <Route path=path!("users") view=people::PeoplePage ssr=SsrMode::Async/>
                    <Route path=path!("users/:id") view=people::PersonPage ssr=SsrMode::Async/>
                    <Route path=path!("connectors") view=connectors::AccessPage ssr=SsrMode::Async/>
                    <Route path=path!("security") view=security::SecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("me") view=me::MePage ssr=SsrMode::Async/>
                    <Route path=path!("settings") view=org_settings::SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("outlets") view=outlets::OutletsPageView ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::set_status(&AppError::NotFound);
    view! {
        <main class="centered" id="main">
            <Title text="Page not found"/>
            <h1>"Page not found"</h1>
            <p><a href="/users">"Back to people"</a></p>
        </main>
    }
}

/// A failure shown in place of a page's content.
#[component]
fn Problem(error: AppError) -> impl IntoView {
    let (title, detail) = match &error {
        AppError::NotFound => (
            "Not found",
            "There is nothing here, or it is outside what you can see.".to_string(),
        ),
        AppError::Forbidden => (
            "No access",
            "Your role does not allow this here.".to_string(),
        ),
        AppError::Unauthenticated => ("Signed out", "Sign in again to continue.".to_string()),
        AppError::Denied { message, .. } => ("Not possible", message.clone()),
        other => ("Something went wrong", other.to_string()),
    };
    view! {
        <section class="problem" role="alert">
            <h2>{title}</h2>
            <p>{detail}</p>
        </section>
    }
}

/// How a server function's own failures (arguments that cannot be read, a failed request)
/// become an [`AppError`]: on the server, unreadable arguments are the caller's fault (400);
/// in the browser, anything else is a transport problem.
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(problem) | E::MissingArg(problem) => AppError::bad_request(
                "malformed_request",
                format!("The request's arguments could not be read: {problem}"),
            ),
            E::Deserialization(problem) if cfg!(feature = "ssr") => AppError::bad_request(
                "malformed_request",
                format!("The request could not be read: {problem}"),
            ),
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// Percent-encodes a value for a URL query string.
pub fn query_escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                escaped.push(byte as char)
            }
            _ => escaped.push_str(&format!("%{byte:02X}")),
        }
    }
    escaped
}
