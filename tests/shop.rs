//! The shop as real processes of the labtui binary (no stack binaries: the stack is all
//! skipped): health, one trace across the services of a checkout (received over real
//! OTLP/HTTP), logs carrying its trace id, Loki pushes, traffic control, loopback-only
//! listeners, and requests that keep working when Loki is down.

mod shop_support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use labtui::lab::shop::Service;
use labtui::lab::shop::traffic::{TrafficRequest, control};
use labtui::lab::stack::{ComponentState, LabState, Outcome, Runtime};
use shop_support::{
    ShopLab, client, listening_addresses, log_lines, paid_checkout, receiver, shop_launch, wait_for,
};

const SHOP: [&str; 5] = [
    "storefront",
    "orders",
    "payments",
    "inventory",
    "fulfillment",
];

/// What a checkout's trace still lacks of what the checkout test asserts: a span from each
/// shop service, the worker's DELETE, the root, every parent, and each span it looks up.
fn missing_from_checkout(spans: &[shop_support::SpanRow]) -> Vec<String> {
    let mut missing = Vec::new();
    for service in SHOP {
        if !spans.iter().any(|s| s.service == service) {
            missing.push(format!("a {service} span"));
        }
    }
    let worker = spans.iter().any(|s| {
        s.service == "fulfillment"
            && s.attributes
                .get("db.operation.name")
                .is_some_and(|o| o == "DELETE")
    });
    if !worker {
        missing.push("the worker's DELETE".into());
    }
    if !spans.iter().any(|s| s.parent.is_empty()) {
        missing.push("the root".into());
    }
    let ids: BTreeSet<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    for s in spans {
        if !s.parent.is_empty() && !ids.contains(s.parent.as_str()) {
            missing.push(format!("the parent of {} {}", s.service, s.name));
        }
    }
    for (service, name) in [
        ("orders", "POST /orders"),
        ("payments", "POST /charge"),
        ("orders", "POST /charge"),
        ("inventory", "POST /reserve"),
        ("fulfillment", "process fulfillment"),
        ("orders", "publish fulfillment"),
        ("orders", "INSERT orders"),
    ] {
        if !spans.iter().any(|s| s.service == service && s.name == name) {
            missing.push(format!("{service} {name}"));
        }
    }
    if !spans.iter().any(|s| s.service == "payments" && s.kind == 2) {
        missing.push("a payments server span".into());
    }
    missing
}

