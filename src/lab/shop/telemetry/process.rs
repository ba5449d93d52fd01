//! This process's CPU time and resident memory, read from /proc/self (Linux).

/// User plus system CPU seconds since the process started.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // comm may contain spaces: fields start after the last ')'; utime and stime are
    // fields 14 and 15 of stat, i.e. 11 and 12 after it.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions; it only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks <= 0 {
        return None;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "tick counts stay far below 2^52"
    )]
    Some((utime + stime) as f64 / ticks as f64)
}

/// Resident set size in bytes.
pub fn rss_bytes() -> Option<u64> {
    crate::lab::stack::proc::rss_bytes(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let mut spin = 0u64;
        for i in 0..2_000_000u64 {
            spin = spin.wrapping_add(i * i);
        }
        assert!(spin > 0);
        assert!(cpu_seconds().is_some_and(|s| s >= 0.0));
        assert!(rss_bytes().is_some_and(|b| b > 1024 * 1024));
    }
}
