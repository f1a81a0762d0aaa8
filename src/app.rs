//! Application state, router assembly and the HTTP server.
use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Request as AxumRequest, State},
    http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_prometheus::{
    EndpointLabel, Handle, PrometheusMetricLayer, PrometheusMetricLayerBuilder,
    metrics_exporter_prometheus::PrometheusHandle,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    api,
    clock::Clock,
    config::Config,
    db, demo,
    error::{AppError, Unavailable},
    jobs,
    mail::{self, Mailer},
    retry,
    services::{Context, auth, read_cache::ReadCache, users},
    web,
};

/// Largest JSON body accepted (SPEC §3).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Shared by every handler. Holds no state that two instances behind a load
/// balancer could disagree on: sessions, tokens, throttling and the mail queue
/// live in the database.
#[derive(Clone)]
pub struct AppState {
    /// What services take; the state reads as it (`state.db`, `&state`).
    pub ctx: Context,
    /// Callers of recently seen bearer tokens (SQLite only; see `read_cache`).
    pub callers: Arc<auth::Callers>,
    /// Catalog pages as answered, by query string (SQLite only).
    pub catalog_pages: Arc<ReadCache<String, CatalogPage>>,
}

impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.ctx
    }
}

/// A catalog page as sent: the JSON bytes and their entity tag.
#[derive(Clone)]
pub struct CatalogPage {
    json: axum::body::Bytes,
    etag: HeaderValue,
}

impl CatalogPage {
    pub fn of<T: serde::Serialize>(page: &T) -> Result<Self, AppError> {
        let json = serde_json::to_vec(page).map_err(|e| AppError::Internal(e.into()))?;
        let digest = Sha256::digest(&json);
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16])))
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(Self {
            json: json.into(),
            etag,
        })
    }

    /// 304 when `If-None-Match` names this page's tag, else the page.
    pub fn answer(&self, request: &HeaderMap) -> Response {
        let unchanged = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim() == self.etag || tag.trim() == "*");
        let etag = (header::ETAG, self.etag.clone());
        if unchanged {
            return (StatusCode::NOT_MODIFIED, [etag]).into_response();
        }
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                etag,
            ],
            self.json.clone(),
        )
            .into_response()
    }
}

/// A CSV file, downloaded as `filename`.
pub fn csv_attachment(filename: &str, csv: impl IntoResponse) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response()
}

/// A PDF shown in the browser, saved as `filename`.
pub fn pdf_inline(filename: &str, pdf: Vec<u8>) -> Response {
    let disposition = format!("inline; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response()
}

/// Connects to the database, applies migrations, sets up the mail transport
/// and creates the bootstrap admin when configured and no user exists.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let state = open(config).await?;
    create_bootstrap_admin(&state).await?;
    Ok(state)
}

/// [`prepare`] for `serve --demo`: the demo is seeded into an empty database
/// before the bootstrap admin is considered, so the demo's logins work even
/// with `IMET_ADMIN_*` set (that admin is then not created: users exist).
/// Returns whether the demo was seeded.
pub async fn prepare_demo(config: Config) -> anyhow::Result<(AppState, bool)> {
    let state = open(config).await?;
    let seeded = demo::seed(&state)
        .await
        .map_err(|e| anyhow::anyhow!("seed the demo: {}", e.problem()))?;
    create_bootstrap_admin(&state).await?;
    Ok((state, seeded))
}

async fn open(config: Config) -> anyhow::Result<AppState> {
    let db = db::connect(&config.database_url).await?;
    db::migrate(&db).await?;
    Ok(AppState {
        callers: Arc::new(ReadCache::new(&db)),
        catalog_pages: Arc::new(ReadCache::new(&db)),
        ctx: Context {
            db,
            mailer: Mailer::new(&config)?,
            config: Arc::new(config),
            clock: Clock::default(),
        },
    })
}

async fn create_bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    if let Some((email, password)) = &state.config.bootstrap_admin
        && users::bootstrap_admin(state, email, password)
            .await
            .map_err(|e| anyhow::anyhow!("bootstrap admin {email}: {e}"))?
    {
        tracing::info!(%email, "created the bootstrap admin");
    }
    Ok(())
}

/// The metrics recorder is process-global; install it once.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| Handle::default().0).clone()
}

/// Request metrics labelled by route template; every unmatched path shares
/// one label, so unknown addresses can't grow the series without bound.
fn metrics_layer() -> PrometheusMetricLayer<'static> {
    PrometheusMetricLayerBuilder::new()
        .with_endpoint_label_type(EndpointLabel::MatchedPathWithFallbackFn(|_| {
            "unmatched".to_owned()
        }))
        .build()
}

/// The whole HTTP surface: operations endpoints, API docs, the JSON API and
/// the web pages. An unknown path under `/api` answers a problem document,
/// any other the HTML 404 page.
pub fn router(state: AppState) -> Router {
    let metrics = metrics_handle();
    let (api, openapi) = api::router().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/ready", get(ready))
        .route("/metrics", get(move || async move { metrics.render() }))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .merge(api)
        .merge(web::router(state.clone()))
        .fallback(web::error::fallback)
        .layer(middleware::from_fn(crate::middleware::reject_control_chars))
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(middleware::from_fn(retry::rerun_lost_transactions))
        .layer(middleware::from_fn_with_state(timeout, time_limit))
        .layer(metrics_layer())
        .layer(middleware::from_fn_with_state(
            state,
            crate::middleware::security_headers,
        ))
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

/// Answers 503 for a request still unanswered after `limit`; dropping it
/// rolls back the transaction it had open.
async fn time_limit(State(limit): State<Duration>, request: AxumRequest, next: Next) -> Response {
    let uri = request.uri().clone();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => web::error::answer(
            &uri,
            AppError::Unavailable(Unavailable::Timeout(limit.as_secs())),
        ),
    }
}

/// How long `/ready` waits for the database: well within the 2 seconds a
/// probe allows.
const READY_TIMEOUT: Duration = Duration::from_millis(1200);

/// `/ready`: the database answers, in time.
async fn ready(State(state): State<AppState>) -> Response {
    let answer = tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await;
    match answer.unwrap_or_else(|_| Err(sea_orm::DbErr::Custom("no answer in time".into()))) {
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

/// Serves HTTP and runs the mail worker and the daily job until `shutdown` resolves, then
/// finishes in-flight requests and the worker's batch in hand.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // The router installs the metrics recorder the worker reports to.
    let app = router(state.clone());
    let (stop_worker, stopped) = tokio::sync::watch::channel(false);
    let worker = mail::worker::spawn(
        state.db.clone(),
        state.config.clone(),
        state.mailer.clone(),
        stopped.clone(),
    );
    let daily = jobs::spawn(state.ctx.clone(), stopped);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = stop_worker.send(true);
    if let Err(err) = worker.await {
        tracing::error!(error = %err, "mail worker ended abnormally");
    }
    if let Err(err) = daily.await {
        tracing::error!(error = %err, "daily job ended abnormally");
    }
    served?;
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
