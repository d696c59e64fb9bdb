//! The browser's side of Basic authentication (RFC 7617) as a state machine: it reads a 401,
//! picks a scheme with its profile's rules (`http::Profile::choose`), asks for credentials, counts
//! attempts (Internet Explorer stops after three: IIS 6 guide, "Basic authentication") and says
//! what it shows in the end. It emits [`Event`]s for a driver to carry out; `drive::Pair` is the
//! driver.

use crate::basic::{self, Charset};
use crate::http::{self, Profile, Scheme, Source};
use crate::iis::{Request, Response};
use serde::Serialize;

/// How a Basic exchange ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The site let the anonymous request in.
    Anonymous,
    /// Credentials were accepted (`DOMAIN\user`).
    Authorized(String),
    /// The browser stopped after `attempts` rejected attempts (Internet Explorer: three).
    GaveUp { attempts: u8 },
    /// The user cancelled the dialog after `attempts` rejected attempts.
    Cancelled { attempts: u8 },
    /// The 401 offered nothing the browser could use: it shows the 401 page at once.
    NoUsableChallenge,
    /// The browser chose another scheme (covered by another walkthrough).
    OtherScheme(Scheme),
    /// The credentials could not be encoded (a user-id with `:`, a control character).
    BadCredentials(String),
    /// A response that is neither 2xx nor 401.
    OtherStatus(u16),
}

impl Outcome {
    /// The user the browser ended up logged on as, if any.
    pub fn authorized_user(&self) -> Option<&str> {
        match self {
            Outcome::Authorized(u) => Some(u),
            _ => None,
        }
    }
}

/// What the browser does, for the driver to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Send(Request),
    Chose(Box<http::Choice>),
    /// Show the credential dialog for `realm`.
    Prompt {
        attempt: u8,
        limit: Option<u8>,
        realm: String,
        previous_failed: bool,
    },
    Show {
        outcome: Outcome,
    },
}

/// What comes in to the browser.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Response(&'a Response),
    Credentials { user: &'a str, password: &'a str },
    Cancel,
}

/// An input the current state does not accept, naming what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpected {
    pub expected: &'static str,
    pub got: &'static str,
}

impl std::fmt::Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.got)
    }
}

/// Fixed facts of one browsing session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub profile: Profile,
    pub host: String,
    pub target: String,
    pub user_agent: String,
    pub now: i64,
}

impl Context {
    /// A GET of the target as this browser sends it (on connection 1: the driver puts it on its
    /// current one), with `authorization`.
    pub fn request(&self, authorization: Option<String>) -> Request {
        let mut r = Request::get(&self.target, &self.host, 1, self.now);
        r.headers
            .push(("User-Agent".into(), self.user_agent.clone()));
        if let Some(a) = authorization {
            r.headers.push(("Authorization".into(), a));
        }
        r
    }
}

/// The browser's side of Basic authentication.
///
/// ```text
///  Start ──begin──► ExpectChallenge ──2xx──────────────────────────────► Done(Anonymous)
///                        │ └──401, nothing usable / another scheme──────► Done(…)
///                        └──401 + Basic──► ExpectCredentials{n=1}
///  ExpectCredentials{n} ──credentials──► ExpectVerdict{n} ──2xx──────────► Done(Authorized)
///        │                                   └──401──► n < limit ? ExpectCredentials{n+1}
///        └──cancel──► Done(Cancelled)                    : Done(GaveUp)   (IE: limit = 3)
/// ```
/// It is the browser, not IIS, that counts attempts: IIS answers each request on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasicBrowser {
    Start(Context),
    ExpectChallenge(Context),
    ExpectCredentials {
        ctx: Context,
        attempt: u8,
        realm: String,
        charset: Charset,
    },
    ExpectVerdict {
        ctx: Context,
        attempt: u8,
        realm: String,
        charset: Charset,
    },
    Done(Outcome),
}

impl BasicBrowser {
    pub fn new(ctx: Context) -> Self {
        BasicBrowser::Start(ctx)
    }

    /// The first request (anonymous, as browsers start).
    pub fn begin(self) -> Result<(Self, Vec<Event>), Unexpected> {
        match self {
            BasicBrowser::Start(ctx) => {
                let req = ctx.request(None);
                Ok((BasicBrowser::ExpectChallenge(ctx), vec![Event::Send(req)]))
            }
            other => Err(Unexpected {
                expected: other.expects(),
                got: "begin",
            }),
        }
    }

