//! The Headers lab: paste `WWW-Authenticate` values or a whole response header block, see every
//! challenge with the characters it came from, the diagnostics, and every browser profile's
//! choice side by side with its reasons.

use crate::components::paste_box::{paste_box, Props as PasteProps};
use crate::components::source_view::{source_view, Props as SourceProps};
use proto::http::integrated::{self, Logon, Os, Setup};
use proto::http::{self, Level, Profile, Scheme, Source};
use proto::Span;
use std::rc::Rc;
use yew::prelude::*;

/// Examples a learner can load with one click: (label, text).
const SAMPLES: &[(&str, &str)] = &[
    (
        "IIS 6: Integrated + Basic",
        "HTTP/1.1 401 Unauthorized\nServer: Microsoft-IIS/6.0\nWWW-Authenticate: Negotiate\nWWW-Authenticate: NTLM\nWWW-Authenticate: Basic realm=\"web01.contoso.com\"\nContent-Type: text/html",
    ),
    ("Basic before NTLM", "WWW-Authenticate: Basic realm=\"corp\"\nWWW-Authenticate: NTLM"),
    ("RFC 9110 example", "Basic realm=\"simple\", Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\""),
    ("Two on one line", "Newauth realm=\"newauth\", Basic realm=\"basic\""),
    ("Tolerated mistakes", "Basic realm=foobar@baz.com, realm=\"second\""),
    ("NTLM inside Negotiate", "WWW-Authenticate: Negotiate TlRMTVNTUAACAAAAAAAAACgAAAABggAAU3J2Tm9uY2UAAAAAAAAAAA=="),
    ("Bearer, Negotiate", "Bearer, Negotiate"),
];

/// Everything the lab shows, computed by `proto` from the text.
struct Analysis {
    source: Source,
    parsed: http::Parsed,
    choices: Vec<http::Choice>,
}

fn analyse(text: &str) -> Analysis {
    let source = Source::from_paste(text);
    let parsed = http::parse(&source);
    let choices = Profile::ALL
        .iter()
        .map(|p| p.choose(&source, &parsed))
        .collect();
    Analysis {
        source,
        parsed,
        choices,
    }
}

