//! The one in-memory browser⇄IIS driver: a [`Pair`] of a browser and the IIS engine (`iis::host`)
//! that sends requests, carries out an NTLM handshake and steps the Basic browser
//! (`browser::basic`), and records what crosses between them as [`Event`]s. The lab's visits
//! ([`visit`]) and every walkthrough use it, so a walkthrough holds only its narration. In the
//! spirit of quinn-proto's test `Pair`: nothing is read from the world, everything that varies is
//! a knob (the connection, the seed of the random bytes, the clock).
//!
//! ```text
//!  narration ──request/handshake/drive──► Pair ──Request──► Host (IIS engine)
//!      ▲                                   │◄──Response──────┘
//!      └──────────── Event::Sent / Event::Reconnected ◄┘ (Connection: close → next connection)
//! ```

pub mod visit;

use crate::basic::Charset;
use crate::browser::basic::{BasicBrowser, Context, Event as BrowserEvent, Input, Outcome};
use crate::field::b64;
use crate::http::{Choice, Scheme};
use crate::iis::host::Host;
use crate::iis::{Request, Response};
use crate::ntlm::client::{ClientOs, Credentials, Entropy, Input as NtlmInput, Mode, NtlmClient};
use crate::seq::{Lane, Step, StepKind};
use base64::Engine;

/// One request and IIS's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub request: Request,
    pub response: Response,
}

impl Exchange {
    /// The request as a step of the diagram (browser → IIS), with its text and connection: the
    /// narration adds its title and words.
    pub fn request_step(&self, label: String, title: &str) -> Step {
        let mut s = Step::new(StepKind::Request, Lane::Browser, Lane::Iis, label, title);
        s.http = Some(self.request.to_http());
        s.connection = Some(self.request.connection);
        s
    }

    /// IIS's answer as a step (IIS → browser), with its text, status, W3C log line, IIS's
    /// decisions and the connection.
    pub fn response_step(&self, label: String, title: String) -> Step {
        let r = &self.response;
        let mut s = Step::new(StepKind::Response, Lane::Iis, Lane::Browser, label, title);
        s.http = Some(r.to_http());
        s.status = Some(r.status_text());
        s.log = Some(r.log.format());
        s.trace = r.trace.clone();
        s.connection = Some(self.request.connection);
        s.events = r.events.iter().map(|e| e.text()).collect();
        s
    }

    /// The token of the request's `Authorization` header (what follows the scheme).
    pub fn request_token(&self) -> Option<String> {
        self.request
            .header("Authorization")
            .and_then(|a| a.split_once(' '))
            .map(|(_, t)| t.to_string())
    }
}

/// What an NTLM leg carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carries {
    /// No NTLM message (an anonymous request, Basic credentials, a Kerberos ticket).
    Other,
    /// The NTLM NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1).
    Negotiate,
    /// The NTLM AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3).
    Authenticate,
}

/// What crossed between the browser and IIS, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Sent {
        exchange: Box<Exchange>,
        carries: Carries,
        /// The connection IIS saw the request on, when a pooling proxy chose it.
        upstream: Option<u64>,
    },
    /// The response closed connection `closed` (`Connection: close`): the next request goes on
    /// `opened`.
    Reconnected { closed: u64, opened: u64 },
}

/// What byte 1 of IIS's 8-byte NTLM challenge counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Every request sent.
    Requests,
    /// The handshake attempt (0 before the first).
    Attempts,
}

/// The browser's NTLM randomness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientSeed {
    /// A client challenge and session key that vary with the attempt.
    PerAttempt,
    /// The same bytes every time.
    Fixed {
        challenge: [u8; 8],
        session_key: [u8; 16],
    },
}

/// The seed of every "random" byte of a run, so that a run is the same every time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seed {
    /// IIS's server challenge, byte 1 replaced by the [`Count`].
    pub server: [u8; 8],
    pub count: Count,
    pub client: ClientSeed,
}

impl Seed {
    /// The lab's visits.
    pub const LAB: Seed = Seed {
        server: [0x1a, 0, 0x6b, 0x11, 0x05, 0x0c, 0xe5, 0x5e],
        count: Count::Requests,
        client: ClientSeed::PerAttempt,
    };

