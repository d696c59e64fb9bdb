//! The IIS 6 troubleshooting lab: a shipped scenario of the IIS 6 guide (or a blank site), its
//! configuration edited in forms shaped like IIS Manager's and "Local Users and Groups", a request
//! sent as Internet Explorer 6, Chromium or Firefox would send it (or directly, like curl), and
//! IIS's answer with its decisions. Every change re-runs the engine at once.

use crate::components::browser_view::final_page;
use crate::components::diagram::{diagram, Props as DiagramProps};
use crate::components::form::{check, checked_of, text, value_of as text_of};
use proto::drive::visit::{visit, Via};
use proto::http::Profile;
use proto::iis::scenarios::{self, Client};
use proto::iis::{Account, AuthFlags, FileEntry, Identity, Network, Site};
use proto::seq::Lane;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct State {
    scenario: String,
    site: Site,
    /// The metabase node being edited: an index into `site.nodes`, or `None` for the root.
    node: Option<usize>,
    path: String,
    client: Client,
    via: Via,
}

/// Applies `f` to the properties as they stand at the selected node, and stores what changed on
/// that node (or on the root): an edit lands where IIS Manager would write it.
fn edit_props(s: &mut State, f: impl Fn(&mut Site)) {
    let path = s
        .node
        .and_then(|i| s.site.nodes.get(i))
        .map(|n| n.path.clone());
    match path {
        None => f(&mut s.site),
        Some(path) => {
            let before = s.site.for_path(&path);
            let mut after = before.clone();
            f(&mut after);
            s.site.copy_server_settings(&after);
            if let Some(n) = s.node.and_then(|i| s.site.nodes.get_mut(i)) {
                n.absorb(&before, &after);
            }
        }
    }
}

fn load(id: &str) -> State {
    match scenarios::by_id(id) {
        Some(s) => State {
            scenario: id.to_string(),
            path: s.path.to_string(),
            client: s.client.clone(),
            site: s.site,
            node: None,
            via: Via::Browser(Profile::Ie6),
        },
        None => {
            let site = proto::iis::sites::base(
                "blank",
                "A blank site",
                "A new site with IIS 6 defaults: Anonymous access.",
                AuthFlags::ANONYMOUS,
            );
            State {
                scenario: "blank".into(),
                site,
                node: None,
                path: "/".into(),
                client: Client::Anonymous,
                via: Via::Browser(Profile::Ie6),
            }
        }
    }
}

type Edit = std::rc::Rc<dyn Fn(&mut State, &Event)>;

/// Text fields update the answer as the user types.
fn live(cb: Callback<Event>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| cb.emit(e.into()))
}