#[function_component(HeadersLab)]
pub fn headers_lab() -> Html {
    // The headers are in the link (challenges hold no secret; a pasted Authorization is not kept).
    let text = use_state(|| {
        crate::link::param("h")
            .unwrap_or_else(|| SAMPLES.first().map(|s| s.1).unwrap_or("").to_string())
    });
    // Where the browsers run and whom they log on as: what decides Negotiate and NTLM.
    let url = use_state(|| crate::link::param("url").unwrap_or_else(|| "http://web01/".into()));
    let os = use_state(|| {
        crate::link::param("os")
            .and_then(|o| Os::from_id(&o))
            .unwrap_or(Os::Windows)
    });
    let logon = use_state(|| Logon::Domain { ticket: true });
    // The link keeps the URL's host only (a URL may hold a user name and password).
    crate::link::use_permalink(vec![
        (
            "h",
            if text.to_ascii_lowercase().contains("authorization") {
                String::new()
            } else {
                (*text).clone()
            },
        ),
        ("url", format!("http://{}/", integrated::host_of(&url))),
        ("os", os.id().to_string()),
    ]);
    let hover = use_state(|| Option::<Span>::None);
    let analysis = use_memo((*text).clone(), |t| analyse(t));
    let a = &*analysis;
    let spans: Rc<Vec<Span>> = Rc::new(a.parsed.challenges.iter().map(|c| c.span).collect());
    let broken: Rc<Vec<usize>> = Rc::new(
        a.parsed
            .challenges
            .iter()
            .enumerate()
            .filter(|(_, c)| c.broken)
            .map(|(i, _)| i)
            .collect(),
    );
    let select_challenge = {
        let hover = hover.clone();
        let spans = spans.clone();
        Callback::from(move |i: Option<usize>| hover.set(i.and_then(|i| spans.get(i).copied())))
    };
    let highlight = |span: Span| {
        let (on, off) = (hover.clone(), hover.clone());
        (
            Callback::from(move |_: MouseEvent| on.set(Some(span))),
            Callback::from(move |_: MouseEvent| off.set(None)),
        )
    };
    let source_text = Rc::new(a.source.text.clone());

    let challenges: Html = a
        .parsed
        .challenges
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (enter, leave) = highlight(c.span);
            let body = match &c.token68 {
                Some(t) => html! { <span class="token68" title="token68">{ t.value.clone() }</span> },
                None => html! {
                    <span class="params">{ for c.params.iter().map(|p| {
                        let (enter, leave) = highlight(p.span);
                        html! {
                            <span class="param" onmouseenter={enter} onmouseleave={leave}>
                                <b>{ p.name.clone() }</b>{ "=" }<q class={classes!((!p.quoted).then_some("unquoted"))}>{ p.value.clone() }</q>
                            </span>
                        }
                    }) }</span>
                },
            };
            html! {
                <li class={classes!("challenge", format!("ch{}", i % 6), c.broken.then_some("broken"))}
                    onmouseenter={enter} onmouseleave={leave} data-test="challenge" tabindex="0">
                    <span class="idx">{ format!("#{i}") }</span>
                    <span class="scheme">{ c.scheme.clone() }</span>
                    { body }
                    <span class="where">{ format!("header {}, bytes {}–{}", c.field + 1, c.span.start(), c.span.end()) }</span>
                    { if c.broken { html! { <span class="badge bad">{ "breaks the RFC" }</span> } } else { Html::default() } }
                </li>
            }
        })
        .collect();

    let diagnostics: Html = a
        .parsed
        .diagnostics
        .iter()
        .map(|d| {
            let (enter, leave) = highlight(d.span);
            let (icon, class) = match d.level {
                Level::Error => ("✖", "error"),
                Level::Warning => ("⚠", "warning"),
                Level::Note => ("ℹ", "note"),
            };
            let snippet = d.span.slice(&a.source.text).to_string();
            html! {
                <li class={classes!("diag", class)} onmouseenter={enter} onmouseleave={leave} data-test="diagnostic" tabindex="0">
                    <span class="icon" aria-label={class}>{ icon }</span>
                    <span class="msg">{ d.message.clone() }</span>
                    { if snippet.is_empty() { Html::default() } else { html! { <code class="snip">{ snippet }</code> } } }
                </li>
            }
        })
        .collect();

    // The decision matters when the browser's choice is an integrated scheme.
    let integrated_offered = |c: &http::Choice| {
        matches!(
            c.chosen_seen().and_then(|s| s.kind),
            Some(Scheme::Ntlm | Scheme::Negotiate)
        )
    };
    let decision = |c: &http::Choice| {
        let setup = Setup {
            profile: c.profile,
            os: *os,
            host: integrated::host_of(&url),
            logon: *logon,
            policy: integrated::Policy::default(),
        };
        integrated::decide(&setup, c)
    };
    let profiles: Html = a
        .choices
        .iter()
        .map(|c| {
            let integrated_view = if integrated_offered(c) {
                let d = decision(c);
                let what = match (d.scheme, d.credentials) {
                    (Some(s), Some(integrated::Credentials::Silent)) => format!("{} silently", s.name()),
                    (Some(s), _) => format!("{} after a credential dialog", s.name()),
                    (None, _) => "no integrated scheme".to_string(),
                };
                html! {
                    <details class="why" data-test="integrated">
                        <summary>{ format!("Windows authentication here: {what}") }</summary>
                        <ul>{ for d.rules.iter().map(|r| html! {
                            <li>{ r.text.clone() }<br /><span class="cite">{ format!("{}: {}", r.basis.name(), r.source) }</span></li>
                        }) }</ul>
                    </details>
                }
            } else {
                Html::default()
            };
            let chosen = c.chosen_seen();
            let headline = match chosen {
                Some(s) => {
                    let name = s.kind.map(|k| k.name().to_string()).unwrap_or_else(|| s.scheme.clone());
                    match &s.realm {
                        Some(r) => format!("{name} (realm \"{r}\")"),
                        None => name,
                    }
                }
                None => "nothing: no prompt".to_string(),
            };
            let (enter, leave) = highlight(chosen.map(|s| s.span).unwrap_or_default());
            html! {
                <section class={classes!("profile", chosen.is_none().then_some("none"))} data-test={format!("profile-{}", c.profile.id())}
                         onmouseenter={enter} onmouseleave={leave}>
                    <h4>{ c.profile.name() }</h4>
                    <p class="chosen" data-test="chosen">{ headline }</p>
                    <ul class="reasons">{ for c.reasons.iter().skip(1).map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
                    { integrated_view }
                    <details>
                        <summary>{ "How it reads the header" }</summary>
                        <p>{ c.reasons.first().cloned().unwrap_or_default() }</p>
                        <ol class="seen">{ for c.seen.iter().map(|s| {
                            let (enter, leave) = highlight(s.span);
                            let what = match (&s.realm, &s.token) {
                                (Some(r), _) => format!("scheme \"{}\", realm \"{}\"", s.scheme, r),
                                (None, Some(_)) => format!("scheme \"{}\" with a token", s.scheme),
                                (None, None) => format!("scheme \"{}\"", s.scheme),
                            };
                            html! { <li onmouseenter={enter} onmouseleave={leave}>{ what }{ s.unusable.as_ref().map(|u| format!(": {u}")).unwrap_or_default() }</li> }
                        }) }</ol>
                    </details>
                </section>
            }
        })
        .collect();

    let samples: Vec<(&'static str, String)> =
        SAMPLES.iter().map(|(l, t)| (*l, t.to_string())).collect();

    let fields = a.source.fields.len();
    html! {
        <div class="page lab">
            <h1>{ "Headers lab" }</h1>
            <p class="lede">{ "Paste WWW-Authenticate values (one header per line) or a whole response header block. authscope reads them the way RFC 9110 does and the way each browser does." }</p>
            { paste_box(&PasteProps { label: "Response headers or WWW-Authenticate values", test: "headers-input", rows: 6, samples, text: text.clone() }) }
            <p class="summary" data-test="summary" role="status">
                { format!("{} header field{}, {} challenge{}", fields, if fields == 1 { "" } else { "s" }, a.parsed.challenges.len(), if a.parsed.challenges.len() == 1 { "" } else { "s" }) }
                { if a.source.skipped_lines > 0 { format!("; {} other header line{} ignored", a.source.skipped_lines, if a.source.skipped_lines == 1 { "" } else { "s" }) } else { String::new() } }
            </p>
            { source_view(&SourceProps { text: source_text, challenges: spans, broken, selected: *hover, on_select: select_challenge }) }
            <div class="columns">
                <section aria-labelledby="ch-h">
                    <h3 id="ch-h">{ "Challenges (RFC 9110 reading)" }</h3>
                    { if a.parsed.challenges.is_empty() { html! { <p class="empty">{ "No challenge." }</p> } } else { html! { <ol class="challenges">{ challenges }</ol> } } }
                </section>
                <section aria-labelledby="dg-h">
                    <h3 id="dg-h">{ "Diagnostics" }</h3>
                    { if a.parsed.diagnostics.is_empty() { html! { <p class="empty">{ "Nothing to report." }</p> } } else { html! { <ul class="diagnostics">{ diagnostics }</ul> } } }
                </section>
            </div>
            <h3>{ "What each browser answers" }</h3>
            <div class="form" data-test="browser-setting">
                <label>{ "URL (its host decides zones and allow-lists)" }
                    <input type="text" data-test="headers-url" value={(*url).clone()} oninput={{
                        let url = url.clone();
                        Callback::from(move |e: InputEvent| url.set(crate::components::form::value_of(&e)))
                    }} />
                </label>
                <label>{ "Chromium and Firefox run on" }
                    <select data-test="headers-os" onchange={{
                        let os = os.clone();
                        Callback::from(move |e: Event| os.set(Os::from_id(&crate::components::form::value_of(&e)).unwrap_or(Os::Windows)))
                    }}>
                        { for Os::ALL.into_iter().map(|o| html! { <option value={o.id()} selected={*os == o}>{ o.name() }</option> }) }
                    </select>
                </label>
                <label>{ "The user" }
                    <select data-test="headers-logon" onchange={{
                        let logon = logon.clone();
                        Callback::from(move |e: Event| logon.set(match crate::components::form::value_of(&e).as_str() {
                            "domain" => Logon::Domain { ticket: true },
                            "no-ticket" => Logon::Domain { ticket: false },
                            _ => Logon::Local,
                        }))
                    }}>
                        <option value="domain" selected={*logon == (Logon::Domain { ticket: true })}>{ "is logged on to the domain (Kerberos works)" }</option>
                        <option value="no-ticket" selected={*logon == (Logon::Domain { ticket: false })}>{ "is logged on to the domain, no ticket for this site" }</option>
                        <option value="local" selected={*logon == Logon::Local}>{ "is not a domain user" }</option>
                    </select>
                </label>
            </div>
            <div class="profiles">{ profiles }</div>
        </div>
    }
}