    fn client_entropy(self, attempt: u8) -> Entropy {
        let (client_challenge, random_session_key) = match self.client {
            ClientSeed::PerAttempt => (
                [0xc1, attempt, 0x1e, 0x47, 0x0c, 0xa1, 0x1e, 0x2e],
                [0x40 ^ attempt; 16],
            ),
            ClientSeed::Fixed {
                challenge,
                session_key,
            } => (challenge, session_key),
        };
        Entropy {
            client_challenge,
            random_session_key,
            now_filetime: 0,
        }
    }
}

/// The browser side's fixed facts: what it asks for, as whom it introduces itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Browser {
    pub profile: crate::http::Profile,
    pub user_agent: String,
    /// The request target (`/lab/<site>/…`).
    pub target: String,
}

/// What the user does when the Basic browser asks.
#[derive(Clone, Copy, Debug)]
pub enum Answer<'a> {
    Credentials { user: &'a str, password: &'a str },
    Cancel,
}

/// What [`Pair::drive`] reports as the Basic browser runs.
#[derive(Debug)]
pub enum Moment<'a> {
    /// A request went and IIS answered; `reconnected` when the answer closed the connection.
    Exchanged {
        exchange: &'a Exchange,
        reconnected: Option<(u64, u64)>,
    },
    /// The browser read the challenges and chose.
    Chose(&'a Choice),
    /// The credential dialog: the caller answers.
    Prompt {
        attempt: u8,
        limit: Option<u8>,
        realm: &'a str,
        previous_failed: bool,
        charset: Charset,
    },
    /// The browser is done and shows `outcome`.
    Show(&'a Outcome),
}

/// A browser and an IIS host, in memory. See the module doc.
pub struct Pair<'h> {
    pub host: &'h mut Host,
    /// The browser's fixed facts, and the clock (`now`, IIS's, Unix seconds) stamped on every
    /// request.
    pub browser: Context,
    /// The browser's current TCP connection.
    pub conn: u64,
    pub seed: Seed,
    /// The Windows the browser's NTLM speaks as (its version and LmCompatibilityLevel):
    /// Windows XP at level 0 for Internet Explorer 6, today's Windows for the others.
    pub client_os: ClientOs,
    requests: u8,
    attempt: u8,
    events: Vec<Event>,
}

fn closes(r: &Response) -> bool {
    r.header_values("Connection")
        .iter()
        .any(|c| c.eq_ignore_ascii_case("close"))
}

impl<'h> Pair<'h> {
    /// A pair on connection 1.
    pub fn new(host: &'h mut Host, browser: Browser, now: i64, seed: Seed) -> Pair<'h> {
        let browser = Context {
            profile: browser.profile,
            host: host.site.host.clone(),
            target: browser.target,
            user_agent: browser.user_agent,
            now,
        };
        let client_os = match browser.profile {
            crate::http::Profile::Ie6 => ClientOs::XP,
            _ => ClientOs::TODAY,
        };
        Pair {
            host,
            browser,
            conn: 1,
            seed,
            client_os,
            requests: 0,
            attempt: 0,
            events: Vec::new(),
        }
    }

    /// What was recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// A GET of the browser's target, with `authorization` (sent on the current connection).
    pub fn request(&self, authorization: Option<String>) -> Request {
        self.browser.request(authorization)
    }

    /// Sends `req` on the current connection and records it; when the answer closes the
    /// connection, the next request goes on a new one (as a browser's would).
    pub fn send(&mut self, req: Request) -> Response {
        self.send_carrying(req, Carries::Other)
    }

    fn send_carrying(&mut self, req: Request, carries: Carries) -> Response {
        let (exchange, upstream, moved) = self.exchange(req);
        let response = exchange.response.clone();
        self.events.push(Event::Sent {
            exchange: Box::new(exchange),
            carries,
            upstream,
        });
        if let Some((closed, opened)) = moved {
            self.events.push(Event::Reconnected { closed, opened });
        }
        response
    }

    /// Sends `req` on the current connection without recording it: the exchange, the connection
    /// IIS saw it on behind a pooling proxy, and `(closed, opened)` when the answer closed the
    /// connection and the browser moved to a new one.
    fn exchange(&mut self, mut req: Request) -> (Exchange, Option<u64>, Option<(u64, u64)>) {
        req.connection = self.conn;
        self.requests = self.requests.wrapping_add(1);
        let mut challenge = self.seed.server;
        challenge[1] = match self.seed.count {
            Count::Requests => self.requests,
            Count::Attempts => self.attempt,
        };
        let response = self.host.handle(&req, challenge);
        let upstream = self.host.last_upstream();
        let moved = closes(&response).then(|| self.reconnect());
        (
            Exchange {
                request: req,
                response,
            },
            upstream,
            moved,
        )
    }

    /// The browser leaves its connection for a new one (the caller says why): `(closed, opened)`.
    pub fn reconnect(&mut self) -> (u64, u64) {
        self.host.close(self.conn);
        let closed = self.conn;
        self.conn += 1;
        (closed, self.conn)
    }

    /// One NTLM handshake (MS-NLMP 3.1.5): NEGOTIATE, IIS's CHALLENGE, AUTHENTICATE, in the
    /// `scheme` header (`NTLM`, or `Negotiate` carrying raw NTLMSSP). Returns IIS's last answer:
    /// the verdict, or the answer to NEGOTIATE when it held no CHALLENGE to answer.
    pub fn handshake(
        &mut self,
        scheme: Scheme,
        creds: &Credentials,
        attempt: u8,
    ) -> Option<Response> {
        self.attempt = attempt;
        let name = scheme.name();
        let os = self.client_os;
        let (client, negotiate) = NtlmClient::new(creds.clone(), Mode::level(os.level))
            .with_version(os.version)
            .step(NtlmInput::Begin)
            .ok()?;
        let first = self.send_carrying(
            self.request(Some(format!("{name} {}", b64(&negotiate)))),
            Carries::Negotiate,
        );
        let challenge = first
            .challenge_token()
            .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok());
        let Some(challenge) = challenge else {
            return Some(first);
        };
        Some(
            match client.step(NtlmInput::Challenge {
                bytes: &challenge,
                entropy: self.seed.client_entropy(attempt),
            }) {
                Ok((_, auth)) => self.send_carrying(
                    self.request(Some(format!("{name} {}", b64(&auth)))),
                    Carries::Authenticate,
                ),
                Err(_) => first,
            },
        )
    }

