//! Injected randomness: the only source of jitter the core ever uses.

/// A source of uniformly distributed 64-bit values, handed to [`Policy::decide`](crate::Policy::decide).
///
/// The core never draws randomness by itself, so a test can replay any schedule by passing the
/// same source (for example a [`SplitMix64`] with a fixed seed).
pub trait RandomSource {
    /// Returns the next uniformly distributed value.
    fn next_u64(&mut self) -> u64;
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
///
/// It is not cryptographic; it only spreads retry delays apart.
///
/// ```
/// use retry_policy::{RandomSource, SplitMix64};
///
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// Creates a generator whose whole sequence is determined by `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }
}

impl RandomSource for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GOLDEN_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence_for_seed_zero() {
        let mut rng = SplitMix64::new(0);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F
            ]
        );
    }
}
