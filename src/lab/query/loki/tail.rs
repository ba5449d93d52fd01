//! Loki's live tail: a WebSocket on `/loki/api/v1/tail` that pushes new lines as they are
//! ingested. The connection is resumed after a drop, from just after the newest line seen,
//! so no line is shown twice; the caller stops it with a cancellation token.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_util::sync::CancellationToken;

use super::decode;
use crate::lab::query::logs::TailFrame;
use crate::lab::query::transport::REQUEST_ID_HEADER;

/// The first wait before reconnecting; it doubles after each failed attempt.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between attempts, so a restarted Loki is picked up within seconds.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long the WebSocket handshake may take before the attempt counts as failed.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the tail tells its reader, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailEvent {
    /// The WebSocket is open (again); lines follow.
    Connected,
    /// New lines, oldest first.
    Frame(TailFrame),
    /// The connection failed or dropped; the tail waits and tries again (`attempt` counts
    /// the failures since the last successful connection, from 1).
    Reconnecting { error: String, attempt: u32 },
}

/// Why the tail cannot start at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TailError {
    #[error(
        "Loki's URL {url:?} must start with http:// or https:// to tail it; fix --loki-url or [stack] loki in config.toml"
    )]
    BadUrl { url: String },
}

/// The tail's WebSocket URL: ws:// for an http:// Loki, wss:// for https://.
pub fn tail_url(
    base_url: &str,
    expr: &str,
    limit: u32,
    start_ns: i64,
) -> Result<String, TailError> {
    let base = base_url.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else {
        return Err(TailError::BadUrl {
            url: base_url.to_string(),
        });
    };
    let mut url =
        reqwest::Url::parse(&format!("{ws}/loki/api/v1/tail")).map_err(|_| TailError::BadUrl {
            url: base_url.to_string(),
        })?;
    url.query_pairs_mut()
        .append_pair("query", expr)
        .append_pair("limit", &limit.to_string())
        .append_pair("start", &start_ns.to_string());
    Ok(url.to_string())
}

/// Tail `expr` from `start_ns` (unix nanoseconds) until `cancel` fires or `events`' receiver
/// is dropped, sending [`TailEvent`]s. A dropped connection is retried with a backoff
/// from [`FIRST_BACKOFF`] doubling to [`MAX_BACKOFF`], resuming 1 ns after the newest line
/// seen. Returns `Ok` when stopped; only a base URL that is not http(s) is an error.
pub async fn tail(
    base_url: &str,
    expr: &str,
    limit: u32,
    start_ns: i64,
    cancel: CancellationToken,
    events: mpsc::Sender<TailEvent>,
) -> Result<(), TailError> {
    tail_url(base_url, expr, limit, start_ns)?;
    let mut from_ns = start_ns;
    let mut attempt = 0u32;
    let mut backoff = FIRST_BACKOFF;
    let mut connections = 0u64;
    loop {
        let url = tail_url(base_url, expr, limit, from_ns)?;
        connections += 1;
        let error = tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            () = events.closed() => return Ok(()),
            ended = connection(&url, connections, &mut from_ns, &cancel, &events) => match ended {
                Ended::Stopped => return Ok(()),
                Ended::Dropped { error, connected } => {
                    if connected {
                        attempt = 0;
                        backoff = FIRST_BACKOFF;
                    }
                    error
                }
            },
        };
        attempt = attempt.saturating_add(1);
        tracing::debug!(attempt, %error, "Loki tail dropped; reconnecting");
        let reconnecting = TailEvent::Reconnecting { error, attempt };
        if events.send(reconnecting).await.is_err() {
            return Ok(());
        }
        tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            () = events.closed() => return Ok(()),
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// How one connection ended.
enum Ended {
    /// Cancelled, or nobody is listening any more.
    Stopped,
    /// Failed to open, or dropped after `connected`.
    Dropped { error: String, connected: bool },
}

/// One WebSocket connection: open it, forward its frames, move `from_ns` past every line.
async fn connection(
    url: &str,
    id: u64,
    from_ns: &mut i64,
    cancel: &CancellationToken,
    events: &mpsc::Sender<TailEvent>,
) -> Ended {
    let dropped = |error: String, connected: bool| Ended::Dropped { error, connected };
    let mut request = match url.into_client_request() {
        Ok(r) => r,
        Err(e) => return dropped(e.to_string(), false),
    };
    if let Ok(value) = format!("labtui-tail-{id}").parse() {
        request.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let socket = match tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_tungstenite::connect_async(request),
    )
    .await
    {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => return dropped(e.to_string(), false),
        Err(_) => {
            return dropped(
                format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()),
                false,
            );
        }
    };
    if events.send(TailEvent::Connected).await.is_err() {
        return Ended::Stopped;
    }
    let (mut sink, mut stream) = socket.split();
    // Lines older than what this connection asked for were already delivered.
    let asked_from = *from_ns;
    loop {
        let message = tokio::select! {
            () = cancel.cancelled() => {
                let _ = sink.send(Message::Close(None)).await;
                return Ended::Stopped;
            }
            message = stream.next() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => {
                let why = frame
                    .map(|f| format!("Loki closed the tail: {} {}", f.code, f.reason))
                    .unwrap_or_else(|| "Loki closed the tail".to_string());
                return dropped(why.trim_end().to_string(), true);
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return dropped(e.to_string(), true),
            None => return dropped("the connection ended".to_string(), true),
        };
        let mut frame = match decode::tail_frame(&text) {
            Ok(frame) => frame,
            Err(problem) => {
                tracing::warn!(?problem, "skipped a tail frame labtui cannot read");
                continue;
            }
        };
        frame.entries.retain(|e| e.ts_ns >= asked_from);
        if let Some(newest) = frame.entries.iter().map(|e| e.ts_ns).max() {
            *from_ns = (*from_ns).max(newest.saturating_add(1));
        }
        if frame.entries.is_empty() && frame.dropped == 0 {
            continue;
        }
        if events.send(TailEvent::Frame(frame)).await.is_err() {
            return Ended::Stopped;
        }
    }
}
