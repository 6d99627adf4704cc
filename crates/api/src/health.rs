//! `GET /health/live` and `GET /health/ready`.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

use crate::{ApiTags, AppState, error::ApiError};

/// A health answer.
#[derive(Debug, Object)]
pub struct Status {
    /// `ok`.
    status: String,
}

#[derive(Default)]
pub struct HealthApi;

#[OpenApi(prefix_path = "/health", tag = "ApiTags::Operations")]
impl HealthApi {
    /// Liveness
    ///
    /// 200 while the process serves requests.
    #[oai(path = "/live", method = "get", operation_id = "healthLive")]
    async fn live(&self) -> Json<Status> {
        Json(Status { status: "ok".to_owned() })
    }

    /// Readiness
    ///
    /// 200 when the database answers, `503 unavailable` otherwise.
    #[oai(path = "/ready", method = "get", operation_id = "healthReady")]
    async fn ready(&self, state: Data<&Arc<AppState>>) -> Result<Json<Status>, ApiError> {
        state.services.ready().await?;
        Ok(Json(Status { status: "ok".to_owned() }))
    }
}
