//! The shop's image, built on this machine from the running labtui binary: no registry,
//! no Dockerfile. The root filesystem is the binary, the shared libraries `ldd` lists, a
//! writable /tmp and an nsswitch.conf, imported like `docker import`. The tag names the
//! version and a fingerprint of the binary, so a rebuilt labtui gets a new image and the
//! same binary reuses its image; older shop images are removed when a new one is built.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use bollard::query_parameters::{ListImagesOptions, RemoveImageOptions};

use super::rootfs::{TarWriter, shared_libraries};
use super::{CALL_TIMEOUT, DockerEngine, DockerError, LABEL_MANAGED};

/// The repository of every shop image.
pub const SHOP_IMAGE_REPO: &str = "labtui-shop";
/// Where the labtui binary sits inside the image.
pub const SHOP_BINARY: &str = "/usr/local/bin/labtui";
/// Where distributions keep the root certificate bundle; the first is where it goes in
/// the image (Debian's path, which the TLS stack looks at first).
const CA_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
/// Label that marks images labtui built for the shop (how old ones are found).
const LABEL_SHOP_IMAGE: &str = "io.labtui.shop-image";

/// `labtui-shop:<version>-<fingerprint>` for `program` (size, change time and inode: a
/// rebuilt or replaced binary gets a new tag without hashing 100 MB on every `up`).
pub fn shop_image_ref(program: &Path) -> Result<String, DockerError> {
    let meta = std::fs::metadata(program).map_err(|e| DockerError::ShopImage {
        program: program.to_path_buf(),
        message: e.to_string(),
    })?;
    let facts = [
        meta.len(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ino(),
    ];
    let hash = facts
        .iter()
        .flat_map(|n| n.to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    Ok(format!(
        "{SHOP_IMAGE_REPO}:{}-{:012x}",
        env!("CARGO_PKG_VERSION"),
        hash & 0xffff_ffff_ffff
    ))
}

impl DockerEngine {
    /// Builds `image` (see [`shop_image_ref`]) from `program`; `scratch` holds the
    /// archive while it is imported. The caller checks first whether it is present.
    pub async fn build_shop_image(
        &self,
        program: &Path,
        image: &str,
        scratch: &Path,
    ) -> Result<(), DockerError> {
        let failed = |message: String| DockerError::ShopImage {
            program: program.to_path_buf(),
            message,
        };
        if !cfg!(target_os = "linux") {
            return Err(failed(
                "this labtui is not a Linux binary, so it cannot run in a container".into(),
            ));
        }
        std::fs::create_dir_all(scratch)
            .map_err(|e| failed(format!("creating {}: {e}", scratch.display())))?;
        let tar = scratch.join(format!("shop-rootfs-{}.tar", std::process::id()));
        let written = {
            let program = program.to_path_buf();
            let tar = tar.clone();
            tokio::task::spawn_blocking(move || write_rootfs(&program, &tar))
                .await
                .map_err(|e| failed(e.to_string()))?
        };
        let imported = match written {
            Ok(()) => {
                let changes = vec![
                    format!("LABEL {LABEL_MANAGED}=true"),
                    format!("LABEL {LABEL_SHOP_IMAGE}=true"),
                    "ENV PATH=/usr/local/bin:/usr/bin:/bin".to_string(),
                ];
                self.import_rootfs_with(&tar, image, changes).await
            }
            Err(message) => Err(failed(message)),
        };
        let _ = std::fs::remove_file(&tar);
        imported.map(|_| ())
    }

    /// Best effort: older shop images go, except those a container still uses (the
    /// engine refuses those; they go at a later `up`, once their containers are replaced).
    pub(crate) async fn remove_other_shop_images(&self, keep: &str) {
        let options = ListImagesOptions {
            filters: Some(std::collections::HashMap::from([(
                "label".to_string(),
                vec![format!("{LABEL_SHOP_IMAGE}=true")],
            )])),
            ..Default::default()
        };
        let Ok(Ok(images)) = self
            .call_raw(
                "shop",
                "list images",
                CALL_TIMEOUT,
                self.docker.list_images(Some(options)),
            )
            .await
        else {
            return;
        };
        // By id: an image whose tag moved on (two labs built the same tag at once) has
        // no tag left but still carries the label.
        for image in images {
            if image.repo_tags.iter().any(|t| t == keep) {
                continue;
            }
            let _ = self
                .call_raw(
                    "shop",
                    "remove an old shop image",
                    CALL_TIMEOUT,
                    self.docker
                        .remove_image(&image.id, None::<RemoveImageOptions>, None),
                )
                .await;
        }
    }
}

/// The shop's root filesystem: the binary, its libraries, /tmp, and name resolution
/// through /etc/hosts and the engine's DNS (which resolves the lab's component names).
fn write_rootfs(program: &Path, tar: &Path) -> Result<(), String> {
    let libs = shared_libraries(program)?;
    let file = std::fs::File::create(tar).map_err(|e| format!("{}: {e}", tar.display()))?;
    let mut out = TarWriter::new(file);
    let result = (|| -> std::io::Result<()> {
        out.dir("tmp", 0o1777)?;
        out.dir("var/lib/labtui", 0o777)?;
        out.file("etc/nsswitch.conf", b"hosts: files dns\n", 0o644)?;
        out.host_file(SHOP_BINARY.trim_start_matches('/'), program, 0o755)?;
        for lib in &libs {
            let inside = lib.to_string_lossy().trim_start_matches('/').to_string();
            out.host_file(&inside, lib, 0o755)?;
        }
        // The HTTP clients load the system's root certificates when they are built (even
        // for plain-http telemetry URLs); without a bundle they fail to start.
        if let Some(bundle) = CA_BUNDLES.iter().map(Path::new).find(|p| p.is_file()) {
            out.host_file(CA_BUNDLES[0].trim_start_matches('/'), bundle, 0o644)?;
        }
        out.finish()
    })();
    result.map_err(|e| format!("writing {}: {e}", tar.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_follows_the_binary() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("labtui");
        std::fs::write(&bin, b"one").unwrap();
        let first = shop_image_ref(&bin).unwrap();
        assert!(
            first.starts_with(&format!("{SHOP_IMAGE_REPO}:{}-", env!("CARGO_PKG_VERSION"))),
            "{first}"
        );
        assert_eq!(first, shop_image_ref(&bin).unwrap());
        std::fs::write(&bin, b"a longer binary").unwrap();
        assert_ne!(first, shop_image_ref(&bin).unwrap());
        let err = shop_image_ref(&dir.path().join("missing")).unwrap_err();
        assert!(err.to_string().contains("--runtime native"), "{err}");
    }
}
