//! `/me`: the signed-in person's own page. Their organizations and roles, the outlets they
//! reach, their own name (the one place where a person shared by several organizations
//! changes it), their password, and ending their other sessions.

use leptos::prelude::*;
use leptos_meta::Title;

use super::Problem;
use super::form::{FormAlert, TextField, field_error};
use crate::domain::AppError;
use crate::domain::me::{MyPage, MySignIn};

#[server(prefix = "/rpc", endpoint = "my_page")]
pub async fn load_my_page() -> Result<MyPage, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::me::my_page(&context()?, &caller).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "change_my_name")]
pub async fn change_my_name(first_name: String, last_name: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::PersonName;
    use crate::domain::error::Problems;
    with_status(
        async move {
            let caller = caller().await?;
            let mut problems = Problems::default();
            let first = problems.check("first_name", PersonName::parse(&first_name));
            let last = problems.check("last_name", PersonName::parse(&last_name));
            problems.finish()?;
            let (Some(first), Some(last)) = (first, last) else {
                return Err(AppError::invalid("Check your name."));
            };
            let mut work = context()?.begin().await?;
            crate::service::me::change_my_name(&mut work, &caller.principal, &first, &last).await?;
            work.commit().await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "change_my_password")]
pub async fn change_my_password(
    current_password: String,
    new_password: String,
    confirmation: String,
) -> Result<(), AppError> {
    use super::server::{caller, context, remember, session, with_status};
    use crate::domain::Password;
    use crate::domain::error::Problems;
    with_status(
        async move {
            let caller = caller().await?;
            let mut problems = Problems::default();
            let current = problems.check("current_password", Password::offered(current_password));
            let new = problems.check("new_password", Password::new_choice(new_password.clone()));
            if new.is_some() && confirmation != new_password {
                problems.add("confirmation", "The two passwords differ.");
            }
            problems.finish()?;
            let (Some(current), Some(new)) = (current, new) else {
                return Err(AppError::invalid("Check the passwords."));
            };
            let version = crate::service::me::change_my_password(
                &context()?,
                &caller.principal,
                caller.claims.sign_in,
                &current,
                &new,
            )
            .await?;
            // This session carries on; every other one ends.
            let claims = crate::service::auth::SessionClaims {
                version,
                ..caller.claims
            };
            remember(&session().await?, &claims).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    use super::server::{caller, context, remember, session, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let mut work = context()?.begin().await?;
            let version = crate::service::me::end_other_sessions(
                &mut work,
                &caller.principal,
                caller.claims.sign_in,
            )
            .await?;
            work.commit().await?;
            let claims = crate::service::auth::SessionClaims {
                version,
                ..caller.claims
            };
            remember(&session().await?, &claims).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "my_sign_ins")]
pub async fn my_sign_ins() -> Result<Vec<MySignIn>, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::sessions::my_sign_ins(&context()?, &caller).await
        }
        .await,
    )
}

/// Ends one of the person's other sessions.
#[server(prefix = "/rpc", endpoint = "end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::SignInId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            crate::service::sessions::end_session(&mut work, &caller, id).await?;
            work.commit().await
        }
        .await,
    )
}

#[component]
pub fn MePage() -> impl IntoView {
    let rename = ServerAction::<ChangeMyName>::new();
    let password = ServerAction::<ChangeMyPassword>::new();
    let sessions = ServerAction::<EndOtherSessions>::new();
    let page = Resource::new(move || rename.version().get(), |_| load_my_page());
    view! {
        <Title text="My profile"/>
        <h1>"My profile"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(me) => view! { <MyDetails me rename/> }.into_any(),
                }
            })}
        </Suspense>
        <PasswordForm password/>
        <super::two_step::TwoStepSection/>
        <super::passkeys::PasskeysSection/>
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p>"Signed in somewhere else too, or on a shared computer? End a session below, or every session but this one."</p>
            <ActionForm action=sessions attr:class="inline">
                <button type="submit">"End my other sessions"</button>
            </ActionForm>
            <p role="status" data-testid="sessions-ended">
                {move || matches!(sessions.value().get(), Some(Ok(()))).then_some("Your other sessions have ended.")}
            </p>
            <SignIns ended=sessions/>
        </section>
    }
}