/// The two tests here run one at a time. Each starts a lab on ports the OS calls free, and
/// the checkout test also binds its own receivers to port 0: between a lab picking its
/// ports and its services binding them, the other test could take one (and answer the
/// shop's calls with its receiver's 404s).
static ONE_LAB_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn url_of(state: &LabState, service: Service) -> String {
    state
        .url(&service.component())
        .unwrap_or_else(|| panic!("{service} is not in the lab state"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_is_one_trace_across_the_shop_and_its_logs_carry_it() {
    let _one_lab = ONE_LAB_AT_A_TIME.lock().await;
    let (base, received) = receiver().await;
    let mut launch = shop_launch();
    launch.otlp_endpoint = Some(format!("{base}/v1/traces"));
    launch.loki_url = Some(base.clone());
    launch.traffic_rps = Some(0.0);
    let lab = ShopLab::new(&[], launch);
    let plan = lab.plan();
    let (report, _events) = lab.up(&plan).await;

    // Every shop process is ready and recorded beside the (skipped) stack.
    for service in Service::ALL {
        let name = service.component();
        let outcome = report.outcomes.iter().find(|(n, _)| *n == name);
        assert!(
            matches!(outcome, Some((_, Outcome::Ready { .. }))),
            "{name}: {outcome:?}"
        );
    }
    assert!(
        report
            .outcomes
            .iter()
            .any(|(n, o)| n == "prometheus" && matches!(o, Outcome::Skipped(_)))
    );
    let state = LabState::load(&lab.dirs).unwrap().expect("state");
    let statuses = lab.rt.status(&state).await;
    for service in Service::ALL {
        let row = statuses
            .iter()
            .find(|s| s.name == service.component())
            .expect("a status row");
        assert_eq!(row.state, ComponentState::Ready, "{row:?}");
        assert_eq!(row.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    }

    // /health everywhere; every listener of every shop process is on 127.0.0.1.
    let http = client();
    for service in Service::ALL {
        let resp = http
            .get(format!("{}/health", url_of(&state, service)))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{service}");
        let pid = state
            .component(&service.component())
            .and_then(|c| c.pid)
            .unwrap();
        let addrs = listening_addresses(pid);
        assert!(!addrs.is_empty(), "{service} listens on nothing?");
        for addr in addrs {
            assert!(addr.starts_with("0100007F:"), "{service} listens on {addr}");
        }
    }

    // One checkout through the storefront.
    let resp = paid_checkout(|| {
        http.post(format!("{}/checkout", url_of(&state, Service::Storefront)))
            .header("x-user-id", "u-0042")
            .header("x-country", "DE")
            .json(&serde_json::json!({"items": [{"product_id": 3, "quantity": 2}]}))
    })
    .await;
    assert_eq!(resp.status().as_u16(), 201);
    let trace_id = resp.headers()["x-trace-id"].to_str().unwrap().to_string();
    let order: serde_json::Value = resp.json().await.unwrap();
    let order_id = order["order_id"].as_i64().expect("an order id");

    // Its spans, fulfillment included (the worker joins the trace from the queue). Each
    // service exports on its own schedule: wait for every span the checks below look at.
    let spans = wait_for(
        "the checkout's spans from all five services",
        Duration::from_secs(30),
        || {
            let received = received.clone();
            let trace_id = trace_id.clone();
            async move {
                let got = received.lock().unwrap();
                let spans: Vec<_> = got
                    .spans
                    .iter()
                    .filter(|s| s.trace_id == trace_id)
                    .cloned()
                    .collect();
                let missing = missing_from_checkout(&spans);
                if !missing.is_empty() {
                    eprintln!("checkout trace still lacks: {missing:?}");
                }
                missing.is_empty().then_some(spans)
            }
        },
    )
    .await;
    let services: BTreeSet<&str> = spans.iter().map(|s| s.service.as_str()).collect();
    assert!(services.len() >= 4, "{services:?}");
    assert_eq!(
        services,
        SHOP.into_iter().collect(),
        "all five services take part"
    );
    let ids: BTreeSet<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    let roots: Vec<_> = spans.iter().filter(|s| s.parent.is_empty()).collect();
    assert_eq!(roots.len(), 1, "one root: {roots:?}");
    assert_eq!(
        (
            roots[0].service.as_str(),
            roots[0].name.as_str(),
            roots[0].kind
        ),
        ("storefront", "POST /checkout", 2)
    );
    for s in &spans {
        assert!(
            s.parent.is_empty() || ids.contains(s.parent.as_str()),
            "{} {} has a parent outside the trace",
            s.service,
            s.name
        );
        assert_eq!(
            s.resource.get("deployment.environment").map(String::as_str),
            Some("lab")
        );
        assert_eq!(
            s.resource.get("service.version").map(String::as_str),
            Some(env!("CARGO_PKG_VERSION"))
        );
    }
    let by_id: BTreeMap<&str, &shop_support::SpanRow> =
        spans.iter().map(|s| (s.span_id.as_str(), s)).collect();
    let parent_of = |service: &str, name: &str| {
        let span = spans
            .iter()
            .find(|s| s.service == service && s.name == name)
            .unwrap_or_else(|| panic!("no {service} span {name}"));
        by_id[span.parent.as_str()]
    };
    // Server spans are children of their caller's client spans.
    let p = parent_of("orders", "POST /orders");
    assert_eq!((p.service.as_str(), p.kind), ("storefront", 3));
    let p = parent_of("payments", "POST /charge");
    assert_eq!(
        (p.service.as_str(), p.name.as_str(), p.kind),
        ("orders", "POST /charge", 3)
    );
    let p = parent_of("inventory", "POST /reserve");
    assert_eq!((p.service.as_str(), p.kind), ("orders", 3));
    let p = parent_of("fulfillment", "process fulfillment");
    assert_eq!(
        (p.service.as_str(), p.name.as_str(), p.kind),
        ("orders", "publish fulfillment", 4)
    );
    // Semantic-convention attributes.
    let server = spans
        .iter()
        .find(|s| s.service == "payments" && s.kind == 2)
        .unwrap();
    assert_eq!(server.attributes["http.request.method"], "POST");
    assert_eq!(server.attributes["http.route"], "/charge");
    assert_eq!(server.attributes["http.response.status_code"], "201");
    let client_span = spans
        .iter()
        .find(|s| s.service == "orders" && s.name == "POST /charge")
        .unwrap();
    assert!(client_span.attributes["url.full"].ends_with("/charge"));
    let insert = spans
        .iter()
        .find(|s| s.service == "orders" && s.name == "INSERT orders")
        .expect("the order insert span");
    assert_eq!(insert.attributes["db.system"], "sqlite");
    assert_eq!(insert.attributes["db.operation.name"], "INSERT");

    // The log lines of that request carry its trace id, in every service it touched.
    let data_dir = lab.data_dir();
    let with_trace = wait_for("the checkout's log lines", Duration::from_secs(15), || {
        let lines: Vec<serde_json::Value> = log_lines(&data_dir)
            .into_iter()
            .filter(|l| l["trace_id"] == trace_id.as_str())
            .collect();
        let services: BTreeSet<&str> = lines
            .iter()
            .filter_map(|l| l["service_name"].as_str())
            .collect();
        let fulfilled = lines.iter().any(|l| {
            l["message"] == "order fulfilled" && l["order_id"] == order_id.to_string().as_str()
        });
        let completed = lines
            .iter()
            .any(|l| l["service_name"] == "storefront" && l["message"] == "Request completed");
        let complete = services.len() >= 4 && fulfilled && completed;
        async move { complete.then_some(lines) }
    })
    .await;
    let logged: BTreeSet<&str> = with_trace
        .iter()
        .filter_map(|l| l["service_name"].as_str())
        .collect();
    assert!(logged.len() >= 4, "{logged:?}");
    assert!(
        with_trace
            .iter()
            .all(|l| l["span_id"].as_str().is_some_and(|s| s.len() == 16))
    );
    assert!(with_trace.iter().any(
        |l| l["message"] == "order fulfilled" && l["order_id"] == order_id.to_string().as_str()
    ));
    let done = with_trace
        .iter()
        .find(|l| l["service_name"] == "storefront" && l["message"] == "Request completed")
        .expect("storefront's request line");
    assert_eq!(
        (done["route"].as_str(), done["status"].as_u64()),
        (Some("/checkout"), Some(201))
    );
    assert!(done["latency_ms"].is_u64());

    // The same lines reach Loki, labelled by service_name and level only.
    let pushes = wait_for(
        "log pushes with the trace id",
        Duration::from_secs(15),
        || {
            let received = received.clone();
            let trace_id = trace_id.clone();
            async move {
                let got = received.lock().unwrap();
                let text = serde_json::to_string(&got.loki).unwrap_or_default();
                text.contains(&trace_id).then(|| got.loki.clone())
            }
        },
    )
    .await;
    for push in &pushes {
        for stream in push["streams"].as_array().unwrap() {
            let labels: BTreeSet<&str> = stream["stream"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(labels, BTreeSet::from(["level", "service_name"]));
        }
    }

    // Traffic control through the token-protected admin endpoint.
    let status = control::status(&data_dir).await.unwrap();
    assert_eq!(status.rps, 0.0);
    let status = control::set(
        &data_dir,
        TrafficRequest {
            rps: 3.0,
            burst_seconds: Some(60),
        },
    )
    .await
    .unwrap();
    assert_eq!((status.rps, status.base_rps), (3.0, 0.0));
    let unauthorized = http
        .get(format!(
            "{}/admin/traffic",
            url_of(&state, Service::Traffic)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status().as_u16(), 401);
    let sent = wait_for("generated traffic", Duration::from_secs(20), || async {
        let s = control::status(&data_dir).await.ok()?;
        (s.answered > 0).then_some(s.answered)
    })
    .await;
    assert!(sent > 0);
    // The same through the command line.
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_labtui"))
            .args(args)
            .env("LABTUI_HOME", &data_dir)
            .output()
            .expect("labtui runs")
    };
    let out = cli(&["traffic", "set", "0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("traffic: 0 rps; sent "));
    let out = cli(&["traffic", "show", "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (shown["rps"].as_f64(), shown["base_rps"].as_f64()),
        (Some(0.0), Some(0.0))
    );

    // down stops every shop process.
    let down = lab.rt.down(&state).await.unwrap();
    for service in Service::ALL {
        assert!(down.stopped.contains(&service.component()), "{down:?}");
        let pid = state
            .component(&service.component())
            .and_then(|c| c.pid)
            .unwrap();
        assert!(
            labtui::lab::stack::proc::is_gone(pid, None),
            "{service} still runs"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_loki_down_requests_still_succeed_and_dropped_lines_are_counted() {
    let _one_lab = ONE_LAB_AT_A_TIME.lock().await;
    let closed = labtui::lab::stack::ports::free_ports(1).unwrap()[0];
    let mut launch = shop_launch();
    launch.loki_url = Some(format!("http://127.0.0.1:{closed}"));
    launch.traffic_rps = Some(0.0);
    let lab = ShopLab::new(&[], launch);
    let plan = lab.plan();
    let (report, _) = lab.up(&plan).await;
    assert!(report.all_ready(), "{:?}", report.outcomes);
    let state = LabState::load(&lab.dirs).unwrap().expect("state");
    let storefront = url_of(&state, Service::Storefront);
    let http = client();
    for id in 1..=5 {
        let resp = http
            .get(format!("{storefront}/products/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let dropped = wait_for("a dropped-lines count", Duration::from_secs(20), || {
        let http = http.clone();
        let url = format!("{storefront}/metrics");
        async move {
            let text = http.get(&url).send().await.ok()?.text().await.ok()?;
            let line = text
                .lines()
                .find(|l| l.starts_with("log_lines_dropped_total{reason=\"push_failed\"}"))?;
            let n: f64 = line.rsplit(' ').next()?.parse().ok()?;
            (n > 0.0).then_some(n)
        }
    })
    .await;
    assert!(dropped >= 1.0);
    // Still serving after the failed pushes.
    let resp = http
        .get(format!("{storefront}/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    lab.rt.down(&state).await.unwrap();
}
