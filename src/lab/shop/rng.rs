//! A small, fast pseudo-random source (SplitMix64) for simulated work and traffic mixes.
//! Not for secrets: the admin token reads /dev/urandom instead.

use std::sync::atomic::{AtomicU64, Ordering};

/// A shareable generator; `seeded` makes sequences reproducible in tests.
#[derive(Debug)]
pub struct Rng {
    state: AtomicU64,
}

impl Rng {
    /// Seeded from the clock and the pid, so each process differs.
    pub fn from_entropy() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self::seeded(nanos ^ (u64::from(std::process::id()) << 32))
    }

    pub fn seeded(seed: u64) -> Self {
        Self {
            state: AtomicU64::new(seed),
        }
    }

    pub fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [lo, hi] (hi >= lo).
    pub fn range(&self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// An index picked with the given weights (any positive scale).
    pub fn weighted(&self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut pick = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                return i;
            }
            pick -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_weights_stay_in_bounds_and_follow_the_weights() {
        let rng = Rng::seeded(7);
        let mut counts = [0usize; 3];
        for _ in 0..10_000 {
            let r = rng.range(3, 5);
            assert!((3..=5).contains(&r));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            counts[rng.weighted(&[6.0, 3.0, 1.0])] += 1;
        }
        assert!(counts[0] > 5_500 && counts[0] < 6_500, "{counts:?}");
        assert!(counts[2] > 700 && counts[2] < 1_300, "{counts:?}");
    }
}
