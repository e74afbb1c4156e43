use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every failure a caller can see, shared by the console's server functions and the API.
/// Bad input is always `Invalid` or `Conflict`, never `Internal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Refused by the policy for a reason worth telling (403).
    #[error("{message}")]
    Denied { code: String, message: String },
    /// The request itself could not be read, e.g. malformed JSON (400).
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
    /// The request as a whole is refused by the protocol layer: 405 (method), 413 (size).
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Something went wrong on our side. Try again.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
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

    /// Several invalid fields at once; `None` when there are none.
    pub fn fields(fields: BTreeMap<String, String>) -> Option<Self> {
        let message = match fields.len() {
            0 => return None,
            1 => fields.values().next().cloned().unwrap_or_default(),
            n => format!("{n} fields are invalid."),
        };
        Some(AppError::Invalid { message, fields })
    }

    /// The HTTP status this error is answered with, everywhere.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest { .. } => 400,
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::Denied { .. } => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::Invalid { .. } => 422,
            AppError::Refused { status, .. } => *status,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    pub fn refused(status: u16, code: &str, message: impl Into<String>) -> Self {
        AppError::Refused {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code: code.into(),
            message: message.into(),
        }
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
            | AppError::Refused { code, .. } => code,
            AppError::NotFound => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::Invalid { .. } => "invalid",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
