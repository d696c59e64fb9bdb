//! Exports of a walkthrough (or a HAR exchange): the sequence diagram as a standalone SVG file
//! and as Mermaid text, and a request as a `curl` command with the password left as a
//! placeholder.
//!
//! The diagram's geometry ([`lane_x`], [`ROW`], [`TOP`], [`WIDTH`]) is shared with the page's
//! live diagram, so the export looks like what the user sees, with every step drawn.

use crate::seq::{Lane, Step, StepKind};

impl Step {
    /// The request as a `curl` command (the password left as a placeholder), for request steps.
    pub fn curl(&self) -> Option<String> {
        if self.kind != StepKind::Request {
            return None;
        }
        let origin = self.url.as_deref().unwrap_or("http://web01.contoso.com");
        curl(self.http.as_deref()?, origin)
    }
}

/// Height of one step's row.
pub const ROW: i32 = 44;
/// Where the first row starts (below the lane heads).
pub const TOP: i32 = 64;
/// The diagram's width.
pub const WIDTH: i32 = 640;

/// The x of `lane`'s lifeline among `lanes`.
pub fn lane_x(lanes: &[Lane], lane: Lane) -> i32 {
    let n = i32::try_from(lanes.len().max(1)).unwrap_or(1);
    let i = i32::try_from(lanes.iter().position(|l| *l == lane).unwrap_or(0)).unwrap_or(0);
    let margin = 110;
    if n == 1 {
        return WIDTH / 2;
    }
    margin + i * (WIDTH - 2 * margin) / (n - 1)
}

/// Whether a step is drawn as a reply (dashed): responses, and the domain controller's answer.
pub fn is_reply(s: &Step) -> bool {
    s.kind == StepKind::Response
        || (s.kind == StepKind::Backend && s.from == Lane::DomainController)
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG file's own look (light colours, fonts of the system).
const STYLE: &str = "<style>text{font:13px system-ui,sans-serif;fill:#1d2330}.lane rect{fill:#eef2f8;stroke:#5b6b84}.life{stroke:#9aa7bb;stroke-dasharray:4 4}\
.arrow{stroke:#1d2330;stroke-width:1.5}.reply{stroke-dasharray:6 4}.head{fill:none;stroke:#1d2330;stroke-width:1.5}\
.note{fill:#fff7d6;stroke:#c9a227}.num{fill:#6b7688;font-size:11px}.ok .label{fill:#0a7a3d}.bad .label{fill:#b3261e}</style>\n";

/// A standalone SVG file of the whole sequence (light colours, fonts of the system).
pub fn svg(title: &str, steps: &[Step], lanes: &[Lane]) -> String {
    drawing(title, steps, lanes, STYLE)
}

/// The same drawing without its `<style>` element (the same classes), for a page whose style
/// sheet draws it: a Content-Security-Policy without inline style refuses the element.
pub fn svg_unstyled(title: &str, steps: &[Step], lanes: &[Lane]) -> String {
    drawing(title, steps, lanes, "")
}

fn drawing(title: &str, steps: &[Step], lanes: &[Lane], style: &str) -> String {
    let n = i32::try_from(steps.len()).unwrap_or(0);
    let height = TOP + n * ROW + 16;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n\
{style}<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        t = xml(title)
    );
    for l in lanes {
        let x = lane_x(lanes, *l);
        out.push_str(&format!(
            "<g class=\"lane\"><rect x=\"{}\" y=\"8\" width=\"140\" height=\"32\" rx=\"6\"/><text x=\"{x}\" y=\"29\" text-anchor=\"middle\">{}</text><line class=\"life\" x1=\"{x}\" y1=\"40\" x2=\"{x}\" y2=\"{height}\"/></g>\n",
            x - 70,
            xml(l.name())
        ));
    }
    for (i, s) in steps.iter().enumerate() {
        let y = TOP + i32::try_from(i).unwrap_or(0) * ROW;
        let class = match s.status.as_deref() {
            Some(st) if st.starts_with('2') => " ok",
            Some(st) if st.starts_with('4') || st.starts_with('5') => " bad",
            _ => "",
        };
        out.push_str(&format!(
            "<g class=\"row{class}\"><text class=\"num\" x=\"8\" y=\"{}\">{}</text>",
            y + 23,
            i + 1
        ));
        if s.from != s.to {
            let (x1, x2) = (lane_x(lanes, s.from), lane_x(lanes, s.to));
            let dir = if x2 > x1 { -8 } else { 8 };
            out.push_str(&format!(
                "<line class=\"arrow{}\" x1=\"{x1}\" y1=\"{y18}\" x2=\"{x2}\" y2=\"{y18}\"/><polyline class=\"head\" points=\"{},{} {x2},{y18} {},{}\"/><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                if is_reply(s) { " reply" } else { "" },
                x2 + dir,
                y + 13,
                x2 + dir,
                y + 23,
                (x1 + x2) / 2,
                y + 11,
                xml(&s.label),
                y18 = y + 18,
            ));
        } else {
            let x = lane_x(lanes, s.from);
            out.push_str(&format!(
                "<rect class=\"note\" x=\"{}\" y=\"{}\" width=\"300\" height=\"28\" rx=\"5\"/><text class=\"label\" x=\"{}\" y=\"{}\">{}</text>",
                x + 12,
                y + 4,
                x + 22,
                y + 23,
                xml(&s.label)
            ));
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// Mermaid's `sequenceDiagram` text of the sequence.
pub fn mermaid(steps: &[Step], lanes: &[Lane]) -> String {
    fn id(l: Lane) -> &'static str {
        match l {
            Lane::User => "User",
            Lane::Browser => "Browser",
            Lane::Iis => "IIS",
            Lane::Server => "Server",
            Lane::DomainController => "DC",
        }
    }
    // `;` ends a statement and `#` starts an entity: both are written as entities.
    fn text(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '#' => out.push_str("#35;"),
                ';' => out.push_str("#59;"),
                '\r' | '\n' => out.push(' '),
                c => out.push(c),
            }
        }
        out
    }
    let mut out = String::from("sequenceDiagram\n");
    for l in lanes {
        out.push_str(&format!(
            "    participant {} as {}\n",
            id(*l),
            text(l.name())
        ));
    }
    for s in steps {
        if s.from == s.to {
            out.push_str(&format!(
                "    Note over {}: {}\n",
                id(s.from),
                text(&s.label)
            ));
        } else {
            let arrow = if is_reply(s) { "-->>" } else { "->>" };
            out.push_str(&format!(
                "    {}{arrow}{}: {}\n",
                id(s.from),
                id(s.to),
                text(&s.label)
            ));
        }
    }
    out
}

