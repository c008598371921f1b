//! Stage 1's CPU kernels: the block classifiers, the prefix XOR and the flattener for each
//! instruction set, and the choice of one kernel per process ([`Kernel::active`]).
//!
//! The kernel is chosen once, from the CPU's features, or forced with the environment variable
//! `BCDA_SIMD=avx512|avx2|sse42|portable` (an error when the CPU lacks it, see
//! [`Kernel::selected`]). Every kernel computes the same masks and tokens as the portable one
//! (tests compare them on the same inputs for every kernel the CPU has).

use std::sync::OnceLock;

/// The environment variable that forces a kernel.
pub const SIMD_ENV: &str = "BCDA_SIMD";

/// A stage-1 implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// AVX-512 BW + VBMI + VBMI2 (table lookup classifier, compress-based flattener) with
    /// PCLMULQDQ.
    Avx512,
    /// AVX2 classifier (two 32-byte halves) with PCLMULQDQ, BMI1 and POPCNT.
    Avx2,
    /// SSE4.2 classifier (four 16-byte lanes) with PCLMULQDQ and POPCNT.
    Sse42,
    /// Byte-at-a-time classifier and shift-based prefix XOR: any CPU.
    Portable,
}

/// `BCDA_SIMD` names a kernel this CPU cannot run, or no kernel at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{SIMD_ENV}={value:?}: {reason} (kernels this CPU runs: {available})")]
pub struct KernelError {
    /// The variable's value.
    pub value: String,
    /// Why it cannot be used.
    pub reason: &'static str,
    /// The kernels this CPU can run, best first, comma-separated.
    pub available: String,
}

impl Kernel {
    /// Every kernel, best first.
    pub const ALL: [Kernel; 4] = [
        Kernel::Avx512,
        Kernel::Avx2,
        Kernel::Sse42,
        Kernel::Portable,
    ];

    /// The name used by `BCDA_SIMD` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 => "avx512",
            Kernel::Avx2 => "avx2",
            Kernel::Sse42 => "sse42",
            Kernel::Portable => "portable",
        }
    }

    /// The kernel called `name` (as [`Kernel::name`] spells it).
    pub fn from_name(name: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this CPU has every instruction the kernel uses.
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let clmul = has!("pclmulqdq") && has!("popcnt");
            match self {
                Kernel::Avx512 => {
                    clmul && has!("avx512bw") && has!("avx512vbmi") && has!("avx512vbmi2")
                }
                Kernel::Avx2 => clmul && has!("avx2") && has!("bmi1"),
                Kernel::Sse42 => clmul && has!("sse4.2"),
                Kernel::Portable => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Kernel::Portable
        }
    }

    /// The kernels this CPU runs, best first.
    pub fn available() -> Vec<Kernel> {
        Kernel::ALL.into_iter().filter(|k| k.supported()).collect()
    }

    /// The best kernel this CPU runs.
    pub fn detect() -> Kernel {
        Kernel::ALL
            .into_iter()
            .find(|k| k.supported())
            .unwrap_or(Kernel::Portable)
    }

    /// The kernel for a `BCDA_SIMD` value (`None`: not set, the best one).
    pub fn choose(value: Option<&str>) -> Result<Kernel, KernelError> {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return Ok(Kernel::detect());
        };
        let error = |reason| KernelError {
            value: value.to_string(),
            reason,
            available: Kernel::available()
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", "),
        };
        match Kernel::from_name(value) {
            None => Err(error("unknown kernel (avx512, avx2, sse42 or portable)")),
            Some(k) if !k.supported() => Err(error("this CPU lacks the kernel's instructions")),
            Some(k) => Ok(k),
        }
    }

    /// The kernel of this process: `BCDA_SIMD` if set, else the best one; decided on the
    /// first call and kept.
    pub fn selected() -> Result<Kernel, KernelError> {
        static SELECTED: OnceLock<Result<Kernel, KernelError>> = OnceLock::new();
        SELECTED
            .get_or_init(|| Kernel::choose(std::env::var(SIMD_ENV).ok().as_deref()))
            .clone()
    }

    /// The kernel stage 1 runs with. [`crate::Engine::new`] fails when `BCDA_SIMD` is
    /// unusable; a caller that indexes text without an engine gets a panic with the same
    /// message.
    pub fn active() -> Kernel {
        static ACTIVE: OnceLock<Kernel> = OnceLock::new();
        *ACTIVE.get_or_init(|| Kernel::selected().unwrap_or_else(|e| panic!("{e}")))
    }
}

