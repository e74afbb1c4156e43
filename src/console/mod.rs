//! The admin console: Leptos pages rendered on the server and hydrated in the browser, and
//! the server functions behind them. Server functions are thin: they find the caller, parse
//! their arguments into typed commands and call a service (in a unit of work for writes).
//! Nothing here trusts the browser; every rule is the service's and the policy's.

mod access_report;
mod api_clients;
mod audit;
mod bulk;
mod connectors;
#[cfg(feature = "ssr")]
pub mod exports;
mod form;
mod franchise;
mod invitations;
mod layout;
mod me;
mod org_settings;
mod outlet_groups;
mod outlets;
mod passkeys;
mod password_reset;
mod people;
mod person_edit;
mod person_record;
mod picker;
mod roles;
mod scim_connections;
mod security;
#[cfg(feature = "ssr")]
pub mod server;
pub mod session;
mod setup;
pub mod sso;
mod two_step;
mod verify;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::domain::AppError;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's policy names the nonce Leptos puts on this page's scripts.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(policy) = axum::http::HeaderValue::from_str(
        &crate::server::headers::console_policy(&nonce.to_string()),
    ) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
    }
    let with_the_app = loads_the_app();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                {with_the_app.then(|| view! { <HydrationScripts options/> })}
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The pages the server serves without the app's WebAssembly: plain HTML forms, and for the
/// passkey button one small script of its own (`public/passkey-sign-in.js`). The sign-in page
/// is the first page everyone loads, often on a kitchen's phone: it shows and works at once,
/// and the app's code (hundreds of KB) is fetched on the page after it.
pub const WITHOUT_THE_APP: &[&str] = &["/login"];

/// Whether this response's page loads the app's code (on the server: by the request's path).
fn loads_the_app() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .is_none_or(|request| !WITHOUT_THE_APP.contains(&request.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    true
}

/// The sign-in page (see [`WITHOUT_THE_APP`]).
#[component]
fn LoginRoute() -> impl IntoView {
    ignore_errors_in_the_address();
    #[cfg(feature = "ssr")]
    return session::LoginPage();
    #[cfg(not(feature = "ssr"))]
    load_from_the_server()
}

/// A page of [`WITHOUT_THE_APP`] met in the browser. The browser never hydrates one, so the app
/// meets it only when it navigates there (a link, the redirect after signing out, going back):
/// the page is then loaded from the server, as if the link had been an ordinary one.
#[cfg(not(feature = "ssr"))]
fn load_from_the_server() {
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let mut href = location.pathname.get_untracked();
    if !search.is_empty() {
        href = format!("{href}?{search}");
    }
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(&href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/brigade.css"/>
        // The text "" is the bottom of leptos_meta's title stack: with no text on it, hydration
        // set the document's title to "" until the page's own <Title> came back (axe:
        // document-title), and the formatter was never asked.
        <Title text="" formatter=|text: String| if text.is_empty() { "Brigade".to_string() } else { format!("{text} · Brigade") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginRoute ssr=SsrMode::Async/>
                <Route path=path!("/verify/:token") view={Lazy::<VerifyRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/forgot") view={Lazy::<ForgotRoute>::new()}/>
                <Route path=path!("/reset/:token") view={Lazy::<ResetRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/login/two-step") view={Lazy::<SecondStepRoute>::new()}/>
                <Route path=path!("/me/two-step") view={Lazy::<EnrolRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/setup/:token") view={Lazy::<SetupRoute>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=layout::ConsoleLayout>
                    <Route path=path!("users") view={Lazy::<PeopleRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users/:id") view={Lazy::<PersonRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("connectors") view={Lazy::<AccessRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("me") view={Lazy::<MeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("outlets") view={Lazy::<OutletsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("outlet-groups") view={Lazy::<OutletGroupsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reports/access") view={Lazy::<AccessReportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// A page whose code the browser loads when it is first shown (cargo-leptos `--split` makes
/// one WebAssembly chunk per page): the first page ships the layout and that page only.
macro_rules! lazy_page {
    ($($route:ident => $page:path),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                ignore_errors_in_the_address();
                let page = $page().into_any();
                mark_interactive();
                page
            }
        }
    )*};
}

lazy_page! {
    VerifyRoute => verify::VerifyPage,
    ForgotRoute => password_reset::ForgotPage,
    ResetRoute => password_reset::ResetPage,
    SetupRoute => setup::SetupPage,
    SecondStepRoute => two_step::SecondStepPage,
    EnrolRoute => two_step::EnrolPage,
    PeopleRoute => people::PeoplePage,
    PersonRoute => people::PersonPage,
    AccessRoute => connectors::AccessPage,
    SecurityRoute => security::SecurityPage,
    MeRoute => me::MePage,
    SettingsRoute => org_settings::SettingsPage,
    OutletsRoute => outlets::OutletsPageView,
    OutletGroupsRoute => outlet_groups::OutletGroupsPageView,
    AccessReportRoute => access_report::AccessReportPage,
    AuditRoute => audit::AuditPage,
}

/// Leptos' form redirects let a page show a server function's error read from its address
/// (`?__path=…&__err=…`, written there when a plain form's post is refused). Anyone can write
/// one into a link, putting a message of their choosing on our pages, so no page reads them:
/// this context, nearer to the page than the router's, names no server function. (The sign-in
/// page, whose forms are plain, brings its refusal back in a cookie: `session::refusal`.)
fn ignore_errors_in_the_address() {
    provide_context(leptos::server::ServerActionError::new("", ""));
}

/// Lets end-to-end tests (and people) know the page is interactive: set by the page's own view
/// once it has hydrated (a lazy page hydrates after the rest of the app, when its chunk loads).
fn mark_interactive() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
fn NotFound() -> impl IntoView {
    mark_interactive();
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

/// A console URL: `path`, with the pairs whose value is not empty as its query string.
pub fn url_with(path: &str, pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", query_escape(value)))
        .collect();
    if encoded.is_empty() {
        path.into()
    } else {
        format!("{path}?{}", encoded.join("&"))
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
