//! Stable hashing and a tiny deterministic PRNG (SplitMix64).
//!
//! Both are fixed algorithms written here, so output never changes with a dependency upgrade.

/// FNV-1a 64-bit hash of bytes: stable across platforms and releases.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The SplitMix64 finalizer: a bijective 64-bit mixer.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Deterministic PRNG (SplitMix64 by Steele, Lea and Flood, 2014).
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from a base seed and a stream tag (e.g. beneficiary index, purpose).
    pub(crate) fn new(seed: u64, a: u64, b: u64) -> Self {
        Rng(mix(seed
            ^ mix(a.wrapping_add(0x9e37_79b9_7f4a_7c15))
            ^ mix(b ^ 0x3c6e_f372_fe94_f82b)))
    }
    /// Next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    /// Uniform in `0..n` (`n > 0`), by multiply-shift (negligible bias for small `n`).
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
    /// Uniform in `lo..=hi`.
    #[inline]
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability `per_mille / 1000`.
    #[inline]
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as u64
    }
    /// Uniform in `[0, 1)`.
    #[inline]
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box-Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    /// Log-normal with mean 1 and log-sigma `sigma` (a long right tail).
    pub(crate) fn lognormal(&mut self, sigma: f64) -> f64 {
        (sigma * self.normal() - sigma * sigma / 2.0).exp()
    }
    /// A uniformly chosen element.
    #[inline]
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// An index chosen with the given integer weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_values() {
        // Pinned outputs: a change here changes every generated data set.
        assert_eq!(fnv1a(b"A9994"), fnv1a(b"A9994"));
        assert_ne!(fnv1a(b"A9994"), fnv1a(b"A9993"));
        let mut r = Rng::new(1, 2, 3);
        let a: Vec<u64> = (0..3).map(|_| r.below(1000)).collect();
        let mut r2 = Rng::new(1, 2, 3);
        let b: Vec<u64> = (0..3).map(|_| r2.below(1000)).collect();
        assert_eq!(a, b);
        assert_eq!(mix(0), 0);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn ranges_hold() {
        let mut r = Rng::new(9, 9, 9);
        for _ in 0..10_000 {
            let v = r.range(-3, 5);
            assert!((-3..=5).contains(&v));
        }
        let mut hits = [0u32; 3];
        for _ in 0..30_000 {
            hits[r.weighted(&[1, 0, 2])] += 1;
        }
        assert_eq!(hits[1], 0);
        assert!(hits[2] > hits[0]);
    }
}
