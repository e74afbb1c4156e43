//! The console's CSV downloads, written as they are read: `/exports/people.csv` (the people
//! list with its filters) and `/exports/access.csv` (the access report with its filters).
//! Plain links: the signed-in person rides in the request (`guards::require_session`).

use axum::body::Body;
use axum::extract::{Extension, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, http::HeaderValue};
use futures_util::{Stream, StreamExt};

use crate::domain::model::ConnectorQuery;
use crate::domain::user_commands::PeopleSelection;
use crate::domain::users::PeopleFilter;
use crate::service::auth::SignedIn;
use crate::service::{Context, reports};

pub fn routes() -> Router<Context> {
    Router::new()
        .route("/people.csv", get(people))
        .route("/access.csv", get(access))
}

/// A download of `name`, its body the stream's chunks (an error ends it, logged).
fn download(name: &str, chunks: impl Stream<Item = reports::Chunk> + Send + 'static) -> Response {
    let body = Body::from_stream(
        chunks.map(|chunk| chunk.inspect_err(|error| tracing::error!(%error, "an export stopped"))),
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

async fn people(
    State(context): State<Context>,
    Extension(caller): Extension<SignedIn>,
    Query(filter): Query<PeopleFilter>,
) -> Response {
    let answer = async {
        let selection = PeopleSelection::try_from(&filter)?;
        reports::people_csv(context, caller.principal, selection).await
    };
    match answer.await {
        Ok(chunks) => download("people.csv", chunks),
        Err(error) => crate::api::error_response(&error),
    }
}

async fn access(
    State(context): State<Context>,
    Extension(caller): Extension<SignedIn>,
    Query(query): Query<ConnectorQuery>,
) -> Response {
    let answer = async {
        let query = ConnectorQuery {
            cursor: None,
            ..query
        };
        let query =
            super::picker::connector_query(&context, &caller.principal, query, None).await?;
        reports::access_csv(context.clone(), caller.principal.clone(), query).await
    };
    match answer.await {
        Ok(chunks) => download("access-report.csv", chunks),
        Err(error) => crate::api::error_response(&error),
    }
}
