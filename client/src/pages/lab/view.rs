//! The lab page, one plain function per fieldset (each inline `html!` copy costs bundle size; a
//! function is one copy). Controls send `Action`s; nothing here changes the state itself.

use super::state::{
    list, via_from_id, via_id, AccountEdit, AccountFlag, Action, ClientKind, Credential, FileEdit,
    Setting, State,
};
use crate::components::browser_view::final_page;
use crate::components::diagram::{diagram, Props as DiagramProps};
use crate::components::form::{check, checked_of, text, value_of};
use proto::drive::visit::{Via, Visit};
use proto::http::integrated::Os;
use proto::http::Profile;
use proto::iis::scenarios::{self, Scenario};
use proto::iis::{AuthFlags, Identity, Network, Site};
use proto::seq::Lane;
use std::rc::Rc;
use yew::prelude::*;

type Dispatch = UseReducerDispatcher<State>;

/// A control's change as an action. `make` is a plain function, not a closure: one copy of this
/// in the wasm for every control that needs nothing else.
fn send(d: &Dispatch, make: fn(&Event) -> Action) -> Callback<Event> {
    let d = d.clone();
    Callback::from(move |e: Event| d.dispatch(make(&e)))
}

/// A property control: its change written on the selected node.
fn set(d: &Dispatch, make: fn(&Event) -> Setting) -> Callback<Event> {
    let d = d.clone();
    Callback::from(move |e: Event| d.dispatch(Action::Set(make(&e))))
}

/// A control of one row (an account, a file) or one kind (a credential): `at` says which.
fn send_at<T: Copy + 'static>(
    d: &Dispatch,
    at: T,
    make: fn(T, &Event) -> Action,
) -> Callback<Event> {
    let d = d.clone();
    Callback::from(move |e: Event| d.dispatch(make(at, &e)))
}

fn click(d: &Dispatch, action: fn(usize) -> Action, i: usize) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_: MouseEvent| d.dispatch(action(i)))
}

/// Text fields update the answer as the user types.
fn live(cb: Callback<Event>) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| cb.emit(e.into()))
}

/// The whole page: the scenario, the site's configuration (shown as it applies at the selected
/// node) on one side, the request and IIS's answer on the other.
pub fn page(s: &State, d: &Dispatch, visited: &Visit) -> Html {
    let shown = s.shown();
    let all = scenarios::all();
    html! {
        <div class="page lab-page">
            <h1>{ "IIS 6 lab" }</h1>
            <p class="lede">{ "Rebuild a configuration, send a request as a browser would, and see IIS 6's answer with the chain of decisions behind it. Each scenario is a case of \"401.1 and 401.2 - Authentication Problems\"; change one property and watch the answer change." }</p>
            { scenario_picker(s, &shown, &all, d) }
            { if s.unlinked { html! { <p class="hint" data-test="lab-unlinked">{ "This page's link rebuilds the site without the passwords you typed (a link never holds a password): type them again after a reload or in a shared link." }</p> } } else { Html::default() } }
            <div class="lab-grid">
                <section class="lab-config">
                    { node_fieldset(s, d) }
                    { auth_fieldset(&shown, d) }
                    { server_fieldset(&shown, d) }
                    { accounts_fieldset(&shown, d) }
                    { files_fieldset(&shown, d) }
                </section>
                <section class="lab-request">
                    { request_fieldset(s, d) }
                    { answer(s, &shown, visited) }
                </section>
            </div>
        </div>
    }
}

/// The scenarios of the IIS 6 guide (and a blank site), and what the chosen one is about.
fn scenario_picker(s: &State, site: &Site, all: &[Scenario], d: &Dispatch) -> Html {
    let current = all.iter().find(|x| x.site.id == s.scenario);
    html! {
        <>
            <label class="wide">{ "Scenario" }
                <select data-test="lab-scenario" onchange={send(d, |e| Action::Load(value_of(e)))}>
                    <option value="blank" selected={s.scenario == "blank"}>{ "A blank site" }</option>
                    { for all.iter().map(|x| html! { <option value={x.site.id.clone()} selected={x.site.id == s.scenario}>{ format!("{} — {} ({})", x.site.title, x.expect, x.guide) }</option> }) }
                </select>
            </label>
            <p class="hint">{ site.summary.clone() }{ current.filter(|c| !c.fix.is_empty()).map(|c| format!(" Fix: {}", c.fix)).unwrap_or_default() }</p>
        </>
    }
}