/// Per-block classification: bit `i` describes byte `i` of a 64-byte block.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Masks {
    pub(super) quote: u64,
    pub(super) backslash: u64,
    pub(super) structural: u64,
    pub(super) whitespace: u64,
    pub(super) control: u64,
    /// Bytes 0x80 and above (non-ASCII).
    pub(super) high: u64,
    /// `\n` bytes.
    pub(super) newline: u64,
}

impl Masks {
    /// The masks with only the bits of `keep` left.
    pub(super) fn restrict(self, keep: u64) -> Masks {
        Masks {
            quote: self.quote & keep,
            backslash: self.backslash & keep,
            structural: self.structural & keep,
            whitespace: self.whitespace & keep,
            control: self.control & keep,
            high: self.high & keep,
            newline: self.newline & keep,
        }
    }
}

/// The classifier byte by byte: the portable kernel and the reference in tests.
pub(super) fn classify_portable(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'}' | b'[' | b']' | b':' | b',' => m.structural |= bit,
            _ => {}
        }
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            m.whitespace |= bit;
        }
        if b < 0x20 {
            m.control |= bit;
        }
        if b >= 0x80 {
            m.high |= bit;
        }
        if b == b'\n' {
            m.newline |= bit;
        }
    }
    m
}

/// The SSE4.2 kernel's classifier: four 16-byte lanes compared byte-wise.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
#[inline]
pub(super) fn classify_sse42(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    #[target_feature(enable = "sse4.2")]
    fn bits(v: __m128i) -> u64 {
        u64::from(_mm_movemask_epi8(v) as u16)
    }
    let mut m = Masks::default();
    for k in 0..4 {
        // SAFETY: `block` has 64 bytes and `k < 4`: bytes 16k..16k+16 are in bounds.
        #[allow(unsafe_code)]
        let v = unsafe { _mm_loadu_si128(block.as_ptr().add(16 * k).cast()) };
        let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        // `{` and `[` both become 0x7B with bit 5 set; `}` and `]` both become 0x7D.
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let brackets = _mm_or_si128(
            _mm_cmpeq_epi8(folded, _mm_set1_epi8(0x7B)),
            _mm_cmpeq_epi8(folded, _mm_set1_epi8(0x7D)),
        );
        let structural = _mm_or_si128(brackets, _mm_or_si128(eq(b':'), eq(b',')));
        let newline = eq(b'\n');
        let whitespace = _mm_or_si128(
            _mm_or_si128(eq(b' '), eq(b'\t')),
            _mm_or_si128(newline, eq(b'\r')),
        );
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
        let shift = 16 * k;
        m.quote |= bits(eq(b'"')) << shift;
        m.backslash |= bits(eq(b'\\')) << shift;
        m.structural |= bits(structural) << shift;
        m.whitespace |= bits(whitespace) << shift;
        m.control |= bits(control) << shift;
        m.high |= bits(v) << shift;
        m.newline |= bits(newline) << shift;
    }
    m
}

