//! Local TCP ports: is one free, who holds it (/proc/net/tcp + /proc/*/fd), pick a free one.

use std::fmt;
use std::net::TcpListener;

/// A process listening on a port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PortHolder {
    pub pid: u32,
    pub command: String,
}

/// A port the lab needs that something else already uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BusyPort {
    /// `prometheus` or `loki.grpc`.
    pub port_name: String,
    pub port: u16,
    /// Found when the holder runs as this user (other users' /proc/<pid>/fd is unreadable).
    pub holder: Option<PortHolder>,
}

impl fmt::Display for BusyPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "port {} ({}) ", self.port, self.port_name)?;
        match &self.holder {
            Some(h) => write!(f, "is held by pid {} ({})", h.pid, h.command),
            None => write!(
                f,
                "is in use by another process (owner not visible to this user; try `ss -ltnp`)"
            ),
        }
    }
}

/// Whether nothing listens on 127.0.0.1:`port` (a listener on 0.0.0.0 counts as holding it).
pub fn is_free(port: u16) -> bool {
    if TcpListener::bind(("127.0.0.1", port)).is_err() {
        return false;
    }
    // A listener on another local address (or IPv6 only) does not block the bind above
    // but would still clash with a component listening there.
    listening_inode(port).is_none()
}

/// `count` distinct ports the OS reports free right now: bind each to port 0, read it,
/// and close them only after all are chosen (so the OS cannot hand one out twice).
pub fn free_ports(count: usize) -> std::io::Result<Vec<u16>> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind(("127.0.0.1", 0)))
        .collect::<std::io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect()
}

/// The process listening on `port`, when this user can see it.
pub fn holder(port: u16) -> Option<PortHolder> {
    let inode = listening_inode(port)?;
    let target = format!("socket:[{inode}]");
    let procs = std::fs::read_dir("/proc").ok()?;
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str()) {
                return Some(PortHolder {
                    pid,
                    command: super::proc::command_line(pid).unwrap_or_else(|| "?".to_string()),
                });
            }
        }
    }
    None
}

/// The socket inode of a TCP listener on `port` (any local address), from /proc/net/tcp{,6}.
fn listening_inode(port: u16) -> Option<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().find_map(|file| {
        let text = std::fs::read_to_string(file).ok()?;
        parse_listeners(&text)
            .into_iter()
            .find(|(p, _)| *p == port)
            .map(|(_, inode)| inode)
    })
}

/// (port, inode) of every LISTEN socket in a /proc/net/tcp table.
fn parse_listeners(table: &str) -> Vec<(u16, u64)> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let local = cols.get(1)?;
            let state = cols.get(3)?;
            if *state != "0A" {
                return None;
            }
            let port_hex = local.rsplit(':').next()?;
            let port = u16::from_str_radix(port_hex, 16).ok()?;
            let inode = cols.get(9)?.parse().ok()?;
            Some((port, inode))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listen_rows_only() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0 100 0 0 10 0\n   1: 0100007F:2382 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 999 1 0 20 4 30 10 -1\n";
        assert_eq!(parse_listeners(table), vec![(0x2382, 12345)]);
    }

    #[test]
    fn a_held_port_is_busy_and_its_holder_is_this_process() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(!is_free(port));
        let h = holder(port).expect("own socket is visible");
        assert_eq!(h.pid, std::process::id());
        drop(listener);
        assert!(is_free(port));
    }
}
