//! Two-step sign-in in the console: the second step of signing in (`/login/two-step`),
//! enrolling an authenticator app (`/me/two-step`, where a person an organization requires it
//! of is sent before anything else), its section on `/me`, and the requirement's switch on
//! Security & Permissions. The server functions are in `rpc.rs`.

mod rpc;

pub use rpc::*;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::Problem;
use super::form::{FormAlert, TextField, field_error};
use crate::domain::me::TwoStepStatus;

#[component]
pub fn SecondStepPage() -> impl IntoView {
    let action = ServerAction::<LoginTwoStep>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Two-step sign-in"/>
        <main class="login" id="main">
            <h1>"Two-step sign-in"</h1>
            <p>"Enter the 6-digit code your authenticator app shows for Brigade. Lost your phone? Enter one of your recovery codes instead."</p>
            <ActionForm action attr:class="stacked" attr:novalidate="">
                <input type="hidden" name="next" prop:value=next/>
                <TextField id="code" name="code" label="Code" autocomplete="one-time-code" autofocus=true
                    error=field_error(error, "code")/>
                <FormAlert error/>
                <button type="submit" disabled=move || action.pending().get()>"Continue"</button>
            </ActionForm>
            <p><A href="/login">"Start again"</A></p>
        </main>
    }
}

/// The recovery codes, shown once.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="notice-ok" role="status">
            <p><strong>"Keep these recovery codes somewhere safe: they are shown only this once."</strong>
                " Each one signs you in once if you lose your authenticator app."</p>
            <ol class="recovery-codes" data-testid="recovery-codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let begin = ServerAction::<TwoStepBegin>::new();
    let confirm = ServerAction::<TwoStepConfirm>::new();
    let status = Resource::new(|| (), |_| load_two_step_status());
    let begin_error = Signal::derive(move || begin.value().get().and_then(Result::err));
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let codes = move || confirm.value().get().and_then(Result::ok);
    view! {
        <Title text="Set up two-step sign-in"/>
        <main class="login enrol" id="main">
            <h1>"Set up two-step sign-in"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(status) => view! { <EnrolIntro status/> }.into_any(),
                    }
                })}
            </Suspense>
            <Show when=move || codes().is_none()
                fallback=move || view! {
                    <RecoveryCodes codes=codes().unwrap_or_default()/>
                    <p><a href="/me" data-testid="enrol-done">"I have kept them: continue"</a></p>
                }>
                {move || match begin.value().get() {
                    Some(Ok(enrolment)) => view! {
                        <ol class="steps">
                            <li>
                                <p>"Scan this code with your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Authy…)."</p>
                                <div class="qr" inner_html=enrolment.qr_svg.clone()></div>
                                <p>"Or type this key into the app:"</p>
                                <p><code data-testid="two-step-secret">{enrolment.secret.clone()}</code></p>
                            </li>
                            <li>
                                <ActionForm action=confirm attr:class="stacked" attr:novalidate="">
                                    <TextField id="enrol-code" name="code" label="The 6-digit code the app shows now"
                                        autocomplete="one-time-code" error=field_error(confirm_error, "code")/>
                                    <FormAlert error=confirm_error/>
                                    <button type="submit" disabled=move || confirm.pending().get()>"Turn on two-step sign-in"</button>
                                </ActionForm>
                            </li>
                        </ol>
                    }.into_any(),
                    _ => view! {
                        <ActionForm action=begin attr:class="stacked">
                            <FormAlert error=begin_error/>
                            <button type="submit" disabled=move || begin.pending().get()>"Start"</button>
                        </ActionForm>
                    }.into_any(),
                }}
            </Show>
            <form method="post" action="/rpc/logout">
                <button type="submit" class="link">"Sign out"</button>
            </form>
        </main>
    }
}