/// The AVX2 kernel's classifier: two 32-byte halves compared byte-wise.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn classify_avx2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };
    #[target_feature(enable = "avx2")]
    fn bits(v: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(v) as u32)
    }
    let mut m = Masks::default();
    for k in 0..2 {
        // SAFETY: `block` has 64 bytes and `k < 2`: bytes 32k..32k+32 are in bounds.
        #[allow(unsafe_code)]
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * k).cast()) };
        let eq = |c: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8));
        let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        let brackets = _mm256_or_si256(
            _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(0x7B)),
            _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(0x7D)),
        );
        let structural = _mm256_or_si256(brackets, _mm256_or_si256(eq(b':'), eq(b',')));
        let newline = eq(b'\n');
        let whitespace = _mm256_or_si256(
            _mm256_or_si256(eq(b' '), eq(b'\t')),
            _mm256_or_si256(newline, eq(b'\r')),
        );
        let control = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v);
        let shift = 32 * k;
        m.quote |= bits(eq(b'"')) << shift;
        m.backslash |= bits(eq(b'\\')) << shift;
        m.structural |= bits(structural) << shift;
        m.whitespace |= bits(whitespace) << shift;
        m.control |= bits(control) << shift;
        m.high |= bits(v) << shift;
        m.newline |= bits(newline) << shift;
    }
    m
}

/// Byte classes of the AVX-512 classifier's lookup table (a byte may have several).
const WS: u8 = 1;
const STRUCTURAL: u8 = 2;
const QUOTE: u8 = 4;
const BACKSLASH: u8 = 8;
const CONTROL: u8 = 16;
const NEWLINE: u8 = 32;

/// Class of every ASCII byte, indexed by the byte.
const CLASSES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 0x20 {
        t[b] = CONTROL;
        b += 1;
    }
    t[b'\t' as usize] |= WS;
    t[b'\n' as usize] |= WS | NEWLINE;
    t[b'\r' as usize] |= WS;
    t[b' ' as usize] = WS;
    t[b'"' as usize] = QUOTE;
    t[b'\\' as usize] = BACKSLASH;
    t[b'{' as usize] = STRUCTURAL;
    t[b'}' as usize] = STRUCTURAL;
    t[b'[' as usize] = STRUCTURAL;
    t[b']' as usize] = STRUCTURAL;
    t[b':' as usize] = STRUCTURAL;
    t[b',' as usize] = STRUCTURAL;
    t
};

/// The classifier with AVX-512 VBMI: one two-register byte permutation looks up the class of
/// all 64 bytes in [`CLASSES`] (bytes of 0x80 and above are zeroed), then one test per class.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vbmi")]
#[inline]
pub(super) fn classify_avx512(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        _mm512_loadu_si512, _mm512_maskz_permutex2var_epi8, _mm512_movepi8_mask, _mm512_set1_epi8,
        _mm512_test_epi8_mask,
    };
    // SAFETY: `block` is 64 readable bytes, exactly one unaligned 512-bit load; the table
    // halves are 64 bytes each.
    #[allow(unsafe_code)]
    let (v, lo, hi) = unsafe {
        (
            _mm512_loadu_si512(block.as_ptr().cast()),
            _mm512_loadu_si512(CLASSES.as_ptr().cast()),
            _mm512_loadu_si512(CLASSES[64..].as_ptr().cast()),
        )
    };
    let high = _mm512_movepi8_mask(v);
    let classes = _mm512_maskz_permutex2var_epi8(!high, lo, v, hi);
    let has = |class: u8| _mm512_test_epi8_mask(classes, _mm512_set1_epi8(class as i8));
    Masks {
        quote: has(QUOTE),
        backslash: has(BACKSLASH),
        structural: has(STRUCTURAL),
        whitespace: has(WS),
        control: has(CONTROL),
        high,
        newline: has(NEWLINE),
    }
}

/// [`prefix_xor`] in one carry-less multiplication by all ones.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
#[inline]
pub(super) fn prefix_xor_clmul(x: u64) -> u64 {
    use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};
    let product = _mm_clmulepi64_si128::<0>(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1));
    _mm_cvtsi128_si64(product) as u64
}

