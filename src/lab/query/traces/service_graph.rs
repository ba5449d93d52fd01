//! The service graph Tempo's metrics generator writes into Prometheus, as nodes and edges:
//! who calls whom, how often, and how often it fails. Pure: it reads two instant vectors.

use std::collections::{BTreeMap, BTreeSet};

use crate::lab::query::types::InstantSeries;

/// The PromQL for the edges' request rates; [`FAILED_QUERY`] gives their failures.
pub const REQUESTS_QUERY: &str =
    "sum by (client, server) (rate(traces_service_graph_request_total[5m]))";
/// The PromQL for the edges' failed-request rates.
pub const FAILED_QUERY: &str =
    "sum by (client, server) (rate(traces_service_graph_request_failed_total[5m]))";

/// One caller-to-callee edge.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEdge {
    pub client: String,
    pub server: String,
    /// Requests per second.
    pub rate: f64,
    /// Failed requests per second (0 when the failed vector has no series for the edge).
    pub failed_rate: f64,
    /// `failed_rate / rate`, within 0..=1; 0 when the edge carried no requests.
    pub error_ratio: f64,
}

/// Services and the calls between them; a database shows up as a virtual node (`sqlite`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceGraph {
    /// Every service named by an edge, sorted.
    pub nodes: Vec<String>,
    /// Sorted by client, then server.
    pub edges: Vec<ServiceEdge>,
}

impl ServiceGraph {
    /// The graph from the answers to [`REQUESTS_QUERY`] and [`FAILED_QUERY`]. Series
    /// without both a `client` and a `server` label are not edges and are skipped; a
    /// failed series without a request series still makes an edge (rate 0), so a failing
    /// call is never hidden.
    pub fn from_vectors(requests: &[InstantSeries], failed: &[InstantSeries]) -> ServiceGraph {
        let mut edges: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        for (series, is_failed) in requests
            .iter()
            .map(|s| (s, false))
            .chain(failed.iter().map(|s| (s, true)))
        {
            let (Some(client), Some(server)) =
                (series.labels.get("client"), series.labels.get("server"))
            else {
                continue;
            };
            let v = if series.sample.v.is_finite() {
                series.sample.v
            } else {
                0.0
            };
            let entry = edges
                .entry((client.clone(), server.clone()))
                .or_insert((0.0, 0.0));
            if is_failed {
                entry.1 += v;
            } else {
                entry.0 += v;
            }
        }
        let mut nodes = BTreeSet::new();
        let edges: Vec<ServiceEdge> = edges
            .into_iter()
            .map(|((client, server), (rate, failed_rate))| {
                nodes.insert(client.clone());
                nodes.insert(server.clone());
                let error_ratio = if rate > 0.0 {
                    (failed_rate / rate).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                ServiceEdge {
                    client,
                    server,
                    rate,
                    failed_rate,
                    error_ratio,
                }
            })
            .collect();
        ServiceGraph {
            nodes: nodes.into_iter().collect(),
            edges,
        }
    }

    /// The edge from `client` to `server`, if there is traffic (or failure) on it.
    pub fn edge(&self, client: &str, server: &str) -> Option<&ServiceEdge> {
        self.edges
            .iter()
            .find(|e| e.client == client && e.server == server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::query::QueryData;
    use crate::lab::query::prometheus::decode;

    fn vector(name: &str) -> Vec<InstantSeries> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/real-api/prometheus")
            .join(name);
        let body = std::fs::read_to_string(&path).unwrap();
        match decode::query(&body).unwrap().0 {
            QueryData::Vector(v) => v,
            other => panic!("not a vector: {other:?}"),
        }
    }

    #[test]
    fn the_shops_service_graph() {
        let requests = vector("shop-service-graph.json");
        let failed = vector("shop-service-graph-failed.json");
        let graph = ServiceGraph::from_vectors(&requests, &failed);
        let requests_edges: BTreeSet<(String, String)> = requests
            .iter()
            .map(|s| (s.labels["client"].clone(), s.labels["server"].clone()))
            .collect();
        assert_eq!(graph.edges.len(), requests_edges.len());
        assert_eq!(
            graph.nodes,
            [
                "fulfillment",
                "inventory",
                "orders",
                "payments",
                "sqlite",
                "storefront",
                "user"
            ]
        );
        let orders = graph.edge("storefront", "orders").unwrap();
        assert!(orders.rate > 0.0);
        // Payments is slow under the latency fault, not failing.
        assert_eq!(graph.edge("orders", "payments").unwrap().failed_rate, 0.0);
        // The `errors` fault makes inventory answer 503: its callers see failures.
        let inventory = graph.edge("orders", "inventory").unwrap();
        assert_eq!(inventory.rate, 0.351409125);
        assert_eq!(inventory.failed_rate, 0.21962375091552577);
        assert!(inventory.error_ratio > 0.0 && inventory.error_ratio <= 1.0);
        assert!((inventory.error_ratio - inventory.failed_rate / inventory.rate).abs() < 1e-12);
        // Each rate is the one Prometheus sent for that edge.
        for s in &requests {
            let e = graph
                .edge(&s.labels["client"], &s.labels["server"])
                .unwrap();
            assert_eq!(e.rate, s.sample.v);
        }
    }

    #[test]
    fn failures_without_requests_still_make_an_edge() {
        let series = |client: &str, server: &str, v: f64| InstantSeries {
            labels: [("client", client), ("server", server)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sample: crate::lab::query::Sample { t: 0.0, v },
        };
        let graph = ServiceGraph::from_vectors(
            &[series("a", "b", 2.0), series("a", "c", 0.0)],
            &[series("a", "b", 0.5), series("b", "d", 1.0)],
        );
        assert_eq!(graph.nodes, ["a", "b", "c", "d"]);
        assert_eq!(graph.edge("a", "b").unwrap().error_ratio, 0.25);
        assert_eq!(graph.edge("a", "c").unwrap().error_ratio, 0.0);
        let bd = graph.edge("b", "d").unwrap();
        assert_eq!((bd.rate, bd.failed_rate, bd.error_ratio), (0.0, 1.0, 0.0));
    }
}