#[component]
fn MyDetails(me: MyPage, rename: ServerAction<ChangeMyName>) -> impl IntoView {
    let error = Signal::derive(move || rename.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="name-heading">
            <h2 id="name-heading">"Your name"</h2>
            <p>{format!("Signed in as {} ({}).", me.email, me.username)}</p>
            <ActionForm action=rename attr:class="grid" attr:novalidate="">
                <TextField id="me-first-name" name="first_name" label="First name" value=me.first_name
                    error=field_error(error, "first_name")/>
                <TextField id="me-last-name" name="last_name" label="Last name" value=me.last_name
                    error=field_error(error, "last_name")/>
                <FormAlert error/>
                <div class="actions">
                    <button type="submit">"Save name"</button>
                    <span role="status" data-testid="name-saved">
                        {move || matches!(rename.value().get(), Some(Ok(()))).then_some("Saved.")}
                    </span>
                </div>
            </ActionForm>
        </section>
        <section aria-labelledby="organizations-heading">
            <h2 id="organizations-heading">"Your organizations and roles"</h2>
            <ul data-testid="my-organizations">
                {me.organizations.into_iter().map(|organization| view! {
                    <li>
                        <strong>{organization.name}</strong>
                        {organization.current.then_some(" (current)")}
                        {if organization.roles.is_empty() {
                            view! { <p class="hint">"No roles here."</p> }.into_any()
                        } else {
                            view! { <ul>{organization.roles.into_iter().map(|role| view! { <li>{role}</li> }).collect_view()}</ul> }.into_any()
                        }}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="outlets-heading">
            <h2 id="outlets-heading">"Outlets you can reach here"</h2>
            {if me.whole_organization {
                view! {
                    <p data-testid="my-outlets">{format!(
                        "All {} outlets of the organization: your access covers the whole organization.",
                        me.outlet_count
                    )}</p>
                }.into_any()
            } else {
                view! {
                    <ul data-testid="my-outlets">
                        {me.outlets.into_iter().map(|o| view! { <li>{format!("{} ({})", o.name, o.number)}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PasswordForm(password: ServerAction<ChangeMyPassword>) -> impl IntoView {
    let error = Signal::derive(move || password.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p>"Changing it ends your other sessions."</p>
            <ActionForm action=password attr:class="grid" attr:novalidate="">
                <TextField id="me-current-password" name="current_password" label="Current password"
                    input_type="password" autocomplete="current-password" error=field_error(error, "current_password")/>
                <TextField id="me-new-password" name="new_password" label="New password"
                    input_type="password" autocomplete="new-password" error=field_error(error, "new_password")/>
                <TextField id="me-confirmation" name="confirmation" label="Repeat the new password"
                    input_type="password" autocomplete="new-password" error=field_error(error, "confirmation")/>
                <FormAlert error/>
                <div class="actions">
                    <button type="submit">"Change password"</button>
                    <span role="status" data-testid="password-changed">
                        {move || matches!(password.value().get(), Some(Ok(()))).then_some("Your password is changed.")}
                    </span>
                </div>
            </ActionForm>
        </section>
    }
}

/// The person's recent sign-ins; each other session still going can be ended.
#[component]
fn SignIns(ended: ServerAction<EndOtherSessions>) -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let sign_ins = Resource::new(
        move || (ended.version().get(), end.version().get()),
        |_| my_sign_ins(),
    );
    let error = Signal::derive(move || end.value().get().and_then(Result::err));
    view! {
        <h3>"Recent sign-ins"</h3>
        <FormAlert error/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sign_ins.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(sign_ins) => view! {
                        <table data-testid="sign-ins">
                            <thead><tr>
                                <th scope="col">"Signed in"</th><th scope="col">"How"</th>
                                <th scope="col">"From"</th><th scope="col">"Session"</th>
                            </tr></thead>
                            <tbody>
                                {sign_ins.into_iter().map(|sign_in| view! { <SignInRow sign_in end/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInRow(sign_in: MySignIn, end: ServerAction<EndSession>) -> impl IntoView {
    let from = [sign_in.client_address.clone(), sign_in.user_agent.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let state = if sign_in.current {
        view! { <span>"This session"</span> }.into_any()
    } else if sign_in.active {
        let id = sign_in.id.to_string();
        view! {
            <ActionForm action=end attr:class="inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="link">"End this session"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <span class="hint">"Ended"</span> }.into_any()
    };
    view! {
        <tr>
            <td>{super::form::when(&sign_in.signed_in_at)}" UTC"</td>
            <td>{sign_in.method.label()}</td>
            <td>{from}</td>
            <td>{state}</td>
        </tr>
    }
}
