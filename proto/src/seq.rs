//! The sequence model: who takes part ([`Lane`]), what happens ([`StepKind`]) and everything the
//! page shows about it ([`Step`]). Walkthroughs, the lab's visits and HAR analysis produce
//! `Vec<Step>`; the page plays it (Back is indexing) and `export` draws it. A leaf module: it
//! knows nothing of IIS, browsers or decoders.

use serde::Serialize;

/// A participant drawn as a lane of the sequence diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Lane {
    User,
    Browser,
    Iis,
    DomainController,
    /// Any web server (a HAR file's).
    Server,
}

impl Lane {
    pub fn name(self) -> &'static str {
        match self {
            Lane::User => "User",
            Lane::Browser => "Browser",
            Lane::Iis => "IIS",
            Lane::DomainController => "Domain controller",
            Lane::Server => "Server",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StepKind {
    /// An HTTP request on the wire.
    Request,
    /// An HTTP response on the wire.
    Response,
    /// The browser reads the challenges and picks one.
    Choose,
    /// The browser asks the user for credentials.
    Dialog,
    /// The browser shows a page: the site, or the error page.
    Page,
    /// A TCP connection opens or closes.
    Connection,
    /// IIS and the domain controller talk (NTLM pass-through, Netlogon).
    Backend,
}

/// The credentials of a Basic request, decoded for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BasicView {
    pub header_value: String,
    pub token68: String,
    pub charset: &'static str,
    /// The decoded bytes as hex, then as text.
    pub hex: String,
    pub text: String,
    pub user: String,
    pub password: String,
    /// The header text and the decoded bytes, with their field trees.
    pub layers: Vec<crate::field::Layer>,
}

/// Why a step happens as it does: a claim about a browser, IIS or Windows, where it is written
/// down, and how we know it (`source`, `documented`, `observed` or `assumed`). The page shows
/// these under "Why?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Why {
    pub text: String,
    pub source: String,
    pub basis: &'static str,
}

/// Where the IIS 6 guide is outdated or silent: what it says, what happens in practice, and the
/// source of the practice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GuideSays {
    pub guide: String,
    pub practice: String,
    pub source: String,
}

/// One thing that happens, with everything the page shows about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    pub from: Lane,
    pub to: Lane,
    /// Short label drawn on the arrow.
    pub label: String,
    /// Heading of the explanation panel.
    pub title: String,
    /// One sentence for the `aria-live` narration line.
    pub narration: String,
    /// Paragraphs of explanation.
    pub explanation: Vec<String>,
    /// The full request or response as it goes on the wire.
    pub http: Option<String>,
    /// `401.1`, `200`… for responses.
    pub status: Option<String>,
    pub basic: Option<BasicView>,
    /// `(attempt, limit)` for credential dialogs and the requests they lead to.
    pub attempt: Option<(u8, Option<u8>)>,
    /// The IIS W3C log line for responses.
    pub log: Option<String>,
    /// The IIS engine's decisions for responses.
    pub trace: Vec<String>,
    pub connection: Option<u64>,
    /// The authentication token this message carries (base64), for the decoder.
    pub token: Option<String>,
    /// Where a request went (`https://host/path`), when the step came from a capture; the
    /// simulated site is `http://web01.contoso.com`.
    pub url: Option<String>,
    /// The rules behind this step, with their sources.
    pub why: Vec<Why>,
    /// The guide's word against practice, where they differ.
    pub guide: Vec<GuideSays>,
    /// The Security event log entries this step wrote, as Event Viewer shows them.
    pub events: Vec<String>,
}

impl Step {
    /// Adds a claim with its source.
    pub(crate) fn because(
        &mut self,
        text: impl Into<String>,
        source: impl Into<String>,
        basis: &'static str,
    ) {
        self.why.push(Why {
            text: text.into(),
            source: source.into(),
            basis,
        });
    }

    /// Adds "the guide says … / in practice …".
    pub(crate) fn guide_says(&mut self, guide: &str, practice: &str, source: &str) {
        self.guide.push(GuideSays {
            guide: guide.into(),
            practice: practice.into(),
            source: source.into(),
        });
    }

