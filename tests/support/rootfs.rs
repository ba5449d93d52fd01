//! Test fixture: a root filesystem tarball holding the host's Prometheus binary, its shared
//! libraries and a minimal configuration, to import as a Docker image with no registry.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use labtui::lab::stack::docker::rootfs::{TarWriter, shared_libraries};

/// Where Debian and Ubuntu install Prometheus.
pub const PROMETHEUS_BIN: &str = "/usr/bin/prometheus";

/// The configuration baked into the image (a bind mount normally replaces it).
pub const BAKED_CONFIG: &str = "global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n";

/// Writes `<dir>/prometheus-rootfs.tar`; `Err` says why it cannot (no Prometheus, no ldd).
pub fn prometheus_rootfs(dir: &Path) -> Result<PathBuf, String> {
    let bin = Path::new(PROMETHEUS_BIN);
    if !bin.exists() {
        return Err(format!(
            "{PROMETHEUS_BIN} is not installed (apt install prometheus)"
        ));
    }
    let libs = shared_libraries(bin)?;
    let path = dir.join("prometheus-rootfs.tar");
    let mut tar = TarWriter::new(File::create(&path).map_err(|e| e.to_string())?);
    let result = (|| -> io::Result<()> {
        tar.dir("tmp", 0o1777)?;
        tar.dir("prometheus", 0o777)?;
        tar.host_file("usr/bin/prometheus", bin, 0o755)?;
        for lib in &libs {
            let inside = lib.to_string_lossy().trim_start_matches('/').to_string();
            tar.host_file(&inside, lib, 0o755)?;
        }
        tar.file(
            "etc/prometheus/prometheus.yml",
            BAKED_CONFIG.as_bytes(),
            0o644,
        )?;
        tar.finish()
    })();
    result.map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}
