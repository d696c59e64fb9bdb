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