/// Single-quoted for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Headers curl writes itself, or that would replay a credential.
const LEFT_OUT: &[&str] = &[
    "host",
    "authorization",
    "connection",
    "content-length",
    "proxy-authorization",
    "cookie",
];

/// The `curl` command that sends `request` (an HTTP/1.1 request's text: request line and
/// headers) to `origin` (`http://web01.contoso.com`, used when the request has no Host header),
/// authenticating the way the request does: `-u 'user:<password>'` for Basic, `--ntlm` for NTLM,
/// `--negotiate -u :` for Negotiate. The password is never written: `<password>` stands for it.
/// Cookies are left out (they may be a session). `None` when the text is not a request.
pub fn curl(request: &str, origin: &str) -> Option<String> {
    let mut lines = request.lines();
    let mut first = lines.next()?.split_whitespace();
    let (method, target) = (first.next()?, first.next()?);
    if !first.next().is_some_and(|v| v.starts_with("HTTP/")) {
        return None;
    }
    let mut host = None;
    let mut auth = None;
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        match name.to_ascii_lowercase().as_str() {
            "host" => host = Some(value.to_string()),
            "authorization" => auth = Some(value.to_string()),
            n if LEFT_OUT.contains(&n) => {}
            _ => headers.push(format!("{name}: {value}")),
        }
    }
    let url = if target.starts_with("http://") || target.starts_with("https://") {
        target.to_string()
    } else {
        // The origin's scheme (a capture's URL may be https), the request's Host.
        let origin = origin.split('/').take(3).collect::<Vec<_>>().join("/");
        match (&host, origin.split_once("://")) {
            (Some(h), Some((scheme, _))) => format!("{scheme}://{h}{target}"),
            _ => format!("{origin}{target}"),
        }
    };
    let mut cmd = String::from("curl -v");
    if method != "GET" {
        cmd.push_str(&format!(" -X {}", quote(method)));
    }
    if let Some(a) = auth {
        let (scheme, _) = a.split_once(' ').unwrap_or((a.as_str(), ""));
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let user = crate::basic::decode(&a, crate::basic::Charset::Utf8)
                    .map(|c| c.user)
                    .unwrap_or_else(|_| "user".into());
                cmd.push_str(&format!(" -u {}", quote(&format!("{user}:<password>"))));
            }
            "ntlm" => {
                let user = match crate::decode::decode(&a).ntlm {
                    Some(crate::ntlm::Message::Authenticate(m)) if !m.user.is_empty() => {
                        if m.domain.is_empty() {
                            m.user
                        } else {
                            format!("{}\\{}", m.domain, m.user)
                        }
                    }
                    _ => "DOMAIN\\user".into(),
                };
                cmd.push_str(&format!(
                    " --ntlm -u {}",
                    quote(&format!("{user}:<password>"))
                ));
            }
            "negotiate" => cmd.push_str(" --negotiate -u :"),
            _ => cmd.push_str(&format!(
                " -H {}",
                quote(&format!("Authorization: {scheme} …"))
            )),
        }
    }
    for h in headers {
        cmd.push_str(&format!(" -H {}", quote(&h)));
    }
    cmd.push(' ');
    cmd.push_str(&quote(&url));
    Some(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walkthrough::ntlm::{run, Scenario, Variant};

    fn ntlm() -> crate::walkthrough::ntlm::Walkthrough {
        run(&Scenario::guide(Variant::Healthy, 1_700_000_000))
    }

    #[test]
    fn svg_has_every_step_and_is_well_formed() {
        let w = ntlm();
        let svg = svg("NTLM <healthy>", &w.steps, &w.lanes);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("<g class=\"row").count(), w.steps.len());
        assert!(svg.contains("<title>NTLM &lt;healthy&gt;</title>"));
        // Every element opened is closed (a cheap well-formedness check; Chromium renders it in
        // the browser test).
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        // The page's copy is the same drawing without the <style> element.
        let bare = svg_unstyled("NTLM <healthy>", &w.steps, &w.lanes);
        assert!(svg.contains("<style>") && !bare.contains("<style>"));
        assert_eq!(svg.replace(STYLE, ""), bare);
    }

    #[test]
    fn mermaid_lists_participants_and_messages() {
        let w = ntlm();
        let m = mermaid(&w.steps, &w.lanes);
        assert!(m.starts_with("sequenceDiagram\n"));
        assert!(m.contains("participant Browser as Browser"));
        assert!(m.contains("participant DC as Domain controller"));
        assert!(m.contains("Browser->>IIS: "));
        assert!(m.contains("IIS-->>Browser: "));
        let lines = m.lines().count();
        assert_eq!(lines, 1 + w.lanes.len() + w.steps.len());
        let s = mermaid(
            &[Step::new(
                StepKind::Choose,
                Lane::Browser,
                Lane::Browser,
                "a; b #1",
                "t",
            )],
            &[Lane::Browser],
        );
        assert!(s.contains("Note over Browser: a#59; b #35;1"));
    }

    #[test]
    fn curl_keeps_the_password_out() {
        let w = ntlm();
        let auth = w
            .steps
            .iter()
            .filter_map(|s| s.http.as_deref())
            .find(|h| h.contains("Authorization: NTLM TlRMTVNTUAAD"))
            .expect("an AUTHENTICATE request");
        let c = curl(auth, "http://web01.contoso.com").expect("a request");
        assert!(c.contains("--ntlm -u 'CONTOSO\\bob:<password>'"), "{c}");
        // The request's Host: the walkthrough's URL names the server `web01`.
        assert!(c.ends_with("'http://web01/lab/integrated/'"), "{c}");
        assert!(!c.contains("TlRMTVNT"), "{c}");
        let basic = "GET /a HTTP/1.1\r\nHost: h:8080\r\nAuthorization: Basic YWxpY2U6V29uZGVybGFuZA==\r\nUser-Agent: it's\r\n\r\n";
        let c = curl(basic, "https://x").expect("a request");
        assert_eq!(
            c,
            "curl -v -u 'alice:<password>' -H 'User-Agent: it'\\''s' 'https://h:8080/a'"
        );
        assert!(!c.contains("Wonderland"));
        let neg = "POST /b HTTP/1.1\r\nHost: h\r\nAuthorization: Negotiate YIIB\r\n\r\n";
        assert_eq!(
            curl(neg, "http://h").as_deref(),
            Some("curl -v -X 'POST' --negotiate -u : 'http://h/b'")
        );
        assert_eq!(curl("HTTP/1.1 401 Unauthorized\r\n", "http://h"), None);
    }
}
