//! Application state, router assembly and the HTTP server.
use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, Request, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_prometheus::{
    Handle, PrometheusMetricLayer, metrics_exporter_prometheus::PrometheusHandle,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use utoipa_swagger_ui::SwaggerUi;

use crate::{api, config::Config, db, error::AppError, services::users, web};

/// Largest JSON body accepted (SPEC §3).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Shared by every handler. Holds no state that two instances behind a load
/// balancer could disagree on: sessions, tokens and throttling live in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
}

/// Connects to the database, applies migrations and creates the bootstrap
/// admin when configured and no user exists.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let db = db::connect(&config.database_url).await?;
    db::migrate(&db).await?;
    if let Some((email, password)) = &config.bootstrap_admin
        && users::bootstrap_admin(&db, email, password)
            .await
            .map_err(|e| anyhow::anyhow!("bootstrap admin {email}: {e}"))?
    {
        tracing::info!(%email, "created the bootstrap admin");
    }
    Ok(AppState {
        db,
        config: Arc::new(config),
    })
}

/// The metrics recorder is process-global; install it once.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| Handle::default().0).clone()
}

/// The whole HTTP surface: operations endpoints, API docs, the JSON API and
/// the web pages. An unknown path under `/api` answers a problem document,
/// any other the HTML 404 page.
pub fn router(state: AppState) -> Router {
    let metrics = metrics_handle();
    let (api, openapi) = api::router().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/ready", get(ready))
        .route("/metrics", get(move || async move { metrics.render() }))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .merge(api)
        .merge(web::router(state.clone()))
        .fallback(web::error::fallback)
        .with_state(state)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(PrometheusMetricLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// `/ready`: the database answers.
async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
    // Give the load balancer a moment to stop routing here.
    tokio::time::sleep(Duration::from_millis(100)).await;
}
