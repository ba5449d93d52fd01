//! Loki's live tail against a local WebSocket server that sends the recorded frames
//! (tests/fixtures/real-api/loki/shop-tail-frames.json), drops the connection and answers
//! the reconnect: lines in order, none repeated, and the tail stops when nobody listens.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use labtui::lab::query::logs::TailFrame;
use labtui::lab::query::loki::{self, TailEvent, decode};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/loki")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A WebSocket Loki: the first connection sends `first` and closes, later ones send
/// `then` and stay open. Returns its base URL, the request URIs it saw and its task.
#[expect(
    clippy::result_large_err,
    reason = "tungstenite's handshake callback answers with its own (large) error response type"
)]
async fn tail_server(
    first: Vec<String>,
    then: String,
) -> (String, Arc<Mutex<Vec<String>>>, AbortOnDrop<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let uris: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = uris.clone();
    let task = tokio::spawn(async move {
        let mut open = Vec::new();
        for n in 0.. {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            let callback =
                move |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
                    seen.lock().unwrap().push(req.uri().to_string());
                    Ok(resp)
                };
            let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
                continue;
            };
            if n == 0 {
                for f in &first {
                    ws.send(Message::text(f.clone())).await.unwrap();
                }
                let _ = ws.close(None).await;
            } else {
                ws.send(Message::text(then.clone())).await.unwrap();
                // Keep it open, reading until the client goes.
                open.push(tokio::spawn(
                    async move { while ws.next().await.is_some() {} },
                ));
            }
        }
    });
    (url, uris, AbortOnDrop(task))
}

/// The next event, or a failure naming what was awaited.
async fn next_event(rx: &mut mpsc::Receiver<TailEvent>, what: &str) -> TailEvent {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
        .unwrap_or_else(|| panic!("the tail ended before {what}"))
}

fn start_param(uri: &str) -> i64 {
    let url = reqwest::Url::parse(&format!("http://x{uri}")).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "start")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap()
}

#[tokio::test]
async fn replay_tail_resumes_after_a_drop_without_repeating_lines() {
    let recorded: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("shop-tail-frames.json")).unwrap();
    let first: Vec<String> = recorded.iter().map(|f| f.to_string()).collect();
    let expected: Vec<TailFrame> = first
        .iter()
        .map(|f| decode::tail_frame(f).unwrap())
        .collect();
    let newest = expected
        .iter()
        .flat_map(|f| &f.entries)
        .map(|e| e.ts_ns)
        .max()
        .unwrap();
    let later = newest + 5_000_000;
    let then = format!(
        r#"{{"streams":[{{"stream":{{"service_name":"storefront","level":"info"}},"values":[["{later}","{{\"message\":\"after the reconnect\"}}"]]}}]}}"#
    );
    let (url, uris, _server) = tail_server(first, then).await;

    let start_ns = 1_796_193_433_000_000_000;
    let expr = r#"{service_name="storefront"}"#;
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::channel(16);
    let tail = AbortOnDrop(tokio::spawn({
        let (url, cancel) = (url.clone(), cancel.clone());
        async move { loki::tail(&url, expr, 5, start_ns, cancel, tx).await }
    }));

    assert_eq!(
        next_event(&mut rx, "the first connection").await,
        TailEvent::Connected
    );
    for (i, want) in expected.iter().enumerate() {
        let got = next_event(&mut rx, &format!("frame {i}")).await;
        assert_eq!(got, TailEvent::Frame(want.clone()), "frame {i}");
    }
    match next_event(&mut rx, "the reconnect notice").await {
        TailEvent::Reconnecting { attempt, error } => {
            assert_eq!(attempt, 1);
            assert!(!error.is_empty());
        }
        other => panic!("expected Reconnecting, got {other:?}"),
    }
    assert_eq!(
        next_event(&mut rx, "the second connection").await,
        TailEvent::Connected
    );
    let TailEvent::Frame(frame) = next_event(&mut rx, "the frame after the reconnect").await else {
        panic!("expected a frame")
    };
    assert_eq!(frame.entries.len(), 1);
    assert_eq!(frame.entries[0].ts_ns, later);
    assert_eq!(
        frame.entries[0].line,
        r#"{"message":"after the reconnect"}"#
    );

    let uris = uris.lock().unwrap().clone();
    assert_eq!(uris.len(), 2, "{uris:?}");
    assert!(
        uris[0]
            .starts_with("/loki/api/v1/tail?query=%7Bservice_name%3D%22storefront%22%7D&limit=5&")
    );
    assert_eq!(start_param(&uris[0]), start_ns);
    assert_eq!(
        start_param(&uris[1]),
        newest + 1,
        "resumes after the newest line seen"
    );

    // Cancelling stops it promptly, though the server keeps the connection open.
    cancel.cancel();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !tail.0.is_finished() {
        assert!(
            Instant::now() < deadline,
            "the tail did not stop when cancelled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn replay_tail_stops_when_nobody_listens() {
    let (url, _uris, _server) =
        tail_server(Vec::new(), fixture("tail-websocket-first-frame.json")).await;
    let (tx, mut rx) = mpsc::channel(1);
    let tail = AbortOnDrop(tokio::spawn(async move {
        loki::tail(&url, "{}", 1, 0, CancellationToken::new(), tx).await
    }));
    assert_eq!(
        next_event(&mut rx, "a connection").await,
        TailEvent::Connected
    );
    drop(rx);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !tail.0.is_finished() {
        assert!(
            Instant::now() < deadline,
            "the tail kept going with no receiver"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
