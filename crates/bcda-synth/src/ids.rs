//! Medicare Beneficiary Identifiers and National Provider Identifiers.

/// Letters allowed in an MBI: A-Z without S, L, O, I, B, Z (CMS "Understanding the MBI format").
const MBI_ALPHA: &[u8; 20] = b"ACDEFGHJKMNPQRTUVWXY";
/// Letters then digits, for the alphanumeric positions.
const MBI_ALNUM: &[u8; 30] = b"ACDEFGHJKMNPQRTUVWXY0123456789";

#[derive(Clone, Copy)]
enum Pos {
    /// 1-9
    C,
    /// 0-9
    N,
    /// allowed letter
    A,
    /// allowed letter or digit
    An,
}

const MBI_FORMAT: [Pos; 11] = [
    Pos::C,
    Pos::A,
    Pos::An,
    Pos::N,
    Pos::A,
    Pos::An,
    Pos::N,
    Pos::A,
    Pos::A,
    Pos::N,
    Pos::N,
];

/// Encodes `n` (any value; reduced modulo the MBI space) as an 11-character MBI.
/// Distinct `n` below the space size (about 1.3e13) give distinct MBIs.
pub fn mbi_from_number(mut n: u64) -> String {
    let mut out = [0u8; 11];
    for i in (0..11).rev() {
        let (set, radix): (&[u8], u64) = match MBI_FORMAT[i] {
            Pos::C => (b"123456789", 9),
            Pos::N => (b"0123456789", 10),
            Pos::A => (MBI_ALPHA, 20),
            Pos::An => (MBI_ALNUM, 30),
        };
        out[i] = set[(n % radix) as usize];
        n /= radix;
    }
    out.iter().map(|&c| c as char).collect()
}

/// True if `s` follows the MBI format (11 characters, CMS position rules).
pub fn is_valid_mbi(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b.iter().zip(MBI_FORMAT).all(|(&c, p)| match p {
            Pos::C => (b'1'..=b'9').contains(&c),
            Pos::N => c.is_ascii_digit(),
            Pos::A => MBI_ALPHA.contains(&c),
            Pos::An => MBI_ALNUM.contains(&c),
        })
}

/// The NPI check digit for a 9-digit base: Luhn over the base prefixed with `80840`
/// (CMS "Requirements for the NPI check digit").
pub fn npi_check_digit(base9: u64) -> u8 {
    let mut digits = [0u8; 9];
    let mut n = base9;
    for d in digits.iter_mut().rev() {
        *d = (n % 10) as u8;
        n /= 10;
    }
    // Luhn: double every second digit from the right, starting with the rightmost base digit.
    // The prefix 80840 contributes the constant 24.
    let mut sum = 24u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let v = if i % 2 == 0 { d * 2 } else { d } as u32;
        sum += v / 10 + v % 10;
    }
    ((10 - sum % 10) % 10) as u8
}

/// A valid 10-digit NPI from any number: first digit 1 or 2, then the check digit.
pub fn npi_from_number(n: u64) -> u64 {
    let base = 100_000_000 + n % 200_000_000; // 1xxxxxxxx or 2xxxxxxxx
    base * 10 + npi_check_digit(base) as u64
}

/// True if `s` is a 10-digit NPI with a valid check digit.
pub fn is_valid_npi(s: &str) -> bool {
    if s.len() != 10 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let v: u64 = s.parse().unwrap_or(0);
    npi_check_digit(v / 10) == (v % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_npi() {
        // The worked example in the CMS NPI check-digit paper: 123456789 -> 3.
        assert_eq!(npi_check_digit(123_456_789), 3);
        assert!(is_valid_npi("1234567893"));
        assert!(!is_valid_npi("1234567890"));
    }

    #[test]
    fn mbi_format() {
        for n in [0u64, 1, 77, 123_456_789, 9_999_999_999_999] {
            let m = mbi_from_number(n);
            assert!(is_valid_mbi(&m), "{m}");
        }
        assert_ne!(mbi_from_number(5), mbi_from_number(6));
        assert!(!is_valid_mbi("1S00E00AA01"));
        assert!(is_valid_mbi("1EG4TE5MK73"));
    }
}
