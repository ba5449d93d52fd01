//! Images: presence checks, pulls with per-layer progress, root filesystem imports, removal.

use std::path::Path;
use std::time::Duration;

use bollard::models::CreateImageInfo;
use bollard::query_parameters::{CreateImageOptions, RemoveImageOptions};
use futures::StreamExt;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::{CALL_TIMEOUT, DockerEngine, DockerError, PullProgress, engine_error, is_not_found};

/// A pull fails when the engine reports nothing for this long (a stalled registry).
const PULL_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// An import answers only once the whole archive has been read and unpacked.
const IMPORT_TIMEOUT: Duration = Duration::from_secs(600);
/// Read size when streaming an archive to the engine.
const IMPORT_CHUNK: usize = 256 * 1024;

impl DockerEngine {
    /// Whether the image is already on this machine, so `up` only pulls what is missing.
    pub async fn image_present(&self, image: &str) -> Result<bool, DockerError> {
        let image = with_default_tag(image);
        let found = self
            .call_raw(
                &image,
                "inspect the image",
                CALL_TIMEOUT,
                self.docker.inspect_image(&image),
            )
            .await?;
        match found {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(engine_error(&image, "inspect the image", &e)),
        }
    }

    /// Pulls an image, sending one `PullProgress` per engine status line. A closed receiver
    /// does not stop the pull; the pull fails if the engine stays silent for two minutes.
    pub async fn pull(
        &self,
        image: &str,
        progress: mpsc::Sender<PullProgress>,
    ) -> Result<(), DockerError> {
        let image = with_default_tag(image);
        let options = CreateImageOptions {
            from_image: Some(image.clone()),
            ..Default::default()
        };
        let mut stream = self.docker.create_image(Some(options), None, None);
        loop {
            let item = tokio::time::timeout(PULL_IDLE_TIMEOUT, stream.next())
                .await
                .map_err(|_| DockerError::PullFailed {
                    image: image.clone(),
                    message: format!(
                        "the engine reported no progress for {}s",
                        PULL_IDLE_TIMEOUT.as_secs()
                    ),
                })?;
            let info = match item {
                None => return Ok(()),
                Some(Ok(info)) => info,
                Some(Err(e)) => {
                    return Err(DockerError::PullFailed {
                        image,
                        message: engine_message(&e),
                    });
                }
            };
            // A receiver that went away (the UI closed) must not abort the pull.
            let _ = progress.send(progress_line(&image, info)).await;
        }
    }

    /// Imports a tar archive of a root filesystem as `image` (like `docker import`) and
    /// returns the new image id. Used to run images built on a machine with no registry.
    pub async fn import_rootfs(&self, tar_path: &Path, image: &str) -> Result<String, DockerError> {
        self.import_rootfs_with(tar_path, image, Vec::new()).await
    }

    /// [`Self::import_rootfs`] with Dockerfile instructions applied to the image
    /// (`LABEL k=v`, `ENV`, `WORKDIR`), like `docker import --change`.
    pub async fn import_rootfs_with(
        &self,
        tar_path: &Path,
        image: &str,
        changes: Vec<String>,
    ) -> Result<String, DockerError> {
        let image = with_default_tag(image);
        let failed = |message: String| DockerError::ImportFailed {
            image: image.clone(),
            path: tar_path.to_path_buf(),
            message,
        };
        let file = tokio::fs::File::open(tar_path)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let body = futures::stream::try_unfold(file, |mut file| async move {
            let mut chunk = vec![0u8; IMPORT_CHUNK];
            let n = file.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            chunk.truncate(n);
            Ok::<_, std::io::Error>(Some((chunk.into(), file)))
        });
        let (repo, tag) = split_reference(&image);
        let options = CreateImageOptions {
            from_src: Some("-".to_string()),
            repo: Some(repo.to_string()),
            tag: tag.map(str::to_string),
            changes,
            ..Default::default()
        };
        let stream =
            self.docker
                .create_image(Some(options), Some(bollard::body_try_stream(body)), None);
        let lines = tokio::time::timeout(IMPORT_TIMEOUT, stream.collect::<Vec<_>>())
            .await
            .map_err(|_| failed(format!("no answer within {}s", IMPORT_TIMEOUT.as_secs())))?;
        let mut id = None;
        for line in lines {
            let info = line.map_err(|e| failed(engine_message(&e)))?;
            if let Some(status) = info.status.filter(|s| s.starts_with("sha256:")) {
                id = Some(status);
            }
        }
        id.ok_or_else(|| failed("the engine did not report an image id".into()))
    }

