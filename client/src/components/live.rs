//! Live mode: the NTLM handshake run from this page with `fetch` against the real endpoint
//! (`authscope serve`, same origin). `credentials: "omit"` keeps the browser from answering the
//! 401s itself, so the page sees and sends every token. The password stays in this component.

use crate::components::layer_view::LayerView;
use proto::ntlm::client::{self, Credentials, Entropy, Mode, WINDOWS_XP};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// One real request and its response.
#[derive(Clone, PartialEq)]
struct Leg {
    request: String,
    status: u16,
    connection: String,
    /// Through the relay: the upstream connection that carried the leg.
    upstream: Option<String>,
    /// Through the relay: the response head as the server sent it.
    response: Option<String>,
    /// Through the relay: the response fields the relay did not let act on this page's origin
    /// (cookies, CORS grants, …).
    dropped: Option<String>,
    authenticate: Vec<String>,
    token: Option<String>,
}

/// One `fetch` from this page with `fields` (name, value; `None` values left out) and
/// `credentials: "omit"`, so that the browser never answers a 401 itself; `unreachable` is the
/// message when nothing answers.
async fn send(
    method: &str,
    url: &str,
    fields: &[(&str, Option<&str>)],
    unreachable: &str,
) -> Result<web_sys::Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let headers = web_sys::Headers::new().map_err(|_| "headers")?;
    for (name, value) in fields {
        if let Some(v) = value {
            headers.set(name, v).map_err(|_| "header")?;
        }
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| "request")?;
    JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| unreachable.to_string())?
        .dyn_into()
        .map_err(|_| "response".to_string())
}

async fn fetch(
    url: &str,
    authorization: Option<&str>,
    session: Option<&str>,
) -> Result<Leg, String> {
    let resp = send(
        "GET",
        url,
        &[
            ("Authorization", authorization),
            ("X-Authscope-Session", session),
        ],
        "the request failed (is this page served by authscope serve?)",
    )
    .await?;
    let h = resp.headers();
    let get = |n: &str| h.get(n).ok().flatten();
    // Several WWW-Authenticate fields arrive joined with ", " in fetch's Headers: proto reads
    // them back as RFC 9110 does (a realm may hold a comma).
    let challenges = get("WWW-Authenticate")
        .map(|v| proto::http::split_challenges(&v))
        .unwrap_or_default();
    let token = challenges.iter().find_map(|(_, t)| t.clone());
    let authenticate: Vec<String> = challenges.into_iter().map(|(c, _)| c).collect();
    // Through the relay (the debugging page): what went upstream and came back, as the relay saw it.
    #[cfg(feature = "debug")]
    let head = |name: &str| {
        get(name).and_then(|b| {
            use base64::Engine;
            let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
            Some(String::from_utf8_lossy(&raw).into_owned())
        })
    };
    #[cfg(feature = "debug")]
    let (upstream_request, response) = (
        head("X-Authscope-Upstream-Request"),
        head("X-Authscope-Upstream-Response"),
    );
    #[cfg(not(feature = "debug"))]
    let (upstream_request, response): (Option<String>, Option<String>) = (None, None);
    let request = match (upstream_request, authorization) {
        (Some(r), _) => r,
        (None, Some(a)) => format!("GET {url}\nAuthorization: {}…", a.get(..40).unwrap_or(a)),
        (None, None) => format!("GET {url}"),
    };
    Ok(Leg {
        request,
        status: resp.status(),
        connection: get("X-Authscope-Connection").unwrap_or_else(|| "?".into()),
        upstream: if cfg!(feature = "debug") {
            get("X-Authscope-Upstream-Connection")
        } else {
            None
        },
        response,
        dropped: if cfg!(feature = "debug") {
            get("X-Authscope-Dropped")
        } else {
            None
        },
        authenticate,
        token,
    })
}

/// `N` random bytes from the browser's CSPRNG (Web Crypto). A browser without it gets an
/// error, never zeros: the client challenge and session key must be unpredictable.
fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("this browser offers no Web Crypto (crypto.getRandomValues), which the handshake needs for its random values")?;
    crypto
        .get_random_values_with_u8_array(&mut b)
        .map_err(|_| "crypto.getRandomValues failed".to_string())?;
    Ok(b)
}

