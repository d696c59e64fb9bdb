//! Where header field values come from: separate values (the CLI's arguments) or a pasted block.
//!
//! Every parsed challenge keeps spans into [`Source::text`], so the page can highlight what the
//! user pasted and the CLI can point into its arguments joined with `\n`.

use crate::Span;
use serde::Serialize;

/// Text plus the spans of the `WWW-Authenticate` (or `Proxy-Authenticate`) field values in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    pub text: String,
    /// One span per header field value, in the order the fields appeared.
    pub fields: Vec<Span>,
    /// Lines of a pasted block that were not authentication challenges (status line, other headers).
    pub skipped_lines: usize,
}

impl Source {
    /// Each value is one header field; the text is the values joined with `\n`.
    pub fn from_values<S: AsRef<str>>(values: &[S]) -> Self {
        let mut text = String::new();
        let mut fields = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            text.push_str(v.as_ref());
            fields.push(Span::new(start, text.len()));
        }
        Source {
            text,
            fields,
            skipped_lines: 0,
        }
    }

    /// A pasted text: either a response header block (status line and `Name: value` lines, with
    /// obs-fold continuation lines) from which the `WWW-Authenticate` and `Proxy-Authenticate`
    /// values are taken, or bare values, one header field per non-empty line.
    pub fn from_paste(text: &str) -> Self {
        let lines = split_lines(text);
        let is_header_block = lines.iter().any(|l| header_name(l.slice(text)).is_some());
        let mut fields: Vec<Span> = Vec::new();
        let mut skipped = 0;
        // Index in `fields` of the field that a continuation line may extend.
        let mut open: Option<usize> = None;
        for line in lines {
            let s = line.slice(text);
            let continuation = s.starts_with([' ', '\t']) && !s.trim().is_empty();
            if continuation {
                // obs-fold (RFC 9112 §5.2): the line continues the previous field's value.
                match open.and_then(|i| fields.get_mut(i)) {
                    Some(f) => *f = Span::new(f.start(), line.end()),
                    None if !is_header_block => {
                        fields.push(trimmed(text, line));
                        open = Some(fields.len() - 1);
                    }
                    None => skipped += 1,
                }
                continue;
            }
            if s.trim().is_empty() {
                open = None;
                continue;
            }
            if !is_header_block {
                fields.push(trimmed(text, line));
                open = Some(fields.len() - 1);
                continue;
            }
            match header_name(s) {
                Some(name)
                    if name.eq_ignore_ascii_case("www-authenticate")
                        || name.eq_ignore_ascii_case("proxy-authenticate") =>
                {
                    let colon = line.start() + name.len() + 1;
                    fields.push(trimmed(text, Span::new(colon, line.end())));
                    open = Some(fields.len() - 1);
                }
                _ => {
                    skipped += 1;
                    open = None;
                }
            }
        }
        Source {
            text: text.to_string(),
            fields,
            skipped_lines: skipped,
        }
    }

    /// The text of field `i`.
    pub fn field_text(&self, i: usize) -> &str {
        self.fields
            .get(i)
            .map(|s| s.slice(&self.text))
            .unwrap_or("")
    }
}

/// Lines of `text` without their terminators (`\n` or `\r\n`).
fn split_lines(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes().get(i - 1) == Some(&b'\r') {
                i - 1
            } else {
                i
            };
            out.push(Span::new(start, end));
            start = i + 1;
        }
    }
    if start < text.len() {
        let end = if text.ends_with('\r') {
            text.len() - 1
        } else {
            text.len()
        };
        out.push(Span::new(start, end));
    }
    out
}

/// The field name of a `Name: value` line, if the line is one (a token followed by a colon).
fn header_name(line: &str) -> Option<&str> {
    let colon = line.find(':')?;
    let name = line.get(..colon)?;
    let is_token = !name.is_empty() && name.bytes().all(is_tchar);
    is_token.then_some(name)
}

/// `span` without leading and trailing spaces and tabs.
fn trimmed(text: &str, span: Span) -> Span {
    let s = span.slice(text);
    let lead = s.len() - s.trim_start_matches([' ', '\t']).len();
    let trail = s.len() - s.trim_end_matches([' ', '\t']).len();
    if lead + trail >= s.len() {
        return Span::new(
            span.start() + lead.min(s.len()),
            span.start() + lead.min(s.len()),
        );
    }
    Span::new(span.start() + lead, span.end() - trail)
}

/// `tchar` of RFC 9110 §5.6.2.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_joined_with_newlines_and_spans_point_into_the_join() {
        let s = Source::from_values(&["Negotiate", "NTLM"]);
        assert_eq!(s.text, "Negotiate\nNTLM");
        assert_eq!(s.fields, vec![Span(0, 9), Span(10, 14)]);
    }

    #[test]
    fn a_response_block_yields_only_the_authenticate_fields() {
        let text = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 1656\r\nWWW-Authenticate: Negotiate\r\nwww-authenticate:  NTLM \r\nServer: Microsoft-IIS/6.0\r\n";
        let s = Source::from_paste(text);
        assert_eq!(s.fields.len(), 2);
        assert_eq!(s.field_text(0), "Negotiate");
        assert_eq!(s.field_text(1), "NTLM");
        assert_eq!(s.skipped_lines, 3);
    }

    #[test]
    fn obs_fold_continues_the_field_and_keeps_the_fold_inside_its_span() {
        let text = "WWW-Authenticate: Basic\r\n realm=\"foo\"\r\nX: y";
        let s = Source::from_paste(text);
        assert_eq!(s.fields.len(), 1);
        assert_eq!(s.field_text(0), "Basic\r\n realm=\"foo\"");
    }

    #[test]
    fn bare_lines_are_separate_fields() {
        let s = Source::from_paste("Negotiate\n\nBasic realm=\"x\"\n");
        assert_eq!(s.fields.len(), 2);
        assert_eq!(s.field_text(1), "Basic realm=\"x\"");
    }
}
