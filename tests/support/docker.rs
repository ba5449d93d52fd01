//! Test support for the Docker tests: the skip rule, a drop guard that removes a lab's
//! objects and images even when an assertion failed, and direct engine queries that check
//! what the engine really holds independently of labtui's adapter.

#![allow(
    dead_code,
    reason = "each test file uses a different part of this module"
)]

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::{ListContainersOptions, ListNetworksOptions, ListVolumesOptions};
use labtui::lab::stack::docker::{DEFAULT_LAB, DockerEngine};

/// Set to 1 to make a missing engine (or fixture) a failure instead of a skip.
pub const REQUIRE_ENV: &str = "LABTUI_REQUIRE_DOCKER";

/// Either the skip line or, when Docker is required, a failure.
pub fn skip(reason: &str) {
    if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") {
        panic!("{REQUIRE_ENV}=1 but the Docker tests cannot run: {reason}");
    }
    eprintln!("skipping: {reason}");
}

/// Removes the labs' objects and the images even when an assertion failed. Drop runs inside
/// the test's runtime, so the work happens on a thread with a runtime of its own.
#[derive(Default)]
pub struct Cleanup {
    pub labs: Vec<String>,
    pub images: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let labs = std::mem::take(&mut self.labs);
        let images = std::mem::take(&mut self.images);
        let worker = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                for lab in &labs {
                    if let Ok(engine) = DockerEngine::connect(lab).await
                        && let Err(e) = engine.remove_all(true).await
                    {
                        eprintln!("cleanup of lab {lab}: {e}");
                    }
                }
                if let Ok(engine) = DockerEngine::connect(DEFAULT_LAB).await {
                    for image in &images {
                        if let Err(e) = engine.remove_image(image).await {
                            eprintln!("cleanup of image {image}: {e}");
                        }
                    }
                }
            });
        });
        let _ = worker.join();
    }
}

/// Imports the host's Prometheus (binary and libraries) as `labtui-test/prometheus:<lab>`
/// through `engine`, with a guard that removes the lab's objects and that image on drop.
/// None, after a skip line, when Prometheus is not installed. Every file that includes
/// this module includes `support/rootfs.rs` as `rootfs`.
pub async fn prometheus_image(
    engine: &DockerEngine,
    lab: &str,
    scratch: &std::path::Path,
) -> Option<(String, Cleanup)> {
    let tar = match crate::rootfs::prometheus_rootfs(scratch) {
        Ok(tar) => tar,
        Err(reason) => {
            skip(&reason);
            return None;
        }
    };
    let image = format!("labtui-test/prometheus:{lab}");
    let cleanup = Cleanup {
        labs: vec![lab.to_string()],
        images: vec![image.clone()],
    };
    let id = engine
        .import_rootfs(&tar, &image)
        .await
        .expect("import the Prometheus root filesystem");
    assert!(id.starts_with("sha256:"), "image id {id}");
    std::fs::remove_file(&tar).expect("remove the tarball");
    Some((image, cleanup))
}

pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("http client")
}

/// A plain client, to check what the engine really holds independently of the adapter.
pub async fn raw_docker() -> Docker {
    Docker::connect_with_local_defaults()
        .expect("docker")
        .negotiate_version()
        .await
        .expect("api version")
}

/// What the engine still holds with this lab's label, queried directly.
pub async fn labelled_leftovers(lab: &str) -> (usize, usize, usize) {
    let docker = raw_docker().await;
    let filter = HashMap::from([("label".to_string(), vec![format!("io.labtui.lab={lab}")])]);
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filter.clone()),
            ..Default::default()
        }))
        .await
        .expect("list containers");
    let networks = docker
        .list_networks(Some(ListNetworksOptions {
            filters: Some(filter.clone()),
        }))
        .await
        .expect("list networks");
    let volumes = docker
        .list_volumes(Some(ListVolumesOptions {
            filters: Some(filter),
        }))
        .await
        .expect("list volumes");
    (
        containers.len(),
        networks.len(),
        volumes.volumes.unwrap_or_default().len(),
    )
}
