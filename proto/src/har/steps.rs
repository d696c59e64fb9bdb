//! An exchange's entries as walkthrough steps (the page plays them like a walkthrough).

use super::analysis::{path_of, scheme_of, substatus, token_kind, token_of};
use super::entries::Entry;
use crate::seq::{Lane, Step, StepKind};

pub(super) fn steps(list: &[&Entry], ids: bool) -> Vec<Step> {
    let mut out = Vec::new();
    let mut last_conn: Option<&str> = None;
    for e in list {
        if ids {
            if let Some(c) = e.connection.as_deref() {
                if last_conn.is_some_and(|l| l != c) || last_conn.is_none() {
                    let mut s = Step::new(
                        StepKind::Connection,
                        Lane::Browser,
                        Lane::Browser,
                        format!("connection {c}"),
                        format!("Connection {c}"),
                    );
                    s.narration = match last_conn {
                        Some(l) => format!("The next request goes on connection {c}, not {l}."),
                        None => format!("The exchange starts on connection {c}."),
                    };
                    out.push(s);
                }
                last_conn = Some(c);
            }
        }
        let creds = e
            .request_values("authorization")
            .into_iter()
            .chain(e.request_values("proxy-authorization"))
            .next()
            .map(str::to_string);
        let what = creds.as_deref().map(token_kind);
        let label = match &what {
            Some(w) => format!("{} {} + {w}", e.method, path_of(&e.url)),
            None => format!("{} {}", e.method, path_of(&e.url)),
        };
        let mut rq = Step::new(
            StepKind::Request,
            Lane::Browser,
            Lane::Server,
            label,
            format!("Entry {}: {} {}", e.index + 1, e.method, e.url),
        );
        rq.narration = match &what {
            Some(w) => format!("The browser sends {w}."),
            None => "The browser asks without credentials.".to_string(),
        };
        rq.http = Some(e.request_text());
        rq.url = Some(e.url.clone());
        rq.token = creds.as_deref().and_then(token_of);
        rq.basic = None;
        let conn = e
            .connection
            .as_deref()
            .and_then(|c| c.parse().ok())
            .filter(|_| ids);
        rq.connection = conn;
        if e.started.is_empty() {
            rq.explanation = Vec::new();
        } else {
            rq.explanation = vec![format!("Started {}.", e.started)];
        }
        out.push(rq);
        let challenges: Vec<&str> = e
            .response_values("www-authenticate")
            .into_iter()
            .chain(e.response_values("proxy-authenticate"))
            .collect();
        let token = challenges.iter().find_map(|c| token_of(c));
        let sub = substatus(e.status, &e.body);
        let status = sub.clone().unwrap_or_else(|| e.status.to_string());
        let label = match (&token, challenges.is_empty()) {
            (Some(t), _) => format!("{status} + {}", token_kind(t)),
            (None, false) => format!(
                "{status}: {}",
                challenges
                    .iter()
                    .map(|c| scheme_of(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (None, true) => format!("{status} {}", e.status_text),
        };
        let mut rs = Step::new(
            StepKind::Response,
            Lane::Server,
            Lane::Browser,
            label,
            format!("Entry {}: {} {}", e.index + 1, e.status, e.status_text),
        );
        rs.narration = if challenges.is_empty() {
            format!("The server answers {status}.")
        } else {
            format!(
                "The server answers {status} and offers {}.",
                challenges
                    .iter()
                    .map(|c| scheme_of(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        rs.status = Some(status);
        rs.http = Some(e.response_text());
        rs.token = token;
        rs.connection = conn;
        out.push(rs);
    }
    out
}
