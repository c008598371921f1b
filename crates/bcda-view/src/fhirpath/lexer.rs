//! FHIRPath tokens.

use super::ParseError;

/// One token and its character offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: Tok,
    pub(crate) offset: usize,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier (plain or `` `delimited` ``), including keywords such as `and`.
    Ident(String),
    /// A string literal, unescaped.
    Str(String),
    /// A number literal, as text.
    Number(String),
    /// `@...`: a date, dateTime or time literal (without the `@`).
    Temporal(String),
    /// `%name`
    Var(String),
    /// `$this`, `$index`, `$total`
    Special(String),
    /// Punctuation and symbolic operators.
    Punct(&'static str),
    /// End of input.
    End,
}

const PUNCT: [&str; 19] = [
    "<=", ">=", "!=", "!~", "(", ")", "[", "]", "{", "}", ".", ",", "=", "~", "<", ">", "+", "-",
    "*",
];
const PUNCT_MORE: [&str; 3] = ["/", "|", "&"];

/// Splits `src` into tokens, ending with [`Tok::End`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with("//") {
            i += src[i..].find('\n').unwrap_or(src.len() - i);
            continue;
        }
        let (kind, len) = token_at(src, i)?;
        out.push(Token { kind, offset: i });
        i += len;
    }
    out.push(Token {
        kind: Tok::End,
        offset: src.len(),
    });
    Ok(out)
}

fn token_at(src: &str, i: usize) -> Result<(Tok, usize), ParseError> {
    let rest = &src[i..];
    let c = rest.as_bytes()[0];
    match c {
        b'\'' => quoted(rest, b'\'', i).map(|(s, n)| (Tok::Str(s), n)),
        b'`' => quoted(rest, b'`', i).map(|(s, n)| (Tok::Ident(s), n)),
        b'0'..=b'9' => Ok(number(rest)),
        b'@' => temporal(rest, i),
        b'%' => variable(rest, i),
        b'$' => {
            let n = 1 + ident_len(&rest[1..]);
            if n == 1 {
                return Err(ParseError::new("`$` without a name", i));
            }
            Ok((Tok::Special(rest[1..n].to_string()), n))
        }
        c if c.is_ascii_alphabetic() || c == b'_' => {
            let n = ident_len(rest);
            Ok((Tok::Ident(rest[..n].to_string()), n))
        }
        _ => PUNCT
            .iter()
            .chain(PUNCT_MORE.iter())
            .find(|p| rest.starts_with(**p))
            .map(|p| (Tok::Punct(p), p.len()))
            .ok_or_else(|| {
                let ch = rest.chars().next().unwrap_or(' ');
                ParseError::new(format!("unexpected character `{ch}`"), i)
            }),
    }
}

fn ident_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count()
}

fn number(s: &str) -> (Tok, usize) {
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let mut n = digits(s);
    if s[n..].starts_with('.') && digits(&s[n + 1..]) > 0 {
        n += 1 + digits(&s[n + 1..]);
    }
    (Tok::Number(s[..n].to_string()), n)
}

fn temporal(s: &str, at: usize) -> Result<(Tok, usize), ParseError> {
    let n = 1 + s[1..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'+'))
        .count();
    if n == 1 {
        return Err(ParseError::new("`@` without a date or time", at));
    }
    Ok((Tok::Temporal(s[1..n].to_string()), n))
}

fn variable(s: &str, at: usize) -> Result<(Tok, usize), ParseError> {
    match s.as_bytes().get(1) {
        Some(q @ (b'`' | b'\'')) => {
            quoted(&s[1..], *q, at + 1).map(|(name, n)| (Tok::Var(name), n + 1))
        }
        _ => {
            let n = ident_len(&s[1..]);
            if n == 0 {
                return Err(ParseError::new("`%` without a name", at));
            }
            Ok((Tok::Var(s[1..=n].to_string()), n + 1))
        }
    }
}

/// A quoted string or identifier starting at `s[0]`: its unescaped text and length.
fn quoted(s: &str, quote: u8, at: usize) -> Result<(String, usize), ParseError> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((j, ch)) = chars.next() {
        if ch as u32 == u32::from(quote) {
            return Ok((out, j + 1));
        }
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        match e {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| ParseError::new("bad \\u escape", at + j))?;
                out.push(code);
            }
            other => out.push(other),
        }
    }
    Err(ParseError::new("unterminated string or identifier", at))
}