    /// What this state waits for.
    pub fn expects(&self) -> &'static str {
        match self {
            BasicBrowser::Start(_) => "begin",
            BasicBrowser::ExpectChallenge(_) | BasicBrowser::ExpectVerdict { .. } => "a response",
            BasicBrowser::ExpectCredentials { .. } => "credentials or cancel",
            BasicBrowser::Done(_) => "nothing (done)",
        }
    }

    pub fn step(self, input: Input<'_>) -> Result<(Self, Vec<Event>), Unexpected> {
        let got = match input {
            Input::Response(_) => "a response",
            Input::Credentials { .. } => "credentials",
            Input::Cancel => "cancel",
        };
        match (self, input) {
            (BasicBrowser::ExpectChallenge(ctx), Input::Response(r)) => {
                Ok(on_first_response(ctx, r))
            }
            (
                BasicBrowser::ExpectCredentials {
                    ctx,
                    attempt,
                    realm,
                    charset,
                },
                Input::Credentials { user, password },
            ) => match basic::encode(user, password, charset) {
                Ok(c) => {
                    let req = ctx.request(Some(c.header_value));
                    Ok((
                        BasicBrowser::ExpectVerdict {
                            ctx,
                            attempt,
                            realm,
                            charset,
                        },
                        vec![Event::Send(req)],
                    ))
                }
                Err(e) => {
                    let outcome = Outcome::BadCredentials(e.to_string());
                    Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ))
                }
            },
            (BasicBrowser::ExpectCredentials { attempt, .. }, Input::Cancel) => {
                let outcome = Outcome::Cancelled {
                    attempts: attempt.saturating_sub(1),
                };
                Ok((
                    BasicBrowser::Done(outcome.clone()),
                    vec![Event::Show { outcome }],
                ))
            }
            (
                BasicBrowser::ExpectVerdict {
                    ctx,
                    attempt,
                    realm,
                    charset,
                },
                Input::Response(r),
            ) => {
                if (200..300).contains(&r.status) {
                    let outcome = Outcome::Authorized(r.user.clone().unwrap_or_default());
                    return Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ));
                }
                if r.status != 401 {
                    let outcome = Outcome::OtherStatus(r.status);
                    return Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ));
                }
                let limit = ctx.profile.basic_attempt_limit();
                if limit.is_some_and(|l| attempt >= l) {
                    let outcome = Outcome::GaveUp { attempts: attempt };
                    return Ok((
                        BasicBrowser::Done(outcome.clone()),
                        vec![Event::Show { outcome }],
                    ));
                }
                let next = attempt.saturating_add(1);
                let ev = Event::Prompt {
                    attempt: next,
                    limit,
                    realm: realm.clone(),
                    previous_failed: true,
                };
                Ok((
                    BasicBrowser::ExpectCredentials {
                        ctx,
                        attempt: next,
                        realm,
                        charset,
                    },
                    vec![ev],
                ))
            }
            (state, _) => Err(Unexpected {
                expected: state.expects(),
                got,
            }),
        }
    }
}

fn on_first_response(ctx: Context, r: &Response) -> (BasicBrowser, Vec<Event>) {
    if (200..300).contains(&r.status) {
        let outcome = Outcome::Anonymous;
        return (
            BasicBrowser::Done(outcome.clone()),
            vec![Event::Show { outcome }],
        );
    }
    if r.status != 401 {
        let outcome = Outcome::OtherStatus(r.status);
        return (
            BasicBrowser::Done(outcome.clone()),
            vec![Event::Show { outcome }],
        );
    }
    let source = Source::from_values(&r.header_values("WWW-Authenticate"));
    let parsed = http::parse(&source);
    let choice = ctx.profile.choose(&source, &parsed);
    let chosen = choice.chosen_seen().cloned();
    let mut events = vec![Event::Chose(Box::new(choice))];
    let outcome = match chosen {
        None => Outcome::NoUsableChallenge,
        Some(s) if s.kind == Some(Scheme::Basic) => {
            let realm = s.realm.clone().unwrap_or_default();
            let charset = ctx.profile.basic_charset();
            let limit = ctx.profile.basic_attempt_limit();
            events.push(Event::Prompt {
                attempt: 1,
                limit,
                realm: realm.clone(),
                previous_failed: false,
            });
            return (
                BasicBrowser::ExpectCredentials {
                    ctx,
                    attempt: 1,
                    realm,
                    charset,
                },
                events,
            );
        }
        Some(s) => Outcome::OtherScheme(s.kind.unwrap_or(Scheme::Negotiate)),
    };
    events.push(Event::Show {
        outcome: outcome.clone(),
    });
    (BasicBrowser::Done(outcome), events)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_state_machine_rejects_inputs_out_of_order() {
        let ctx = Context {
            profile: Profile::Ie6,
            host: "h".into(),
            target: "/".into(),
            user_agent: "ua".into(),
            now: 0,
        };
        let err = BasicBrowser::new(ctx).step(Input::Cancel).unwrap_err();
        assert_eq!(
            err,
            Unexpected {
                expected: "begin",
                got: "cancel"
            }
        );
    }
}