#[function_component(Lab)]
pub fn lab() -> Html {
    let inbox = use_context::<crate::LabInbox>();
    let handed = inbox.as_ref().and_then(|i| (*i.0).clone());
    // The scenario and "Send as" come from the assistant, else the link; edits stay in the page.
    let state = use_state(|| {
        let l = crate::link::current();
        let mut s = load(handed.as_deref().or(l.get("scenario")).unwrap_or("anon-ok"));
        if let Some(v) = l.get("as") {
            s.via = Profile::from_id(v).map_or(Via::Direct, Via::Browser);
        }
        s
    });
    crate::link::use_permalink(vec![
        ("scenario", state.scenario.clone()),
        (
            "as",
            match state.via {
                Via::Browser(p) => p.id(),
                Via::Direct => "direct",
            }
            .to_string(),
        ),
    ]);
    {
        let inbox = inbox.clone();
        use_effect_with((), move |_| {
            if let Some(i) = inbox {
                i.0.set(None);
            }
        });
    }
    let now = use_state(|| {
        #[allow(clippy::cast_possible_truncation)]
        let secs = (js_sys::Date::now() / 1000.0) as i64;
        secs
    });
    let visited = use_memo(((*state).clone(), *now), |(s, t)| {
        visit(
            &mut proto::iis::host::Host::new(s.site.clone()),
            &s.path,
            &s.client,
            s.via,
            *t,
        )
    });
    let on = |f: Edit| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let mut next = (*state).clone();
            f(&mut next, &e);
            state.set(next);
        })
    };
    let flag = |bit: u32| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let on = checked_of(e);
            edit_props(s, |site| {
                if on {
                    site.auth_flags.0 |= bit;
                } else {
                    site.auth_flags.0 &= !bit;
                }
            })
        }))
    };
    let pick = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            // A new scenario keeps the browser the user chose.
            let mut next = load(&text_of(&e));
            next.via = state.via;
            state.set(next)
        })
    };
    let s = &*state;
    // The form shows the properties as they apply at the selected node.
    let shown = match s.node.and_then(|i| s.site.nodes.get(i)) {
        Some(n) => s.site.for_path(&n.path),
        None => s.site.clone(),
    };
    let site = &shown;
    let last = visited.last().cloned();
    let steps = std::rc::Rc::new(visited.steps());
    let all = scenarios::all();
    let current = all.iter().find(|x| x.site.id == s.scenario);

    // Removes account (or file) `i`.
    let remove = |file: bool, i: usize| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*state).clone();
            if file && i < next.site.files.len() {
                next.site.files.remove(i);
            } else if !file && i < next.site.accounts.len() {
                next.site.accounts.remove(i);
            }
            state.set(next);
        })
    };
    let files: Html = site
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let edit = |acl: bool| {
                on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
                    let v = text_of(e);
                    if let Some(f) = s.site.files.get_mut(i) {
                        if acl {
                            f.acl = v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
                        } else {
                            f.path = v.trim().to_string();
                        }
                    }
                }))
            };
            html! {
                <tr>
                    <td><input type="text" aria-label="file path" value={f.path.clone()} onchange={edit(false)} /></td>
                    <td><input type="text" aria-label="read access" data-test={format!("acl-{}", f.path)} value={f.acl.join(", ")} onchange={edit(true)} /></td>
                    <td><button class="small" aria-label="delete" title="Delete the file" onclick={remove(true, i)}>{ "×" }</button></td>
                </tr>
            }
        })
        .collect();
    let accounts: Html = site
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let check = |get: fn(&proto::iis::Account) -> bool, set: fn(&mut proto::iis::Account, bool), label: &'static str| {
                let cb = on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
                    if let Some(a) = s.site.accounts.get_mut(i) {
                        set(a, checked_of(e));
                    }
                }));
                html! { <td><input type="checkbox" aria-label={label} checked={get(a)} onchange={cb} data-test={format!("acct-{}-{}", a.user, label.replace(' ', "-"))} /></td> }
            };
            let pw = on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
                if let Some(a) = s.site.accounts.get_mut(i) {
                    a.password = text_of(e);
                }
            }));
            html! {
                <tr>
                    <td><code>{ format!("{}\\{}", a.domain, a.user) }</code></td>
                    <td><input type="text" class="small" autocomplete="off" value={a.password.clone()} oninput={live(pw)} aria-label="password" data-test={format!("acct-{}-password", a.user)} /></td>
                    { check(|a| a.disabled, |a, v| a.disabled = v, "disabled") }
                    { check(|a| a.expired, |a, v| a.expired = v, "expired") }
                    { check(|a| a.locked_out, |a, v| a.locked_out = v, "locked out") }
                    { check(|a| a.log_on_locally, |a, v| a.log_on_locally = v, "log on locally") }
                    { check(|a| a.network_logon, |a, v| a.network_logon = v, "network") }
                    { check(|a| a.batch_logon, |a, v| a.batch_logon = v, "batch") }
                    <td><button class="small" aria-label="delete" title="Delete the account" onclick={remove(false, i)}>{ "×" }</button></td>
                </tr>
            }
        })
        .collect();

    let client_kind = match &s.client {
        Client::Anonymous => "anonymous",
        Client::Basic { .. } => "basic",
        Client::Ntlm { .. } => "ntlm",
    };
    let (cu, cd, cp) = match &s.client {
        Client::Anonymous => (String::new(), String::new(), String::new()),
        Client::Basic { user, password } => (user.clone(), String::new(), password.clone()),
        Client::Ntlm {
            user,
            domain,
            password,
        } => (user.clone(), domain.clone(), password.clone()),
    };
    let set_via = on(std::rc::Rc::new(|s: &mut State, e: &Event| {
        s.via = Profile::from_id(&text_of(e)).map_or(Via::Direct, Via::Browser)
    }));
    let via_id = match s.via {
        Via::Browser(p) => p.id(),
        Via::Direct => "direct",
    };
    let set_client = on(std::rc::Rc::new(|s: &mut State, e: &Event| {
        s.client = match text_of(e).as_str() {
            "basic" => Client::Basic {
                user: "alice".into(),
                password: "Wonderland1".into(),
            },
            "ntlm" => Client::Ntlm {
                user: "bob".into(),
                domain: "CONTOSO".into(),
                password: "Builder2".into(),
            },
            _ => Client::Anonymous,
        }
    }));
    let client_field = |which: u8| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let v = text_of(e);
            match (&mut s.client, which) {
                (Client::Basic { user, .. } | Client::Ntlm { user, .. }, 0) => *user = v,
                (Client::Ntlm { domain, .. }, 1) => *domain = v,
                (Client::Basic { password, .. } | Client::Ntlm { password, .. }, 2) => {
                    *password = v
                }
                _ => {}
            }
        }))
    };

    let result = last.as_ref().map(|r| {
        let st = r.status_text();
        let url = format!("http://{}/lab/{}{}", site.host, site.id, s.path);
        let view = if r.status == 401 {
            final_page(&url, None, Some(&st), "")
        } else if r.status == 200 {
            final_page(&url, r.user.as_deref().or(Some("anonymous (IUSR)")), Some("200"), "")
        } else {
            html! { <pre class="plain-page">{ format!("HTTP {st}: {}", r.reason) }</pre> }
        };
        html! {
            <div class="lab-result">
                <h3>{ "IIS answers " }<span class={classes!("badge", if r.status == 200 { "ok" } else { "bad" })} data-test="lab-status">{ st.clone() }</span></h3>
                { view }
                { diagram(&DiagramProps { steps: steps.clone(), index: steps.len().saturating_sub(1), lanes: vec![Lane::Browser, Lane::Iis], on_select: Callback::noop() }) }
                { crate::components::player::export("lab", &steps, &[Lane::Browser, Lane::Iis]) }
                { steps.iter().rev().find_map(|s| s.curl()).map(|c| html! {
                    <details class="wire"><summary>{ "The last request as a curl command" }</summary><pre data-test="lab-curl">{ c }</pre></details>
                }).unwrap_or_default() }
                <h4>{ "W3C log" }</h4>
                <pre data-test="lab-log">{ proto::iis::LogLine::FIELDS }{ for visited.exchanges().map(|l| format!("\n{}", l.response.log.format())) }</pre>
                <h4>{ "IIS's decisions" }</h4>
                <ol class="trace" data-test="lab-trace">{ for r.trace.iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ol>
                <details class="wire"><summary>{ "Full response" }</summary><pre>{ r.to_http() }</pre></details>
            </div>
        }
    });

    let set_text = |f: fn(&mut Site, String)| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let v = text_of(e);
            edit_props(s, |site| f(site, v.clone()))
        }))
    };
    let set_bool = |f: fn(&mut Site, bool)| {
        on(std::rc::Rc::new(move |s: &mut State, e: &Event| {
            let v = checked_of(e);
            edit_props(s, |site| f(site, v))
        }))
    };

    html! {
        <div class="page lab-page">
            <h2>{ "IIS 6 lab" }</h2>
            <p class="lede">{ "Rebuild a configuration, send a request as a browser would, and see IIS 6's answer with the chain of decisions behind it. Each scenario is a case of \"401.1 and 401.2 - Authentication Problems\"; change one property and watch the answer change." }</p>
            <label class="wide">{ "Scenario" }
                <select data-test="lab-scenario" onchange={pick}>
                    <option value="blank" selected={s.scenario == "blank"}>{ "A blank site" }</option>
                    { for all.iter().map(|x| html! { <option value={x.site.id.clone()} selected={x.site.id == s.scenario}>{ format!("{} — {} ({})", x.site.title, x.expect, x.guide) }</option> }) }
                </select>
            </label>
            <p class="hint">{ site.summary.clone() }{ current.filter(|c| !c.fix.is_empty()).map(|c| format!(" Fix: {}", c.fix)).unwrap_or_default() }</p>
            <div class="lab-grid">
                <section class="lab-config">
                    <fieldset class="iis-dialog">
                        <legend>{ "Metabase node" }</legend>
                        <label>{ "Edit the properties of" }
                            <select data-test="lab-node" onchange={on(std::rc::Rc::new(|s: &mut State, e: &Event| s.node = text_of(e).parse::<usize>().ok()))}>
                                <option value="root" selected={s.node.is_none()}>{ "/ (the site root)" }</option>
                                { for s.site.nodes.iter().enumerate().map(|(i, n)| html! { <option value={i.to_string()} selected={s.node == Some(i)}>{ n.path.clone() }</option> }) }
                            </select>
                        </label>
                        <label>{ "Add a node (virtual directory, directory or file) at" }
                            <input type="text" data-test="lab-add-node" placeholder="/app" onchange={on(std::rc::Rc::new(|s: &mut State, e: &Event| {
                                let path = text_of(e).trim().to_string();
                                if path.starts_with('/') && path.len() > 1 && !s.site.nodes.iter().any(|n| n.path.eq_ignore_ascii_case(&path)) {
                                    s.site.nodes.push(proto::iis::Node { path, ..proto::iis::Node::default() });
                                    s.node = Some(s.site.nodes.len() - 1);
                                }
                            }))} />
                        </label>
                        <p class="hint">{ "Properties not set on a node inherit from the nodes above it; the form shows what applies at the selected node." }</p>
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Authentication Methods" }</legend>
                        { check("Enable anonymous access", "auth-anonymous", site.auth_flags.has(AuthFlags::ANONYMOUS), flag(AuthFlags::ANONYMOUS)) }
                        <div class="indent">
                            { text("User name", "", site.anonymous_user.clone(), false, set_text(|s, v| s.anonymous_user = v)) }
                            { text("Password", "anon-password", site.anonymous_password.clone(), true, set_text(|s, v| s.anonymous_password = v)) }
                            { check("Allow IIS to control password (AnonymousPasswordSync)", "password-sync", site.anonymous_password_sync, set_bool(|s, v| s.anonymous_password_sync = v)) }
                        </div>
                        <p class="group">{ "Authenticated access" }</p>
                        { check("Integrated Windows authentication", "auth-ntlm", site.auth_flags.has(AuthFlags::NTLM), flag(AuthFlags::NTLM)) }
                        { check("Basic authentication (password is sent in clear text)", "auth-basic", site.auth_flags.has(AuthFlags::BASIC), flag(AuthFlags::BASIC)) }
                        <div class="indent">
                            { text("Default domain", "", site.default_logon_domain.clone().unwrap_or_default(), false, set_text(|s, v| s.default_logon_domain = (!v.is_empty()).then_some(v))) }
                            { text("Realm", "", site.realm.clone().unwrap_or_default(), false, set_text(|s, v| s.realm = (!v.is_empty()).then_some(v))) }
                        </div>
                        <p class="metabase"><code>{ format!("AuthFlags = {} ({})", site.auth_flags.0, site.auth_flags.names()) }</code></p>
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Metabase and server" }</legend>
                        <label>{ "LogonMethod" }
                            <select data-test="logon-method" onchange={set_text(|s, v| s.logon_method = v.parse().unwrap_or(3))}>
                                { for (0u8..4).map(|m| html! { <option value={m.to_string()} selected={site.logon_method == m}>{ format!("{m} — {}", proto::iis::logon_method_name(m)) }</option> }) }
                            </select>
                        </label>
                        <label>{ "Worker process identity" }
                            <select data-test="identity" onchange={set_text(|s, v| s.worker_identity = match v.as_str() { "LocalSystem" => Identity::LocalSystem, "LocalService" => Identity::LocalService, _ => Identity::NetworkService })}>
                                { for [Identity::NetworkService, Identity::LocalSystem, Identity::LocalService].into_iter().map(|i| html! { <option value={i.name()} selected={site.worker_identity == i}>{ i.name() }</option> }) }
                            </select>
                        </label>
                        { check("Iissuba.dll registered", "iissuba", site.iissuba_registered, set_bool(|s, v| s.iissuba_registered = v)) }
                        { check("Domain controller reachable", "", site.dc_reachable, set_bool(|s, v| s.dc_reachable = v)) }
                        { check("AllowKeepAlive", "", site.allow_keep_alive, set_bool(|s, v| s.allow_keep_alive = v)) }
                        { check("AuthPersistSingleRequest", "", site.auth_persist_single_request, set_bool(|s, v| s.auth_persist_single_request = v)) }
                        <label>{ "Between the browser and IIS" }
                            <select data-test="network" onchange={set_text(|s, v| s.network = Network::from_id(&v).unwrap_or_default())}>
                                { for [Network::Direct, Network::PoolingProxy, Network::Breaks].into_iter().map(|n| html! { <option value={n.id()} selected={site.network == n}>{ n.name() }</option> }) }
                            </select>
                        </label>
                        { text("DefaultDoc", "", site.default_doc.join(","), false, set_text(|s, v| s.default_doc = v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())) }
                        { site.unc.as_ref().map(|u| html! {
                            <div class="unc">
                                <p class="group">{ format!("Content on {}", u.share) }</p>
                                { text("UNCUserName", "", u.user.clone(), false, set_text(|s, v| if let Some(u) = s.unc.as_mut() { u.user = v })) }
                                { text("UNCPassword", "unc-password", u.password.clone(), true, set_text(|s, v| if let Some(u) = s.unc.as_mut() { u.password = v })) }
                            </div>
                        }).unwrap_or_default() }
                        { if site.nodes.is_empty() { Html::default() } else { html! {
                            <p class="metabase">{ for site.nodes.iter().map(|n| html! { <code>{ format!("{}: AuthFlags = {} ", n.path, n.auth_flags.map(|f| f.names()).unwrap_or_else(|| "(inherited)".into())) }</code> }) }</p>
                        } } }
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Accounts" }</legend>
                        <table class="accounts">
                            <thead><tr><th>{ "Account" }</th><th>{ "Password" }</th><th>{ "Disabled" }</th><th>{ "Expired" }</th><th>{ "Locked out" }</th><th>{ "Log on locally" }</th><th>{ "Network" }</th><th>{ "Batch" }</th><th></th></tr></thead>
                            <tbody>{ accounts }</tbody>
                        </table>
                        <label>{ "New user (DOMAIN\\name, or a name on this computer)" }
                            <input type="text" data-test="add-account" placeholder="CONTOSO\\dave" onchange={on(std::rc::Rc::new(|s: &mut State, e: &Event| {
                                let v = text_of(e);
                                let v = v.trim();
                                let (d, u) = v.split_once('\\').unwrap_or((s.site.machine.as_str(), v));
                                if !u.is_empty() {
                                    let a = Account::new(d, u, "");
                                    s.site.accounts.push(a);
                                }
                            }))} />
                        </label>
                    </fieldset>
                    <fieldset class="iis-dialog">
                        <legend>{ "Files and NTFS permissions" }</legend>
                        { if site.files.is_empty() { html! { <p class="hint">{ "No files listed: every path exists and everyone may read it. Add one to give it an ACL." }</p> } } else { html! {
                            <table class="accounts"><thead><tr><th>{ "File" }</th><th>{ "Read access (comma-separated accounts and groups)" }</th><th></th></tr></thead>
                            <tbody>{ files }</tbody></table>
                        } } }
                        <label>{ "New file" }
                            <input type="text" data-test="add-file" placeholder="/index.htm" onchange={on(std::rc::Rc::new(|s: &mut State, e: &Event| {
                                let path = text_of(e).trim().to_string();
                                if path.starts_with('/') {
                                    s.site.files.push(FileEntry { path, acl: vec!["Everyone".into()] });
                                }
                            }))} />
                        </label>
                    </fieldset>
                </section>
                <section class="lab-request">
                    <fieldset class="iis-dialog">
                        <legend>{ "Request" }</legend>
                        { text("Path", "lab-path", s.path.clone(), false, on(std::rc::Rc::new(|s: &mut State, e: &Event| s.path = text_of(e)))) }
                        <label>{ "Send as" }
                            <select data-test="lab-via" onchange={set_via}>
                                { for [Profile::Ie6, Profile::Chromium, Profile::Firefox].into_iter().map(|p| html! { <option value={p.id()} selected={via_id == p.id()}>{ p.name() }</option> }) }
                                <option value="direct" selected={via_id == "direct"}>{ "One request, credentials up front (like curl)" }</option>
                            </select>
                        </label>
                        <label>{ "The user" }
                            <select data-test="lab-client" onchange={set_client}>
                                <option value="anonymous" selected={client_kind == "anonymous"}>{ "has no credentials (cancels any dialog)" }</option>
                                <option value="basic" selected={client_kind == "basic"}>{ "types a user name and password (Basic when direct)" }</option>
                                <option value="ntlm" selected={client_kind == "ntlm"}>{ "is logged on to Windows (NTLM when direct)" }</option>
                            </select>
                        </label>
                        { if client_kind == "anonymous" { Html::default() } else { html! {
                            <div class="row">
                                { text("User", "lab-user", cu, false, client_field(0)) }
                                { if client_kind == "ntlm" { html! { { text("Domain", "", cd, false, client_field(1)) } } } else { Html::default() } }
                                { text("Password", "lab-password", cp, true, client_field(2)) }
                            </div>
                        } } }
                    </fieldset>
                    { result.unwrap_or_default() }
                </section>
            </div>
        </div>
    }
}