/// The relay session of each leg: one for the handshake, or (`split`) one per leg, which
/// breaks the connection affinity on purpose. Each is asked of the relay (`POST
/// /relay/session`), which draws it from the server's OS RNG and tells it to this page only.
#[cfg(feature = "debug")]
async fn sessions(relay: bool, split: bool) -> Result<[Option<String>; 3], String> {
    if !relay {
        return Ok([None, None, None]);
    }
    let first = new_session().await?;
    if !split {
        return Ok([Some(first.clone()), Some(first.clone()), Some(first)]);
    }
    Ok([
        Some(first),
        Some(new_session().await?),
        Some(new_session().await?),
    ])
}

#[cfg(not(feature = "debug"))]
async fn sessions(_: bool, _: bool) -> Result<[Option<String>; 3], String> {
    Ok([None, None, None])
}

/// A request from this page to the relay itself, with the header only this app sends.
#[cfg(feature = "debug")]
async fn to_relay(method: &str, url: &str) -> Result<web_sys::Response, String> {
    send(
        method,
        url,
        &[(APP_HEADER, Some("1"))],
        "the relay did not answer (is this page served by authscope serve --relay?)",
    )
    .await
}

/// The header of authscope's own page (the relay serves lists and sessions to it only).
#[cfg(feature = "debug")]
const APP_HEADER: &str = "X-Authscope-App";

#[cfg(feature = "debug")]
async fn text_of(r: &web_sys::Response) -> Result<String, String> {
    let text = JsFuture::from(r.text().map_err(|_| "body")?)
        .await
        .map_err(|_| "body")?;
    Ok(text.as_string().unwrap_or_default())
}

#[cfg(feature = "debug")]
async fn new_session() -> Result<String, String> {
    let r = to_relay("POST", "/relay/session").await?;
    let text = text_of(&r).await?;
    if r.status() != 201 {
        return Err(format!("the relay gave no session: {}", text.trim()));
    }
    Ok(text.trim().to_string())
}

async fn handshake(
    url: String,
    creds: Credentials,
    scheme: &'static str,
    relay: bool,
    split: bool,
    push: Callback<Result<Leg, String>>,
) {
    let session = match sessions(relay, split).await {
        Ok(s) => s,
        Err(e) => return push.emit(Err(e)),
    };
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let [s1, s2, s3] = session;
    let first = fetch(&url, None, s1.as_deref()).await;
    push.emit(first.clone());
    if first.is_err() {
        return;
    }
    let negotiate = client::negotiate(Mode::V2, &WINDOWS_XP);
    let second = fetch(
        &url,
        Some(&format!("{scheme} {}", b64(&negotiate))),
        s2.as_deref(),
    )
    .await;
    push.emit(second.clone());
    let Some(token) = second.ok().and_then(|l| l.token) else {
        return;
    };
    let challenge = proto::decode::ntlm_bytes(&token).unwrap_or_default();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let now = proto::ntlm::server::filetime((js_sys::Date::now() / 1000.0) as i64);
    let entropy = match (random(), random()) {
        (Ok(client_challenge), Ok(random_session_key)) => Entropy {
            client_challenge,
            random_session_key,
            now_filetime: now,
        },
        (Err(e), _) | (_, Err(e)) => return push.emit(Err(e)),
    };
    match client::authenticate(
        &creds,
        Mode::V2,
        &negotiate,
        &challenge,
        &entropy,
        &WINDOWS_XP,
    ) {
        Ok(auth) => push.emit(
            fetch(
                &url,
                Some(&format!("{scheme} {}", b64(&auth))),
                s3.as_deref(),
            )
            .await,
        ),
        Err(e) => push.emit(Err(e.to_string())),
    }
}

