//! What every console form shares: a labelled text field with its error next to it, and the
//! form-level alert for errors that name no field.

use leptos::prelude::*;

use crate::domain::AppError;

/// The problem with `field` in the last error, if it names that field.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_problem(field)))
}

/// An error that names no field (those are shown next to their field instead).
fn unplaced(error: &AppError) -> bool {
    !matches!(error, AppError::Invalid { fields, .. } if !fields.is_empty())
}

/// A stored time (`2026-01-31T09:00:00.000Z`) as shown: `2026-01-31 09:00:00`, UTC.
pub fn when(at: &str) -> String {
    match (at.get(..10), at.get(11..19)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => at.to_string(),
    }
}

/// A labelled input whose error (`<id>-error`) is announced with it.
#[component]
pub fn TextField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
    /// The value the field starts with (an edit form).
    #[prop(optional, into)]
    value: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=input_type autocomplete=autocomplete autofocus=autofocus
                value=value aria-describedby=error_id.clone()/>
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}

/// A group of checkboxes (`name` ends in `[]`, so the server reads a list), with its error.
#[component]
pub fn CheckboxGroup(
    #[prop(into)] id: String,
    name: &'static str,
    legend: &'static str,
    /// (value, label, checked)
    choices: Vec<(String, String, bool)>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    let id_for_choices = id.clone();
    view! {
        <fieldset class="field choices" id=id aria-describedby=described_by>
            <legend>{legend}</legend>
            {choices.into_iter().enumerate().map(move |(index, (value, label, checked))| {
                let input_id = format!("{}-{index}", id_for_choices);
                let label_for = input_id.clone();
                view! {
                    <label class="choice" for=label_for>
                        <input type="checkbox" id=input_id name=name value=value checked=checked/>
                        {label}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </fieldset>
    }
}

/// The form's alert: errors that belong to no single field.
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div role="alert" class="form-error">
            {move || error.get().filter(unplaced).map(|error| view! { <ErrorText error/> })}
        </div>
    }
}

/// An error's message; when the record changed since the page was opened, with a reload (a
/// full one, so every part of the page is fresh).
#[component]
pub fn ErrorText(error: AppError) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let here = move || {
        let search = location.search.get();
        let mark = if search.is_empty() { "" } else { "?" };
        format!("{}{mark}{search}", location.pathname.get())
    };
    view! {
        {error.to_string()}
        {error.is_changed_since_opened().then(|| view! {
            " " <a href=here rel="external" data-testid="reload">"Reload"</a>
        })}
    }
}

/// Bumps `refresh` once `done` turns true (an action succeeded), so a page reloads its data.
pub fn refresh_when(done: impl Fn() -> bool + Send + Sync + 'static, refresh: RwSignal<u32>) {
    Effect::new(move |_| {
        if done() {
            refresh.update(|n| *n += 1);
        }
    });
}

/// A new password typed twice, checked as every set-password form checks it.
#[cfg(feature = "ssr")]
pub fn password_typed_twice(
    password: String,
    confirmation: String,
) -> Result<crate::domain::Password, AppError> {
    use crate::domain::Password;
    use crate::domain::error::Problems;
    let mut problems = Problems::default();
    let same = password == confirmation;
    let password = problems.check("password", Password::new_choice(password));
    if password.is_some() && !same {
        problems.add("confirmation", "The two passwords differ.");
    }
    problems.finish()?;
    password.ok_or_else(|| AppError::field("password", "Choose a password."))
}

/// The two fields of a set-password form (`password`, `confirmation`), read by
/// [`password_typed_twice`].
#[component]
pub fn NewPasswordFields(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <TextField id="password" name="password" label="New password" input_type="password"
            autocomplete="new-password" error=field_error(error, "password")/>
        <TextField id="confirmation" name="confirmation" label="Repeat the password"
            input_type="password" autocomplete="new-password" error=field_error(error, "confirmation")/>
    }
}

/// Follows a running job (an outlet import, a bulk action) until it ends: in the browser,
/// asks `next` for its progress every 250 ms while `running` says so, then bumps `refresh`
/// (the server renders its first state).
pub fn follow_job<T, Next, Answer>(
    job: RwSignal<Option<T>>,
    refresh: RwSignal<u32>,
    running: fn(&T) -> bool,
    next: Next,
) where
    T: Clone + Send + Sync + 'static,
    Next: Fn(&T) -> Answer + Copy + 'static,
    Answer: std::future::Future<Output = Result<T, AppError>> + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        use std::time::Duration;
        let handle = RwSignal::new(None::<leptos::prelude::IntervalHandle>);
        if let Ok(interval) = leptos::prelude::set_interval_with_handle(
            move || {
                let Some(current) = job.get_untracked() else {
                    return;
                };
                if !running(&current) {
                    if let Some(h) = handle.get_untracked() {
                        h.clear();
                    }
                    refresh.update(|n| *n += 1);
                    return;
                }
                leptos::task::spawn_local(async move {
                    if let Ok(progress) = next(&current).await {
                        job.set(Some(progress));
                    }
                });
            },
            Duration::from_millis(250),
        ) {
            handle.set(Some(interval));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (job, refresh, running, next);
}

/// When access ends, as the tables show it: "2030-07-04 07:00:00 UTC", or "—" for never.
pub fn until(ends_at: Option<&str>) -> String {
    ends_at
        .map(|at| format!("{} UTC", when(at)))
        .unwrap_or_else(|| "—".into())
}
