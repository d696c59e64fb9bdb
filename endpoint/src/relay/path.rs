//! The upstream path of a relayed request: `/relay/<n>/<tail>` becomes `<base>/<tail>`, where
//! `<base>` is the path of the allow-listed URL. The tail is read the way the servers behind the
//! relay read a path, so that no spelling of `..` can leave `<base>`:
//!
//! - percent-escapes are decoded (`%2e%2e` is `..`; RFC 3986 §2.1, §6.2.2.2), and an escape
//!   that is not `%` and two hex digits is refused rather than guessed at;
//! - `/` and `\` are both separators, also when escaped (`%2f`, `%5c`): IIS 6's http.sys
//!   turns a backslash into a slash before it removes dot-segments (MS KB 896287), and the
//!   IIS 4/5 folder traversal of MS00-078 came through a separator decoded late;
//! - decoded bytes must be UTF-8 (the overlong `%c0%ae` of MS00-078 is not) with no control
//!   characters;
//! - dot-segments are removed as RFC 3986 §5.2.4 says, and a `..` that would climb above the
//!   tail's root is refused: that path leaves the target's prefix;
//! - a segment made only of dots and spaces other than `.` and `..` is refused, because Windows
//!   drops trailing dots and spaces from a path component ("Naming Files, Paths, and
//!   Namespaces", Win32 docs) and `.. ` or `...` may then mean `..` to the server.
//!
//! What goes upstream is the normalised path, each segment percent-encoded again where RFC 3986
//! §3.3 requires it. Hand-written: a few dozen lines, and the rules are the servers', which no
//! URL crate models (the `url` crate keeps `%2e%2e` and `\` as they are in a path).

use std::fmt;

/// Why a relay path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// `%` not followed by two hex digits.
    BadEscape,
    /// The decoded bytes are not UTF-8 (an overlong form such as `%c0%ae`).
    NotUtf8,
    /// A control character (decoded), which no server reads the same way.
    Control,
    /// A segment of dots and spaces that a Windows server may read as `..`.
    Ambiguous,
    /// The path climbs above the target's prefix.
    LeavesPrefix,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::BadEscape => "a % that is not followed by two hex digits",
            PathError::NotUtf8 => "escaped bytes that are not UTF-8 (an overlong form?)",
            PathError::Control => "a control character in the path",
            PathError::Ambiguous => "a segment of dots and spaces that Windows may read as ..",
            PathError::LeavesPrefix => "the path leaves the target's prefix",
        })
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one raw segment.
fn decode(raw: &str) -> Result<String, PathError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = bytes.next().and_then(hex).ok_or(PathError::BadEscape)?;
            let lo = bytes.next().and_then(hex).ok_or(PathError::BadEscape)?;
            out.push(hi << 4 | lo);
        } else {
            out.push(b);
        }
    }
    let s = String::from_utf8(out).map_err(|_| PathError::NotUtf8)?;
    if s.chars().any(char::is_control) {
        return Err(PathError::Control);
    }
    Ok(s)
}