    /// Runs the Basic browser from its first, anonymous request to what it shows, reporting each
    /// [`Moment`] to `on` (which answers the dialogs); its exchanges go to `on`, not to the
    /// events. Returns how it ended.
    pub fn drive<'u>(&mut self, mut on: impl FnMut(Moment<'_>) -> Answer<'u>) -> Outcome {
        let ctx = self.browser.clone();
        let (mut state, mut pending) = match BasicBrowser::new(ctx).begin() {
            Ok(x) => x,
            Err(_) => return Outcome::OtherStatus(0),
        };
        // Bounded: every turn consumes an event and the browser stops after its last attempt
        // (or when the user cancels).
        for _ in 0..64 {
            let Some(event) = (!pending.is_empty()).then(|| pending.remove(0)) else {
                break;
            };
            let next = match event {
                // Reported to `on` as it happens, not recorded as events.
                BrowserEvent::Send(req) => {
                    let (exchange, _, reconnected) = self.exchange(req);
                    on(Moment::Exchanged {
                        exchange: &exchange,
                        reconnected,
                    });
                    state.step(Input::Response(&exchange.response))
                }
                BrowserEvent::Chose(choice) => {
                    on(Moment::Chose(&choice));
                    continue;
                }
                BrowserEvent::Prompt {
                    attempt,
                    limit,
                    realm,
                    previous_failed,
                } => {
                    let charset = match &state {
                        BasicBrowser::ExpectCredentials { charset, .. } => *charset,
                        _ => self.browser.profile.basic_charset(),
                    };
                    let answer = on(Moment::Prompt {
                        attempt,
                        limit,
                        realm: &realm,
                        previous_failed,
                        charset,
                    });
                    match answer {
                        Answer::Credentials { user, password } => {
                            state.step(Input::Credentials { user, password })
                        }
                        Answer::Cancel => state.step(Input::Cancel),
                    }
                }
                BrowserEvent::Show { outcome } => {
                    on(Moment::Show(&outcome));
                    continue;
                }
            };
            match next {
                Ok((s, ev)) => {
                    state = s;
                    pending.extend(ev);
                }
                Err(_) => return Outcome::OtherStatus(0),
            }
        }
        match state {
            BasicBrowser::Done(o) => o,
            _ => Outcome::OtherStatus(0),
        }
    }
}