fn value_of(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

#[function_component(Live)]
pub fn live() -> Html {
    let user = use_state(|| "bob".to_string());
    let domain = use_state(|| "CONTOSO".to_string());
    let password = use_state(|| "Builder2".to_string());
    let site = use_state(|| "integrated".to_string());
    // The relay's targets (authscope serve --relay), when there are any (the second page).
    #[cfg(feature = "debug")]
    let targets = use_state(Vec::<(String, String)>::new);
    let path = use_state(|| "integrated/".to_string());
    let split = use_state(|| false);
    #[cfg(feature = "debug")]
    {
        let targets = targets.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(r) = to_relay("GET", "/relay/").await else {
                    return;
                };
                if !r.ok() {
                    return;
                }
                let Ok(text) = text_of(&r).await else { return };
                let list = text
                    .lines()
                    .filter_map(|l| l.split_once('\t'))
                    .map(|(i, u)| (i.to_string(), u.to_string()))
                    .collect();
                targets.set(list);
            });
        });
    }
    let legs = use_state(Vec::<Result<Leg, String>>::new);
    let log = use_mut_ref(Vec::<Result<Leg, String>>::new);
    let run = {
        let (user, domain, password, site, legs, log, path, split) = (
            user.clone(),
            domain.clone(),
            password.clone(),
            site.clone(),
            legs.clone(),
            log.clone(),
            path.clone(),
            split.clone(),
        );
        Callback::from(move |_| {
            log.borrow_mut().clear();
            legs.set(Vec::new());
            let push = {
                let (legs, log) = (legs.clone(), log.clone());
                Callback::from(move |l: Result<Leg, String>| {
                    log.borrow_mut().push(l);
                    legs.set(log.borrow().clone());
                })
            };
            let creds = Credentials {
                user: (*user).clone(),
                domain: (*domain).clone(),
                password: (*password).clone(),
                workstation: "BROWSER".into(),
            };
            let relay = site.strip_prefix("relay:");
            let url = match relay {
                Some(n) => format!("/relay/{n}/{}", path.trim_start_matches('/')),
                None => format!("/lab/{}/", *site),
            };
            wasm_bindgen_futures::spawn_local(handshake(
                url,
                creds,
                "NTLM",
                relay.is_some(),
                *split,
                push,
            ));
        })
    };
    let edit = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(value_of(&e)))
    };
    let on_site = {
        let site = site.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                site.set(s.value());
            }
        })
    };
    let rows: Html = legs
        .iter()
        .enumerate()
        .map(|(i, l)| match l {
            Err(e) => html! { <li class="error">{ e.clone() }</li> },
            Ok(l) => {
                let decoded = l.token.as_deref().and_then(|t| proto::decode::decode(t).layers.into_iter().last()).filter(|x| x.kind == "ntlmssp");
                html! {
                    <li class="leg" data-test="live-leg">
                        <pre>{ l.request.clone() }</pre>
                        <p>
                            <span class={classes!("badge", if l.status == 200 { "ok" } else { "bad" })} data-test="live-status">{ l.status }</span>
                            <span class="badge conn">{ format!("connection #{}", l.connection) }</span>
                            { l.upstream.as_ref().map(|u| html! { <span class="badge conn" data-test="live-upstream">{ format!("upstream #{u}") }</span> }).unwrap_or_default() }
                            { format!(" leg {}", i + 1) }
                            { if l.authenticate.is_empty() { String::new() } else { format!(" · WWW-Authenticate: {}", l.authenticate.iter().map(|a| a.get(..40).unwrap_or(a)).collect::<Vec<_>>().join(", ")) } }
                        </p>
                        { l.response.as_ref().map(|r| html! { <details><summary>{ "The response as the server sent it" }</summary><pre data-test="live-upstream-response">{ r.clone() }</pre></details> }).unwrap_or_default() }
                        { l.dropped.as_ref().map(|d| html! { <p class="note" data-test="live-dropped">{ format!("Shown above, not applied to this page: {d}. The relay drops what would act on authscope's own origin (cookies, CORS grants, site data), so nothing from one server reaches another.") }</p> }).unwrap_or_default() }
                        { decoded.map(|d| html! { <details><summary>{ format!("Decode: {}", d.label) }</summary><LayerView layer={Rc::new(d)} /></details> }).unwrap_or_default() }
                    </li>
                }
            }
        })
        .collect();
    let connections: Vec<&str> = legs
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .map(|l| l.connection.as_str())
        .collect();
    // Through the relay, what counts is the upstream connection.
    let upstreams: Vec<&str> = legs
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .filter_map(|l| l.upstream.as_deref())
        .collect();
    let connections = if upstreams.is_empty() {
        connections
    } else {
        upstreams
    };
    let changed = connections.len() >= 3 && connections.get(1) != connections.get(2);
    // The first request, sent with no credentials, was served: its connection was logged on by
    // an earlier run (NTLM authenticates the connection, and IIS serves every later request on it
    // as that user unless AuthPersistSingleRequest is set).
    let logged_on = legs
        .first()
        .and_then(|l| l.as_ref().ok())
        .is_some_and(|l| l.status / 100 == 2);
    #[cfg(feature = "debug")]
    let (relay_options, relay_form) = relay_ui(&targets, &site, &path, &split);
    #[cfg(not(feature = "debug"))]
    let (relay_options, relay_form) = (Html::default(), Html::default());
    html! {
        <section class="live" aria-labelledby="live-h">
            <h3 id="live-h">{ "Live: the same handshake over real HTTP" }</h3>
            <p class="hint">{ "Runs NEGOTIATE, CHALLENGE and AUTHENTICATE with fetch against this server's /lab/ sites (works when the page is served by authscope serve). The password stays in this page." }</p>
            <div class="form">
                <label>{ "Site" }<select data-test="live-site" onchange={on_site}>
                    <option value="integrated" selected={*site == "integrated"}>{ "/lab/integrated/" }</option>
                    <option value="integrated-no-keepalive" selected={*site == "integrated-no-keepalive"}>{ "/lab/integrated-no-keepalive/" }</option>
                    { relay_options }
                </select></label>
                { relay_form }
                <label>{ "User" }<input type="text" autocomplete="off" value={(*user).clone()} oninput={edit(&user)} /></label>
                <label>{ "Domain" }<input type="text" autocomplete="off" value={(*domain).clone()} oninput={edit(&domain)} /></label>
                <label>{ "Password" }<input data-test="live-password" type="password" autocomplete="off" value={(*password).clone()} oninput={edit(&password)} /></label>
            </div>
            <button type="button" class="primary" data-test="live-run" onclick={run}>{ "Run live" }</button>
            <ol class="legs">{ rows }</ol>
            { if changed { html! { <p class="note">{ "The AUTHENTICATE travelled on another connection than the CHALLENGE: IIS cannot match them, so the handshake fails (401.2)." }</p> } } else { Html::default() } }
            { if logged_on { html! { <p class="note" role="status" data-test="live-logged-on">{ format!("Why 200 at once? The first request carried no credentials, yet it was served: it went on connection {}, which an earlier run already logged on. NTLM authenticates the TCP connection, not each request (MS-NTHT), and IIS serves every later request on that connection as the same user while it stays open (unless the metabase's AuthPersistSingleRequest is true). The handshake below then starts again on the same connection. To see the whole sequence from the start, wait until the idle connection is closed: authscope serve closes it after --idle-timeout (5 s by default); IIS 6 after its ConnectionTimeout (120 s by default); the browser may close it sooner.", legs.first().and_then(|l| l.as_ref().ok()).map_or("?", |l| l.connection.as_str())) }</p> } } else { Html::default() } }
        </section>
    }
}