    pub(crate) fn new(
        kind: StepKind,
        from: Lane,
        to: Lane,
        label: impl Into<String>,
        title: impl Into<String>,
    ) -> Step {
        Step {
            kind,
            from,
            to,
            label: label.into(),
            title: title.into(),
            narration: String::new(),
            explanation: Vec::new(),
            http: None,
            status: None,
            basic: None,
            attempt: None,
            log: None,
            trace: Vec::new(),
            connection: None,
            token: None,
            url: None,
            why: Vec::new(),
            guide: Vec::new(),
            events: Vec::new(),
        }
    }
}

/// One row of two walkthroughs side by side: a step both have (the same arrow, label and
/// status), or a step of one only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pair {
    Both(usize, usize),
    Left(usize),
    Right(usize),
}

/// Lines up two step lists for a side-by-side view, so that their difference stands out: the
/// longest common subsequence of their steps (same lanes, label and status), the rest on its own
/// side, in order. Quadratic in the lengths: walkthroughs have tens of steps (longer lists are
/// compared only for their first 400 steps each).
pub fn compare(a: &[Step], b: &[Step]) -> Vec<Pair> {
    const MAX: usize = 400;
    let a = a.get(..a.len().min(MAX)).unwrap_or_default();
    let b = b.get(..b.len().min(MAX)).unwrap_or_default();
    let same = |x: &Step, y: &Step| {
        x.from == y.from && x.to == y.to && x.label == y.label && x.status == y.status
    };
    // lcs[i][j]: the longest common run of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut lcs = vec![0u32; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let v = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if same(x, y) => {
                    lcs.get(at(i + 1, j + 1)).copied().unwrap_or(0) + 1
                }
                _ => {
                    let down = lcs.get(at(i + 1, j)).copied().unwrap_or(0);
                    let right = lcs.get(at(i, j + 1)).copied().unwrap_or(0);
                    down.max(right)
                }
            };
            if let Some(cell) = lcs.get_mut(at(i, j)) {
                *cell = v;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if same(x, y) => {
                out.push(Pair::Both(i, j));
                i += 1;
                j += 1;
            }
            (Some(_), Some(_)) => {
                let down = lcs.get(at(i + 1, j)).copied().unwrap_or(0);
                let right = lcs.get(at(i, j + 1)).copied().unwrap_or(0);
                if down >= right {
                    out.push(Pair::Left(i));
                    i += 1;
                } else {
                    out.push(Pair::Right(j));
                    j += 1;
                }
            }
            (Some(_), None) => {
                out.push(Pair::Left(i));
                i += 1;
            }
            (None, _) => {
                out.push(Pair::Right(j));
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod compare_tests {
    use super::*;

    fn step(label: &str, status: Option<&str>) -> Step {
        let mut s = Step::new(StepKind::Request, Lane::Browser, Lane::Iis, label, label);
        s.status = status.map(str::to_string);
        s
    }

    #[test]
    fn the_common_steps_line_up_and_the_difference_is_on_its_side() {
        let a = [
            step("GET", None),
            step("401", Some("401.2")),
            step("NEGOTIATE", None),
            step("200", Some("200")),
        ];
        let b = [
            step("GET", None),
            step("401", Some("401.2")),
            step("opens #2", None),
            step("NEGOTIATE", None),
            step("401", Some("401.1")),
        ];
        assert_eq!(
            compare(&a, &b),
            vec![
                Pair::Both(0, 0),
                Pair::Both(1, 1),
                Pair::Right(2),
                Pair::Both(2, 3),
                Pair::Left(3),
                Pair::Right(4)
            ]
        );
        // A step of the same label but another status differs.
        assert_eq!(
            compare(&[step("x", Some("200"))], &[step("x", Some("401"))]),
            vec![Pair::Left(0), Pair::Right(0)]
        );
        assert_eq!(compare(&[], &[]), vec![]);
        assert_eq!(
            compare(&a, &a)
                .iter()
                .filter(|p| matches!(p, Pair::Both(..)))
                .count(),
            4
        );
    }
}