#[component]
fn EnrolIntro(status: TwoStepStatus) -> impl IntoView {
    let reason = (!status.required_by.is_empty()).then(|| {
        format!(
            "{} requires two-step sign-in of everyone who manages something there. Set it up to go on.",
            status.required_by.join(", ")
        )
    });
    view! {
        {reason.filter(|_| status.must_enrol).map(|reason| view! { <p class="notice" data-testid="two-step-required">{reason}</p> })}
        {if status.enrolled {
            view! { <p data-testid="two-step-on">"Two-step sign-in is on. " <a href="/me">"Back to your profile"</a></p> }.into_any()
        } else {
            view! { <p>"After your password, Brigade will ask for a code from an app on your phone. Someone who learns your password still cannot sign in as you."</p> }.into_any()
        }}
    }
}

/// The section of `/me`.
#[component]
pub fn TwoStepSection() -> impl IntoView {
    let turn_off = ServerAction::<TwoStepTurnOff>::new();
    let renew = ServerAction::<TwoStepRenewCodes>::new();
    let status = Resource::new(move || turn_off.version().get(), |_| load_two_step_status());
    view! {
        <section aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">"Two-step sign-in"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(status) if !status.enrolled => view! {
                            <p data-testid="two-step-state">"Off. Sign-in asks for your password only."</p>
                            <p><a href="/me/two-step">"Set up two-step sign-in"</a></p>
                        }.into_any(),
                        Ok(status) => view! { <TwoStepOn status turn_off renew/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TwoStepOn(
    status: TwoStepStatus,
    turn_off: ServerAction<TwoStepTurnOff>,
    renew: ServerAction<TwoStepRenewCodes>,
) -> impl IntoView {
    let renew_error = Signal::derive(move || renew.value().get().and_then(Result::err));
    let off_error = Signal::derive(move || turn_off.value().get().and_then(Result::err));
    let codes = move || renew.value().get().and_then(Result::ok);
    let kept = status.required_by.join(", ");
    view! {
        <p data-testid="two-step-state">{format!(
            "On: sign-in asks for a code from your authenticator app. {} unused recovery code{}.",
            status.recovery_codes_left,
            if status.recovery_codes_left == 1 { "" } else { "s" }
        )}</p>
        {move || codes().map(|codes| view! { <RecoveryCodes codes/> })}
        <ActionForm action=renew attr:class="grid" attr:novalidate="">
            <TextField id="renew-password" name="password" label="Your password" input_type="password"
                autocomplete="current-password" error=field_error(renew_error, "password")/>
            <FormAlert error=renew_error/>
            <div class="actions"><button type="submit">"Make new recovery codes"</button></div>
        </ActionForm>
        {if status.required_by.is_empty() {
            view! {
                <ActionForm action=turn_off attr:class="grid" attr:novalidate="">
                    <TextField id="off-password" name="password" label="Your password" input_type="password"
                        autocomplete="current-password" error=field_error(off_error, "password")/>
                    <FormAlert error=off_error/>
                    <div class="actions"><button type="submit">"Turn off two-step sign-in"</button></div>
                </ActionForm>
            }.into_any()
        } else {
            view! { <p class="hint">{format!("{kept} requires two-step sign-in of people who manage there, so it stays on.")}</p> }.into_any()
        }}
    }
}

/// The "Sign-in" tab of Security & Permissions: the organization's requirement.
#[component]
pub fn SignInTab() -> impl IntoView {
    let switch = ServerAction::<RequireTwoStep>::new();
    let required = Resource::new(move || switch.version().get(), |_| two_step_requirement());
    let error = Signal::derive(move || switch.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="sign-in-heading">
            <h2 id="sign-in-heading">"Sign-in"</h2>
            <FormAlert error/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match required.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(required) => view! {
                            <ul class="toggles">
                                <li class="toggle">
                                    <ActionForm action=switch attr:class="inline">
                                        <input type="hidden" name="required" value=(!required).to_string()/>
                                        <button type="submit" role="switch" aria-checked=required.to_string()
                                            aria-label="Require two-step sign-in of everyone who manages something">
                                            {if required { "On" } else { "Off" }}
                                        </button>
                                    </ActionForm>
                                    <div>
                                        <strong>"Require two-step sign-in of everyone who manages something"</strong>
                                        <p class="hint">"Whoever holds a manage permission here (people, access, roles, API clients, settings or outlets) must set up an authenticator app before anything else. People who only view are not asked."</p>
                                    </div>
                                </li>
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