/// The relay's targets as options of the site list, and (when one is chosen) the path on the
/// server and the switch that breaks affinity on purpose.
#[cfg(feature = "debug")]
fn relay_ui(
    targets: &UseStateHandle<Vec<(String, String)>>,
    site: &UseStateHandle<String>,
    path: &UseStateHandle<String>,
    split: &UseStateHandle<bool>,
) -> (Html, Html) {
    let options = targets
        .iter()
        .map(|(i, u)| {
            let v = format!("relay:{i}");
            html! { <option value={v.clone()} selected={**site == v}>{ format!("through the relay: {u}") }</option> }
        })
        .collect();
    if !site.starts_with("relay:") {
        return (options, Html::default());
    }
    let on_path = {
        let path = path.clone();
        Callback::from(move |e: InputEvent| path.set(value_of(&e)))
    };
    let on_split = {
        let split = split.clone();
        Callback::from(move |e: Event| split.set(crate::components::form::checked_of(&e)))
    };
    let form = html! { <>
        <label>{ "Path on the server" }<input type="text" data-test="live-path" value={(**path).clone()} oninput={on_path} /></label>
        { crate::components::form::check("A new relay session for every leg (breaks the connection affinity NTLM needs)", "live-split", **split, on_split) }
    </> };
    (options, form)
}
