//! Root filesystems for images built on this machine, with no registry: a minimal ustar
//! writer and the shared libraries a dynamically linked binary needs. The shop's image is
//! the running labtui binary plus these libraries (see `shop_image`).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The absolute paths `ldd` lists for a binary, the dynamic loader included; empty for a
/// statically linked one. `Err` says why they cannot be listed.
pub fn shared_libraries(bin: &Path) -> Result<Vec<PathBuf>, String> {
    let out = Command::new("ldd")
        .arg(bin)
        .output()
        .map_err(|e| format!("cannot run ldd: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut libs = Vec::new();
    for line in text.lines() {
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux... (0x...)"
        let target = match line.split_once("=>") {
            Some((_, right)) => right.trim(),
            None => line.trim(),
        };
        if let Some(path) = target
            .split_whitespace()
            .next()
            .filter(|p| p.starts_with('/'))
        {
            libs.push(PathBuf::from(path));
        }
    }
    if text.contains("statically linked") || text.contains("not a dynamic") {
        return Ok(libs);
    }
    if libs.is_empty() {
        return Err(format!("ldd listed no libraries for {}", bin.display()));
    }
    Ok(libs)
}

/// A minimal ustar writer: directories and regular files, enough for a root filesystem.
pub struct TarWriter<W: Write> {
    out: BufWriter<W>,
    dirs: BTreeSet<String>,
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out: BufWriter::new(out),
            dirs: BTreeSet::new(),
        }
    }

    /// A directory entry (parents first, each once).
    pub fn dir(&mut self, path: &str, mode: u32) -> io::Result<()> {
        self.parents(path)?;
        if self.dirs.insert(path.to_string()) {
            self.header(&format!("{path}/"), mode, 0, b'5')?;
        }
        Ok(())
    }

    /// A regular file with the given bytes.
    pub fn file(&mut self, path: &str, data: &[u8], mode: u32) -> io::Result<()> {
        self.parents(path)?;
        self.header(path, mode, data.len() as u64, b'0')?;
        self.out.write_all(data)?;
        self.pad(data.len() as u64)
    }

    /// A regular file copied from the host (symlinks followed).
    pub fn host_file(&mut self, path: &str, source: &Path, mode: u32) -> io::Result<()> {
        self.parents(path)?;
        let mut file = File::open(source)?;
        let size = file.metadata()?.len();
        self.header(path, mode, size, b'0')?;
        let copied = io::copy(&mut file, &mut self.out)?;
        if copied != size {
            return Err(io::Error::other(format!(
                "{} changed while read",
                source.display()
            )));
        }
        self.pad(size)
    }

    /// The two zero blocks that end an archive.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&[0u8; 1024])?;
        self.out.flush()
    }

    fn parents(&mut self, path: &str) -> io::Result<()> {
        let mut prefix = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if !self.dirs.contains(&prefix) {
                let dir = prefix.clone();
                self.dirs.insert(dir.clone());
                self.header(&format!("{dir}/"), 0o755, 0, b'5')?;
            }
        }
        Ok(())
    }

    fn header(&mut self, name: &str, mode: u32, size: u64, kind: u8) -> io::Result<()> {
        if name.len() > 100 {
            return Err(io::Error::other(format!("tar name too long: {name}")));
        }
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        octal(&mut h[100..108], u64::from(mode));
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], size);
        octal(&mut h[136..148], 0);
        h[148..156].fill(b' ');
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        octal(&mut h[148..155], sum);
        self.out.write_all(&h)
    }

    fn pad(&mut self, size: u64) -> io::Result<()> {
        let rest = (512 - size % 512) % 512;
        self.out.write_all(&vec![0u8; rest as usize])
    }
}

/// Zero-padded octal with a trailing NUL, as ustar numeric fields want.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let digits = format!("{value:0width$o}");
    field[..width].copy_from_slice(digits.as_bytes());
    field[width] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_has_parents_once_padded_files_and_the_end_blocks() {
        let mut out = Vec::new();
        let mut tar = TarWriter::new(&mut out);
        tar.dir("tmp", 0o1777).unwrap();
        tar.file("etc/a/b.conf", b"hello", 0o644).unwrap();
        tar.file("etc/a/c.conf", b"", 0o644).unwrap();
        tar.finish().unwrap();
        // tmp/, etc/, etc/a/, b.conf (header + one data block), c.conf, two end blocks.
        assert_eq!(out.len(), 512 * (3 + 2 + 1 + 2));
        let names: Vec<String> = out
            .chunks(512)
            .filter(|b| b[257..262] == *b"ustar")
            .map(|b| {
                String::from_utf8_lossy(&b[..100])
                    .trim_end_matches('\0')
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            ["tmp/", "etc/", "etc/a/", "etc/a/b.conf", "etc/a/c.conf"]
        );
        assert_eq!(&out[512 * 4..512 * 4 + 5], b"hello");
    }

    #[test]
    fn long_names_are_refused() {
        let mut tar = TarWriter::new(Vec::new());
        let err = tar.file(&"x".repeat(101), b"", 0o644).unwrap_err();
        assert!(err.to_string().contains("too long"), "{err}");
    }
}