/// Which metabase node the form edits, and new nodes.
fn node_fieldset(s: &State, d: &Dispatch) -> Html {
    html! {
        <fieldset class="iis-dialog">
            <legend>{ "Metabase node" }</legend>
            <label>{ "Edit the properties of" }
                <select data-test="lab-node" onchange={send(d, |e| Action::SelectNode(value_of(e).parse::<usize>().ok()))}>
                    <option value="root" selected={s.node.is_none()}>{ "/ (the site root)" }</option>
                    { for s.site.nodes.iter().enumerate().map(|(i, n)| html! { <option value={i.to_string()} selected={s.node == Some(i)}>{ n.path.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Add a node (virtual directory, directory or file) at" }
                <input type="text" data-test="lab-add-node" placeholder="/app" onchange={send(d, |e| Action::AddNode(value_of(e)))} />
            </label>
            <p class="hint">{ "Properties not set on a node inherit from the nodes above it; the form shows what applies at the selected node." }</p>
        </fieldset>
    }
}

/// IIS Manager's "Authentication Methods" dialog.
fn auth_fieldset(site: &Site, d: &Dispatch) -> Html {
    let flag = |bit: u32| site.auth_flags.has(bit);
    html! {
        <fieldset class="iis-dialog">
            <legend>{ "Authentication Methods" }</legend>
            { check("Enable anonymous access", "auth-anonymous", flag(AuthFlags::ANONYMOUS), set(d, |e| Setting::AuthFlag(AuthFlags::ANONYMOUS, checked_of(e)))) }
            <div class="indent">
                { text("User name", "", site.anonymous_user.clone(), false, set(d, |e| Setting::AnonymousUser(value_of(e)))) }
                { text("Password", "anon-password", site.anonymous_password.clone(), true, set(d, |e| Setting::AnonymousPassword(value_of(e)))) }
            </div>
            <p class="group">{ "Authenticated access" }</p>
            { check("Integrated Windows authentication", "auth-ntlm", flag(AuthFlags::NTLM), set(d, |e| Setting::AuthFlag(AuthFlags::NTLM, checked_of(e)))) }
            { check("Basic authentication (password is sent in clear text)", "auth-basic", flag(AuthFlags::BASIC), set(d, |e| Setting::AuthFlag(AuthFlags::BASIC, checked_of(e)))) }
            <div class="indent">
                { text("Default domain", "", site.default_logon_domain.clone().unwrap_or_default(), false, set(d, |e| Setting::DefaultLogonDomain(value_of(e)))) }
                { text("Realm", "", site.realm.clone().unwrap_or_default(), false, set(d, |e| Setting::Realm(value_of(e)))) }
            </div>
            <p class="metabase"><code>{ format!("AuthFlags = {} ({})", site.auth_flags.0, site.auth_flags.names()) }</code></p>
        </fieldset>
    }
}

/// The metabase properties and server facts the guide's cases turn on.
fn server_fieldset(site: &Site, d: &Dispatch) -> Html {
    let identity = |e: &Event| {
        Setting::WorkerIdentity(
            Identity::from_name(&value_of(e)).unwrap_or(Identity::NetworkService),
        )
    };
    html! {
        <fieldset class="iis-dialog">
            <legend>{ "Metabase and server" }</legend>
            <label>{ "LogonMethod" }
                <select data-test="logon-method" onchange={set(d, |e| Setting::LogonMethod(value_of(e).parse().unwrap_or(3)))}>
                    { for (0u8..4).map(|m| html! { <option value={m.to_string()} selected={site.logon_method == m}>{ format!("{m} — {}", proto::iis::logon_method_name(m)) }</option> }) }
                </select>
            </label>
            <label>{ "Worker process identity" }
                <select data-test="identity" onchange={set(d, identity)}>
                    { for [Identity::NetworkService, Identity::LocalSystem, Identity::LocalService].into_iter().map(|i| html! { <option value={i.name()} selected={site.worker_identity == i}>{ i.name() }</option> }) }
                </select>
            </label>
            // IIS 5's "Allow IIS to control password" checkbox is gone from IIS 6 Manager: IIS 6 sets
            // sub-authentication in the metabase (KB 332167).
            { check("AnonymousPasswordSync (metabase only: IIS 6 Manager has no \"Allow IIS to control password\" box, KB 332167)", "password-sync", site.anonymous_password_sync, set(d, |e| Setting::AnonymousPasswordSync(checked_of(e)))) }
            { check("Iissuba.dll registered", "iissuba", site.iissuba_registered, set(d, |e| Setting::IissubaRegistered(checked_of(e)))) }
            { check("Domain controller reachable", "", site.dc_reachable, set(d, |e| Setting::DcReachable(checked_of(e)))) }
            { check("Audit failed logons (Security log)", "audit-failures", site.audit.failure, set(d, |e| Setting::AuditFailures(checked_of(e)))) }
            { check("AllowKeepAlive", "", site.allow_keep_alive, set(d, |e| Setting::AllowKeepAlive(checked_of(e)))) }
            { check("AuthPersistSingleRequest", "", site.auth_persist_single_request, set(d, |e| Setting::AuthPersistSingleRequest(checked_of(e)))) }
            <label>{ "Between the browser and IIS" }
                <select data-test="network" onchange={set(d, |e| Setting::Network(Network::from_id(&value_of(e)).unwrap_or_default()))}>
                    { for [Network::Direct, Network::PoolingProxy, Network::Breaks].into_iter().map(|n| html! { <option value={n.id()} selected={site.network == n}>{ n.name() }</option> }) }
                </select>
            </label>
            { text("DefaultDoc", "", site.default_doc.join(","), false, set(d, |e| Setting::DefaultDoc(list(&value_of(e))))) }
            { site.unc.as_ref().map(|u| html! {
                <div class="unc">
                    <p class="group">{ format!("Content on {}", u.share) }</p>
                    { text("UNCUserName", "", u.user.clone(), false, set(d, |e| Setting::UncUser(value_of(e)))) }
                    { text("UNCPassword", "unc-password", u.password.clone(), true, set(d, |e| Setting::UncPassword(value_of(e)))) }
                </div>
            }).unwrap_or_default() }
            { if site.nodes.is_empty() { Html::default() } else { html! {
                <p class="metabase">{ for site.nodes.iter().map(|n| html! { <code>{ format!("{}: AuthFlags = {} ", n.path, n.auth_flags.map(|f| f.names()).unwrap_or_else(|| "(inherited)".into())) }</code> }) }</p>
            } } }
        </fieldset>
    }
}

/// "Local Users and Groups": the accounts, their state and their logon rights.
fn accounts_fieldset(site: &Site, d: &Dispatch) -> Html {
    let rows = site.accounts.iter().enumerate().map(|(i, a)| {
        let flag = |flag: AccountFlag| {
            let label = flag.label();
            let onchange = send_at(d, (i, flag), |(i, flag), e| Action::Account(i, AccountEdit::Flag(flag, checked_of(e))));
            html! { <td><input type="checkbox" aria-label={label} checked={flag.get(a)} {onchange} data-test={format!("acct-{}-{}", a.user, label.replace(' ', "-"))} /></td> }
        };
        let password = send_at(d, i, |i, e| Action::Account(i, AccountEdit::Password(value_of(e))));
        html! {
            <tr>
                <td><code>{ format!("{}\\{}", a.domain, a.user) }</code></td>
                <td><input type="text" class="small" autocomplete="off" value={a.password.clone()} oninput={live(password)} aria-label="password" data-test={format!("acct-{}-password", a.user)} /></td>
                { for AccountFlag::ALL.into_iter().map(flag) }
                <td><button class="small" aria-label="delete" title="Delete the account" onclick={click(d, Action::RemoveAccount, i)}>{ "×" }</button></td>
            </tr>
        }
    });
    html! {
        <fieldset class="iis-dialog">
            <legend>{ "Accounts" }</legend>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Accounts">
            <table class="accounts">
                <thead><tr><th>{ "Account" }</th><th>{ "Password" }</th><th>{ "Disabled" }</th><th>{ "Expired" }</th><th>{ "Locked out" }</th><th>{ "Log on locally" }</th><th>{ "Network" }</th><th>{ "Batch" }</th><th><span class="visually-hidden">{ "Delete" }</span></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            </div>
            <label>{ "New user (DOMAIN\\name, or a name on this computer)" }
                <input type="text" data-test="add-account" placeholder="CONTOSO\\dave" onchange={send(d, |e| Action::AddAccount(value_of(e)))} />
            </label>
        </fieldset>
    }
}

/// The files and their NTFS read access.
fn files_fieldset(site: &Site, d: &Dispatch) -> Html {
    let rows = site.files.iter().enumerate().map(|(i, f)| html! {
        <tr>
            <td><input type="text" aria-label="file path" value={f.path.clone()} onchange={send_at(d, i, |i, e| Action::File(i, FileEdit::Path(value_of(e))))} /></td>
            <td><input type="text" aria-label="read access" data-test={format!("acl-{}", f.path)} value={f.acl.join(", ")} onchange={send_at(d, i, |i, e| Action::File(i, FileEdit::Acl(list(&value_of(e)))))} /></td>
            <td><button class="small" aria-label="delete" title="Delete the file" onclick={click(d, Action::RemoveFile, i)}>{ "×" }</button></td>
        </tr>
    });
    html! {
        <fieldset class="iis-dialog">
            <legend>{ "Files and NTFS permissions" }</legend>
            { if site.files.is_empty() { html! { <p class="hint">{ "No files listed: every path exists and everyone may read it. Add one to give it an ACL." }</p> } } else { html! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Files">
                <table class="accounts"><thead><tr><th>{ "File" }</th><th>{ "Read access (comma-separated accounts and groups)" }</th><th><span class="visually-hidden">{ "Delete" }</span></th></tr></thead>
                <tbody>{ for rows }</tbody></table>
                </div>
            } } }
            <label>{ "New file" }
                <input type="text" data-test="add-file" placeholder="/index.htm" onchange={send(d, |e| Action::AddFile(value_of(e)))} />
            </label>
        </fieldset>
    }
}

/// The request: the path, who sends it (a browser, or directly) and as whom.
fn request_fieldset(s: &State, d: &Dispatch) -> Html {
    let via = via_id(s.via);
    let kind = ClientKind::of(&s.client);
    let credential = |label: &'static str, test: &'static str, which: Credential| {
        let secret = matches!(which, Credential::Password);
        let oninput = send_at(d, which, |which, e| Action::Credential(which, value_of(e)));
        text(
            label,
            test,
            which.get(&s.client).to_string(),
            secret,
            oninput,
        )
    };
    let kinds = [
        "has no credentials (cancels any dialog)",
        "types a user name and password (Basic when direct)",
        "is logged on to Windows (NTLM when direct)",
    ];
    html! {
        <fieldset class="iis-dialog">
            <legend>{ "Request" }</legend>
            { text("Path", "lab-path", s.path.clone(), false, send(d, |e| Action::Path(value_of(e)))) }
            <label>{ "Send as" }
                <select data-test="lab-via" onchange={send(d, |e| Action::Via(via_from_id(&value_of(e))))}>
                    { for [Profile::Ie6, Profile::Chromium, Profile::Firefox].into_iter().map(|p| html! { <option value={p.id()} selected={via == p.id()}>{ p.name() }</option> }) }
                    <option value="direct" selected={via == "direct"}>{ "One request, credentials up front (like curl)" }</option>
                </select>
            </label>
            { if matches!(s.via, Via::Browser(Profile::Chromium | Profile::Firefox)) { html! {
                <label>{ "On" }
                    <select data-test="lab-os" onchange={send(d, |e| Action::Os(Os::from_id(&value_of(e)).unwrap_or(Os::Linux)))}>
                        { for Os::ALL.into_iter().map(|o| html! { <option value={o.id()} selected={s.env.os == o}>{ o.name() }</option> }) }
                    </select>
                </label>
            } } else { Html::default() } }
            { if matches!(s.via, Via::Browser(_)) { html! {
                <label>{ "URL names the server" }
                    <select data-test="lab-url" onchange={send(d, |e| Action::ByFqdn(value_of(e) == "fqdn"))}>
                        <option value="netbios" selected={!s.env.by_fqdn}>{ "web01 (NetBIOS name)" }</option>
                        <option value="fqdn" selected={s.env.by_fqdn}>{ "web01.contoso.com (dotted name)" }</option>
                    </select>
                </label>
            } } else { Html::default() } }
            <label>{ "The user" }
                <select data-test="lab-client" onchange={send(d, |e| Action::Client(ClientKind::from_id(&value_of(e))))}>
                    { for ClientKind::ALL.into_iter().zip(kinds).map(|(k, label)| html! { <option value={k.id()} selected={kind == k}>{ label }</option> }) }
                </select>
            </label>
            { if kind == ClientKind::Anonymous { Html::default() } else { html! {
                <div class="row">
                    { credential("User", "lab-user", Credential::User) }
                    { if kind == ClientKind::Ntlm { credential("Domain", "", Credential::Domain) } else { Html::default() } }
                    { credential("Password", "lab-password", Credential::Password) }
                </div>
            } } }
        </fieldset>
    }
}

/// IIS's answer: the page the browser ends on, the exchanges as a diagram, the log and the trace.
fn answer(s: &State, site: &Site, visited: &Visit) -> Html {
    let Some(r) = visited.last() else {
        return Html::default();
    };
    let steps = Rc::new(visited.steps());
    let st = r.status_text();
    let host = match s.via {
        Via::Browser(_) => s.env.host_name(site),
        Via::Direct => site.host.clone(),
    };
    let url = format!("http://{host}/lab/{}{}", site.id, s.path);
    let decided: Vec<&proto::seq::Step> = steps.iter().filter(|x| !x.why.is_empty()).collect();
    let events: Vec<String> = visited
        .exchanges()
        .flat_map(|x| x.response.events.iter().map(|e| e.text()))
        .collect();
    let view = if r.status == 401 {
        final_page(&url, None, Some(&st), "")
    } else if r.status == 200 {
        final_page(
            &url,
            r.user.as_deref().or(Some("anonymous (IUSR)")),
            Some("200"),
            "",
        )
    } else {
        html! { <pre class="plain-page">{ format!("HTTP {st}: {}", r.reason) }</pre> }
    };
    html! {
        <div class="lab-result">
            <h2 role="status" aria-live="polite" data-test="lab-answer">{ "IIS answers " }<span class={classes!("badge", if r.status == 200 { "ok" } else { "bad" })} data-test="lab-status">{ st.clone() }</span>
                <span class="visually-hidden">{ r.trace.last().map(|t| format!(": {t}")).unwrap_or_default() }</span></h2>
            { view }
            { diagram(&DiagramProps { steps: steps.clone(), index: steps.len().saturating_sub(1), lanes: vec![Lane::Browser, Lane::Iis], on_select: Callback::noop() }) }
            { crate::components::player::export("lab", &steps, &[Lane::Browser, Lane::Iis]) }
            { steps.iter().rev().find_map(|s| s.curl()).map(|c| html! {
                <details class="wire"><summary>{ "The last request as a curl command" }</summary><pre data-test="lab-curl">{ c }</pre></details>
            }).unwrap_or_default() }
            { for decided.iter().map(|x| html! {
                <details class="why" data-test="lab-why">
                    <summary>{ format!("Why the browser {}", x.label) }</summary>
                    { for x.explanation.iter().map(|e| html! { <p>{ e.clone() }</p> }) }
                    <ul>{ for x.why.iter().map(|w| html! {
                        <li>{ w.text.clone() }<br /><span class="cite">{ format!("{}: {}", w.basis, w.source) }</span></li>
                    }) }</ul>
                </details>
            }) }
            <h4>{ "W3C log" }</h4>
            <pre data-test="lab-log">{ proto::iis::LogLine::FIELDS }{ for visited.exchanges().map(|l| format!("\n{}", l.response.log.format())) }</pre>
            <h4>{ "Security event log" }</h4>
            <pre data-test="lab-security-log">{ if events.is_empty() {
                if site.audit.failure { "No logon was made: nothing logged.".to_string() } else { "Nothing logged. Windows Server 2003 audits successful logons only by default: tick \"Audit failed logons\" to see a failure's event (the guide's \"enable security auditing\").".to_string() }
            } else { events.join("\n\n") } }</pre>
            <h4>{ "IIS's decisions" }</h4>
            <ol class="trace" data-test="lab-trace">{ for r.trace.iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ol>
            <details class="wire"><summary>{ "Full response" }</summary><pre>{ r.to_http() }</pre></details>
        </div>
    }
}