/// Inclusive prefix XOR: bit `i` of the result is the parity of bits `0..=i` of `x`.
pub(super) fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Appends the positions of the set bits of `bits` (offset by `start`) at `out[n..]` and returns
/// the new length. Writes eight positions per step whatever the count, which keeps the branch
/// predictable: the extra writes land in scratch space (`out` has 64 free slots after `n`).
#[inline(always)]
pub(super) fn flatten(out: &mut [u32], n: usize, start: u32, mut bits: u64) -> usize {
    let count = bits.count_ones() as usize;
    let Some(dst) = out.get_mut(n..n + 64) else {
        return n;
    };
    let mut i = 0;
    while i < count {
        for j in 0..8 {
            dst[(i + j) & 63] = start.wrapping_add(bits.trailing_zeros());
            bits &= bits.wrapping_sub(1);
        }
        i += 8;
    }
    n + count
}

/// [`flatten`] with AVX-512 VBMI2: compresses the bit positions into bytes with one
/// `vpcompressb`, then widens them to `u32` sixteen at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vbmi2,popcnt")]
#[inline]
pub(super) fn flatten_avx512(out: &mut [u32], n: usize, start: u32, bits: u64) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm512_add_epi32, _mm512_castsi512_si128, _mm512_cvtepu8_epi32,
        _mm512_extracti32x4_epi32, _mm512_maskz_compress_epi8, _mm512_set1_epi32, _mm512_set_epi64,
        _mm512_storeu_si512,
    };
    let count = bits.count_ones() as usize;
    let Some(dst) = out.get_mut(n..n + 64) else {
        return n;
    };
    // Byte i of `positions` is i.
    let positions = _mm512_set_epi64(
        0x3f3e_3d3c_3b3a_3938,
        0x3736_3534_3332_3130,
        0x2f2e_2d2c_2b2a_2928,
        0x2726_2524_2322_2120,
        0x1f1e_1d1c_1b1a_1918,
        0x1716_1514_1312_1110,
        0x0f0e_0d0c_0b0a_0908,
        0x0706_0504_0302_0100,
    );
    let packed = _mm512_maskz_compress_epi8(bits, positions);
    let base = _mm512_set1_epi32(start as i32);
    let mut store = |k: usize, lane: __m128i| {
        let wide = _mm512_add_epi32(_mm512_cvtepu8_epi32(lane), base);
        // SAFETY: `dst` is 64 `u32`s long and `k < 4`: slots 16k..16k+16 are in bounds.
        #[allow(unsafe_code)]
        unsafe {
            _mm512_storeu_si512(dst[16 * k..16 * k + 16].as_mut_ptr().cast(), wide)
        };
    };
    store(0, _mm512_castsi512_si128(packed));
    if count > 16 {
        store(1, _mm512_extracti32x4_epi32::<1>(packed));
        if count > 32 {
            store(2, _mm512_extracti32x4_epi32::<2>(packed));
            if count > 48 {
                store(3, _mm512_extracti32x4_epi32::<3>(packed));
            }
        }
    }
    n + count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_choice_checks_the_cpu() {
        for k in Kernel::ALL {
            assert_eq!(Kernel::from_name(k.name()), Some(k));
        }
        assert_eq!(Kernel::choose(None), Ok(Kernel::detect()));
        assert_eq!(Kernel::choose(Some("")), Ok(Kernel::detect()));
        assert_eq!(Kernel::choose(Some("portable")), Ok(Kernel::Portable));
        let e = Kernel::choose(Some("neon")).unwrap_err();
        assert!(e.to_string().contains("unknown kernel"), "{e}");
        for k in Kernel::ALL {
            assert_eq!(
                Kernel::choose(Some(k.name())).is_ok(),
                k.supported(),
                "{k:?}"
            );
        }
        assert!(Kernel::available().contains(&Kernel::Portable));
        assert!(Kernel::detect().supported());
    }
}