/// A decoded segment written back for the request line: unreserved characters, sub-delims, `:`
/// and `@` stay (RFC 3986 §3.3 `pchar`), everything else is escaped.
fn encode(segment: &str, out: &mut String) {
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// `base` (the target's path, no trailing slash: `""` or `/app`) joined with the raw `tail` of
/// the client's path, normalised as the module doc says.
pub fn upstream_path(base: &str, tail: &str) -> Result<String, PathError> {
    let mut stack: Vec<String> = Vec::new();
    // Whether the path ends in a directory (a trailing separator, `.` or `..`).
    let mut directory = false;
    for raw in tail.split(['/', '\\']) {
        for segment in decode(raw)?.split(['/', '\\']) {
            directory = false;
            match segment {
                "." => directory = true,
                ".." => {
                    stack.pop().ok_or(PathError::LeavesPrefix)?;
                    directory = true;
                }
                s if !s.is_empty() && s.chars().all(|c| c == '.' || c == ' ') => {
                    return Err(PathError::Ambiguous)
                }
                "" => directory = true,
                s => stack.push(s.to_string()),
            }
        }
    }
    let mut out = String::from(base);
    for s in &stack {
        out.push('/');
        encode(s, &mut out);
    }
    if directory || stack.is_empty() {
        out.push('/');
    }
    // The prefix check, on the result itself.
    if !out.starts_with(&format!("{base}/")) {
        return Err(PathError::LeavesPrefix);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_are_kept() {
        assert_eq!(upstream_path("/app", "").as_deref(), Ok("/app/"));
        assert_eq!(upstream_path("", "").as_deref(), Ok("/"));
        assert_eq!(
            upstream_path("/app", "a/b.aspx").as_deref(),
            Ok("/app/a/b.aspx")
        );
        assert_eq!(upstream_path("/app", "a/b/").as_deref(), Ok("/app/a/b/"));
        assert_eq!(
            upstream_path("/lab", "integrated/").as_deref(),
            Ok("/lab/integrated/")
        );
        assert_eq!(
            upstream_path("/app", "a%20b/%41").as_deref(),
            Ok("/app/a%20b/A")
        );
    }

    #[test]
    fn dot_segments_inside_the_prefix_are_removed() {
        assert_eq!(upstream_path("/app", "a/../b").as_deref(), Ok("/app/b"));
        assert_eq!(upstream_path("/app", "a/./b").as_deref(), Ok("/app/a/b"));
        assert_eq!(upstream_path("/app", "a/..").as_deref(), Ok("/app/"));
        assert_eq!(upstream_path("/app", "a/%2e%2e/b").as_deref(), Ok("/app/b"));
    }

    #[test]
    fn every_spelling_of_dot_dot_that_leaves_the_prefix_is_refused() {
        for tail in [
            "../secret.txt",
            "%2e%2e/secret.txt",
            "%2E%2E/secret.txt",
            ".%2e/secret.txt",
            "..%2fsecret.txt",
            "..%2Fsecret.txt",
            "..%5csecret.txt",
            "..\\secret.txt",
            "a/../../secret.txt",
            "a%2f..%2f..%2fsecret.txt",
        ] {
            assert_eq!(
                upstream_path("/app", tail),
                Err(PathError::LeavesPrefix),
                "{tail}"
            );
        }
    }

    #[test]
    fn what_a_windows_server_might_read_as_dot_dot_is_refused() {
        for tail in [
            "...",
            ".. /x",
            "..%20/x",
            "../",
            "..%2e/x",
            "... /x",
            "..%2E. /x",
        ] {
            assert!(upstream_path("/app", tail).is_err(), "{tail}");
        }
        assert_eq!(
            upstream_path("/app", "%c0%ae%c0%ae/x"),
            Err(PathError::NotUtf8)
        );
        assert_eq!(upstream_path("/app", "a%0d%0ab"), Err(PathError::Control));
        assert_eq!(upstream_path("/app", "%2"), Err(PathError::BadEscape));
        assert_eq!(upstream_path("/app", "%zz"), Err(PathError::BadEscape));
    }

    /// Random paths from the characters that matter: never a panic; every accepted path stays
    /// under the prefix, holds no dot-segment, and is its own normal form.
    #[test]
    fn random_paths_stay_under_the_prefix_and_normalise_once() {
        const ALPHABET: &[u8] = b"./\\%25eEfFcC0a ~\x7f";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = usize::try_from(next() % 24).unwrap_or(0);
            let tail: String = (0..len)
                .map(|_| {
                    let i = usize::try_from(next()).unwrap_or(0) % ALPHABET.len();
                    char::from(ALPHABET.get(i).copied().unwrap_or(b'a'))
                })
                .collect();
            let Ok(p) = upstream_path("/app", &tail) else {
                continue;
            };
            assert!(p.starts_with("/app/"), "{tail:?} → {p}");
            assert!(
                !p.split('/').any(|seg| seg == "." || seg == ".."),
                "{tail:?} → {p}"
            );
            let again = p.strip_prefix("/app/").unwrap_or("");
            assert_eq!(
                upstream_path("/app", again).as_deref(),
                Ok(p.as_str()),
                "{tail:?}"
            );
        }
    }

    #[test]
    fn an_encoded_slash_is_a_separator() {
        assert_eq!(upstream_path("/app", "a%2fb").as_deref(), Ok("/app/a/b"));
        assert_eq!(upstream_path("/app", "a%5Cb").as_deref(), Ok("/app/a/b"));
    }
}
