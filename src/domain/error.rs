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
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("{message}")]
    Invalid {
        message: String,
        fields: BTreeMap<String, String>,
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
