use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The machine code of [`AppError::changed_since_opened`].
pub const CHANGED_SINCE_OPENED: &str = "changed_by_someone_else";

/// Every failure a caller can see, shared by the console's server functions and the API.
/// Bad input is always `BadRequest`, `Invalid` or `Conflict`, never `Internal`.
/// How each maps to HTTP is the adapters' business (`api`, `console`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Refused by the policy for a reason worth telling.
    #[error("{message}")]
    Denied { code: String, message: String },
    /// The request itself could not be read, e.g. malformed JSON or form arguments.
    #[error("{message}")]
    BadRequest { code: String, message: String },
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("{message}")]
    Invalid {
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// Too many attempts; try again after `retry_after` seconds.
    #[error("{message}")]
    TooManyRequests { retry_after: u64, message: String },
    /// The request as a whole is refused by the protocol layer (wrong method, body too large).
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Something went wrong on our side. Try again.")]
    Internal,
    /// The request did not reach the server or its answer could not be read (browser side).
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    /// Invalid input in one field, with the message to show next to it.
    pub fn field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        AppError::Invalid {
            message: problem.clone(),
            fields: BTreeMap::from([(field.to_string(), problem)]),
        }
    }

    /// Invalid input that names no single field.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid {
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    pub fn denied(code: &str, message: impl Into<String>) -> Self {
        AppError::Denied {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn refused(status: u16, code: &str, message: impl Into<String>) -> Self {
        AppError::Refused {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// A write from a form whose record changed since the form was opened (the page offers
    /// a reload instead of overwriting what someone else did).
    pub fn changed_since_opened() -> Self {
        AppError::refused(
            412,
            CHANGED_SINCE_OPENED,
            "Changed by someone else since you opened it. Reload to see the change, then make \
             yours again.",
        )
    }

    pub fn is_changed_since_opened(&self) -> bool {
        matches!(self, AppError::Refused { code, .. } if code == CHANGED_SINCE_OPENED)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Several invalid fields at once; `None` when there are none.
    pub fn fields(fields: BTreeMap<String, String>) -> Option<Self> {
        let message = match fields.len() {
            0 => return None,
            1 => fields.values().next().cloned().unwrap_or_default(),
            n => format!("{n} fields are invalid."),
        };
        Some(AppError::Invalid { message, fields })
    }

    /// The problem with `field`, if this error names one.
    pub fn field_problem(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { fields, .. } => fields.get(field).cloned(),
            _ => None,
        }
    }

    /// Stable machine code, as the API reports it.
    pub fn code(&self) -> &str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Denied { code, .. }
            | AppError::BadRequest { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Refused { code, .. } => code,
            AppError::NotFound => "not_found",
            AppError::Invalid { .. } => "invalid",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }

    /// An unexpected failure: its whole cause chain is logged here, once, and the caller
    /// only learns that something went wrong.
    #[cfg(feature = "ssr")]
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "internal error");
        AppError::Internal
    }
}

/// Collects field problems while parsing several inputs, then answers them all at once.
#[derive(Debug, Default)]
pub struct Problems(BTreeMap<String, String>);

impl Problems {
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| problem.into());
    }

    /// The value when it parsed, else records its problem under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|problem| self.add(field, problem)).ok()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// `Err` with every problem found, or `Ok(())` when there is none.
    pub fn finish(self) -> Result<(), AppError> {
        AppError::fields(self.0).map_or(Ok(()), Err)
    }
}