    /// Removes an image; `Ok(false)` when it was not there. Fails while a container uses it.
    pub async fn remove_image(&self, image: &str) -> Result<bool, DockerError> {
        let image = with_default_tag(image);
        let removed = self
            .call_raw(
                &image,
                "remove the image",
                CALL_TIMEOUT,
                self.docker
                    .remove_image(&image, None::<RemoveImageOptions>, None),
            )
            .await?;
        match removed {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(engine_error(&image, "remove the image", &e)),
        }
    }
}

/// One engine status line as progress. The engine also puts the tag in `id` ("Pulling from
/// prom/prometheus", id "v3.1.0"); only 12-hex-digit short digests are layers.
fn progress_line(image: &str, info: CreateImageInfo) -> PullProgress {
    let detail = info.progress_detail.unwrap_or_default();
    let is_layer = |id: &String| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit());
    PullProgress {
        image: image.to_string(),
        layer: info.id.filter(is_layer),
        status: info.status.unwrap_or_default(),
        current_bytes: detail.current.and_then(|n| u64::try_from(n).ok()),
        total_bytes: detail.total.and_then(|n| u64::try_from(n).ok()),
    }
}

/// The engine's own words for a failure, without bollard's wrapping.
fn engine_message(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        bollard::errors::Error::DockerStreamError { error } => error.clone(),
        other => other.to_string(),
    }
}

/// A reference with neither tag nor digest means `:latest`; the engine would otherwise pull
/// every tag of the repository.
fn with_default_tag(image: &str) -> String {
    if split_reference(image).1.is_some() || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

/// Splits `host:5000/name:tag` into (`host:5000/name`, Some(`tag`)); a colon before the last
/// slash belongs to a registry port, not a tag.
fn split_reference(image: &str) -> (&str, Option<&str>) {
    if image.contains('@') {
        return (image, None);
    }
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].rfind(':') {
        Some(i) => (&image[..name_start + i], Some(&image[name_start + i + 1..])),
        None => (image, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_repository_and_tag() {
        assert_eq!(
            split_reference("prom/prometheus:v3.1.0"),
            ("prom/prometheus", Some("v3.1.0"))
        );
        assert_eq!(
            split_reference("localhost:5000/loki"),
            ("localhost:5000/loki", None)
        );
        assert_eq!(
            split_reference("localhost:5000/loki:3"),
            ("localhost:5000/loki", Some("3"))
        );
        assert_eq!(split_reference("grafana/tempo@sha256:ab").1, None);
    }

    #[test]
    fn engine_pull_lines_become_per_layer_progress() {
        let parse = |json: &str| -> CreateImageInfo { serde_json::from_str(json).expect("json") };
        let image = "prom/prometheus:v3.1.0";
        let header = progress_line(
            image,
            parse(r#"{"status":"Pulling from prom/prometheus","id":"v3.1.0"}"#),
        );
        assert_eq!(header.layer, None);
        assert_eq!(header.status, "Pulling from prom/prometheus");
        let layer = progress_line(
            image,
            parse(
                r#"{"status":"Downloading","progressDetail":{"current":1048576,"total":30146000},
                   "progress":"[=>   ]","id":"9fa9226be034"}"#,
            ),
        );
        assert_eq!(
            layer,
            PullProgress {
                image: image.into(),
                layer: Some("9fa9226be034".into()),
                status: "Downloading".into(),
                current_bytes: Some(1_048_576),
                total_bytes: Some(30_146_000),
            }
        );
        let done = progress_line(
            image,
            parse(r#"{"status":"Pull complete","progressDetail":{},"id":"9fa9226be034"}"#),
        );
        assert_eq!(done.current_bytes, None);
        assert_eq!(done.layer.as_deref(), Some("9fa9226be034"));
    }

    #[test]
    fn untagged_references_mean_latest() {
        assert_eq!(with_default_tag("grafana/loki"), "grafana/loki:latest");
        assert_eq!(with_default_tag("grafana/loki:3.4"), "grafana/loki:3.4");
        assert_eq!(
            with_default_tag("grafana/loki@sha256:ab"),
            "grafana/loki@sha256:ab"
        );
        assert_eq!(with_default_tag("host:5000/x"), "host:5000/x:latest");
    }
}
