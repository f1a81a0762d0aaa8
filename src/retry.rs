//! Running a request again when its write transaction lost to a concurrent
//! one: the database rolled it back to break a deadlock or a serialization
//! conflict (the answer carries [`Contended`]). The whole request runs
//! again, extractors, reads and transaction, so nothing decided on what the
//! lost attempt read survives; its emails were queued in the rolled-back
//! transaction, so none is sent twice.
//!
//! A request is run again only when nothing committed during the lost
//! attempt, at most [`ATTEMPTS`] times in all; after that it answers the
//! 503 with `Retry-After` of its last attempt. The body is recorded as the
//! handler reads it, never ahead of it (a body is read only after
//! authentication), and replayed to the next attempt; an upload larger than
//! a JSON body is not kept, and its request is not run again.
use std::{
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::Request,
    middleware::Next,
    response::Response,
};
use http_body::{Body as _, Frame, SizeHint};

use crate::{db, error::Contended};

/// Attempts of one request, the first included.
pub const ATTEMPTS: u32 = 4;

/// The largest body kept for another attempt (any JSON body or form; a
/// larger upload is answered as its first attempt went).
const RECORD_LIMIT: usize = crate::app::JSON_BODY_LIMIT;

/// The middleware: runs the rest of the stack, again while the answer is a
/// lost transaction and nothing committed.
pub async fn rerun_lost_transactions(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let tape = Arc::new(Mutex::new(Tape {
        chunks: Vec::new(),
        recorded: 0,
        ended: body.is_end_stream(),
        overflowed: false,
    }));
    let mut body = Body::new(Recorder {
        inner: body,
        tape: tape.clone(),
    });
    let mut attempt = 1;
    loop {
        let request = Request::from_parts(parts.clone(), body);
        let (response, commits) = db::counting_commits(next.clone().run(request)).await;
        let lost = response.extensions().get::<Contended>().is_some();
        let replayable = !tape
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .overflowed;
        if !lost || commits > 0 || !replayable || attempt == ATTEMPTS {
            return response;
        }
        tracing::info!(
            attempt,
            "transaction lost to a concurrent one; running the request again"
        );
        // Spread the rivals apart: a few milliseconds, more each attempt.
        let pause = 5 * u64::from(attempt) + rand::random_range(0..10);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        body = Body::new(tape.lock().unwrap_or_else(PoisonError::into_inner).replay());
        attempt += 1;
    }
}

/// The body as far as the first attempt read it.
struct Tape {
    chunks: Vec<Bytes>,
    /// Bytes in `chunks`.
    recorded: usize,
    /// The first attempt read it to its end.
    ended: bool,
    /// Longer than [`RECORD_LIMIT`]: not kept, not replayed.
    overflowed: bool,
}

impl Tape {
    fn record(&mut self, chunk: &Bytes) {
        self.recorded += chunk.len();
        if self.recorded > RECORD_LIMIT {
            self.overflowed = true;
            self.chunks = Vec::new();
        } else {
            self.chunks.push(chunk.clone());
        }
    }
}

impl Tape {
    fn replay(&self) -> Replay {
        Replay {
            chunks: self.chunks.clone().into(),
            ended: self.ended,
        }
    }
}

/// The request body, copying each chunk to the tape as the handler reads it.
struct Recorder {
    inner: Body,
    tape: Arc<Mutex<Tape>>,
}

impl http_body::Body for Recorder {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        let mut tape = self.tape.lock().unwrap_or_else(PoisonError::into_inner);
        match &polled {
            Poll::Ready(Some(Ok(frame))) if !tape.overflowed => {
                if let Some(chunk) = frame.data_ref() {
                    tape.record(chunk);
                }
            }
            Poll::Ready(None) => tape.ended = true,
            _ => {}
        }
        drop(tape);
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The recorded body for another attempt. When the first attempt stopped
/// reading before the end, reading past what it read is an error: a body is
/// never silently cut short.
struct Replay {
    chunks: std::collections::VecDeque<Bytes>,
    ended: bool,
}

impl http_body::Body for Replay {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Poll::Ready(match self.chunks.pop_front() {
            Some(chunk) => Some(Ok(Frame::data(chunk))),
            None if self.ended => None,
            None => Some(Err(axum::Error::new(
                "the request body cannot be read again past what was read before",
            ))),
        })
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && self.ended
    }

    fn size_hint(&self) -> SizeHint {
        let recorded: usize = self.chunks.iter().map(Bytes::len).sum();
        match self.ended {
            true => SizeHint::with_exact(recorded as u64),
            false => {
                let mut hint = SizeHint::new();
                hint.set_lower(recorded as u64);
                hint
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use axum::{Router, http::StatusCode, middleware, response::IntoResponse, routing::post};
    use sea_orm::DbErr;
    use tower::ServiceExt;

    use super::*;
    use crate::error::{AppError, Unavailable};

    /// A route that loses its transaction for its first `losses` attempts,
    /// then echoes the body it read.
    fn app(losses: u32, attempts: Arc<AtomicU32>) -> Router {
        Router::new()
            .route(
                "/",
                post(move |body: Bytes| async move {
                    if attempts.fetch_add(1, Ordering::SeqCst) < losses {
                        let lost = DbErr::Custom("deadlock detected".into());
                        return AppError::Unavailable(Unavailable::Contention(lost))
                            .into_response();
                    }
                    body.into_response()
                }),
            )
            .layer(middleware::from_fn(rerun_lost_transactions))
    }

    async fn send(app: Router, body: &'static str) -> (StatusCode, Option<String>, Bytes) {
        let request = Request::post("/").body(Body::from(body)).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (status, retry_after, body)
    }

    #[tokio::test]
    async fn a_lost_attempt_runs_again_with_the_same_body() {
        let attempts = Arc::new(AtomicU32::new(0));
        let (status, _, body) = send(app(2, attempts.clone()), r#"{"reason":"x"}"#).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&body[..], br#"{"reason":"x"}"#);
        assert_eq!(attempts.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn attempts_are_bounded_then_answer_503_with_retry_after() {
        let attempts = Arc::new(AtomicU32::new(0));
        let (status, retry_after, _) = send(app(u32::MAX, attempts.clone()), "{}").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert_eq!(attempts.load(Ordering::SeqCst), ATTEMPTS);
    }
}
