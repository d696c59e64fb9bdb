//! Every scenario of the IIS 6 guide answers as the guide says (`proto::iis::scenarios`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod support;

use proto::iis::host::Host;
use proto::iis::scenarios::{self, Scenario};
use proto::iis::{Request, Response};

const NOW: i64 = 1_795_761_633;

fn request(s: &Scenario, conn: u64, authz: Option<String>) -> Request {
    let mut r = Request::get(
        &format!("/lab/{}{}", s.site.id, s.path),
        &s.site.host,
        conn,
        NOW,
    );
    if let Some(a) = authz {
        r.headers.push(("Authorization".into(), a));
    }
    r
}

/// Sends the scenario's request the way its client would, on `host`; returns the last response.
fn send(s: &Scenario, host: &mut Host) -> Response {
    proto::drive::visit::send_on(host, s.path, &s.client, NOW)
        .pop()
        .unwrap()
        .response
}

#[test]
fn every_scenario_answers_as_the_guide_says() {
    let all = scenarios::all();
    assert!(all.len() >= 23);
    let mut failures = Vec::new();
    for s in &all {
        let legs = proto::drive::visit::send(&s.site, s.path, &s.client, NOW);
        let r = &legs.last().unwrap().response;
        if r.status_text() != s.expect {
            failures.push(format!(
                "{}: got {} expected {}\n  {}",
                s.site.id,
                r.status_text(),
                s.expect,
                r.trace.join("\n  ")
            ));
        }
        assert!(
            s.expect == "200" || !s.fix.is_empty(),
            "{}: a failing scenario says how to fix it",
            s.site.id
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn scenario_ids_are_unique_and_do_not_clash_with_the_lab_sites() {
    let mut ids: Vec<String> = scenarios::all().into_iter().map(|s| s.site.id).collect();
    ids.extend(proto::iis::sites::all().into_iter().map(|s| s.id));
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

#[test]
fn auth_persist_single_request_makes_every_request_authenticate() {
    let s = scenarios::by_id("ntlm-persist-single-request").unwrap();
    let mut host = Host::new(s.site.clone());
    assert_eq!(send(&s, &mut host).status, 200);
    // Same connection, no Authorization: with AuthPersistSingleRequest the identity is gone.
    assert_eq!(host.handle(&request(&s, 1, None), [1; 8]).status, 401);
    // The default keeps it.
    let mut site = s.site.clone();
    site.auth_persist_single_request = false;
    let mut host = Host::new(site);
    assert_eq!(send(&s, &mut host).status, 200);
    assert_eq!(host.handle(&request(&s, 1, None), [1; 8]).status, 200);
}

#[test]
fn the_401_3_default_document_case_names_both_documents_in_its_trace() {
    let s = scenarios::by_id("default-doc-401-3").unwrap();
    let r = send(&s, &mut Host::new(s.site.clone()));
    let t = r.trace.join("\n");
    assert!(t.contains("/Default.htm does not exist"), "{t}");
    assert!(t.contains("/index.htm") && t.contains("401.3"), "{t}");
    assert!(r.body.contains("HTTP Error 401.3 - Unauthorized: Access is denied due to an ACL set on the requested resource."));
}

#[test]
fn inheritance_applies_the_nearest_node() {
    let s = scenarios::by_id("vdir-inherits").unwrap();
    let mut host = Host::new(s.site.clone());
    let root = host.handle(
        &Request::get("/lab/vdir-inherits/", "web01", 1, NOW),
        [0; 8],
    );
    assert_eq!(root.status, 200);
    let app = host.handle(
        &Request::get("/lab/vdir-inherits/app/public/", "web01", 1, NOW),
        [0; 8],
    );
    assert_eq!(app.status_text(), "401.2");
    assert_eq!(
        app.header_values("WWW-Authenticate"),
        vec!["Basic realm=\"web01\""]
    );
    // A sibling whose name merely starts with "app" does not inherit.
    let other = host.handle(
        &Request::get("/lab/vdir-inherits/apple/", "web01", 1, NOW),
        [0; 8],
    );
    assert_eq!(other.status_text(), "404");
}

#[test]
fn logon_failures_log_the_windows_error() {
    let s = scenarios::by_id("logonmethod-interactive").unwrap();
    let r = send(&s, &mut Host::new(s.site.clone()));
    assert!(r.log.format().ends_with("401 1 1385"), "{}", r.log.format());
    let s = scenarios::by_id("anon-expired").unwrap();
    assert!(send(&s, &mut Host::new(s.site.clone()))
        .log
        .format()
        .ends_with("401 1 1793"));
    let s = scenarios::by_id("anon-locked-out").unwrap();
    assert!(send(&s, &mut Host::new(s.site.clone()))
        .log
        .format()
        .ends_with("401 1 1909"));
}

#[test]
fn random_site_trees_never_panic_and_inherit_like_a_simple_model() {
    use proto::iis::{AuthFlags, Node};
    const SEGMENTS: &[&str] = &["a", "b", "app", "App", "c"];
    let mut g = support::Gen(0x1234_5678_9abc_def1);
    for _ in 0..400 {
        let mut site = proto::iis::sites::base("t", "t", "t", AuthFlags::ANONYMOUS);
        let mut nodes = Vec::new();
        for _ in 0..(g.next() % 6) {
            let depth = 1 + g.next() % 3;
            let path: String = (0..depth)
                .map(|_| format!("/{}", g.pick(SEGMENTS)))
                .collect();
            let flags = [0, 1, 2, 3, 4, 5, 7][(g.next() % 7) as usize];
            nodes.push(Node {
                path,
                auth_flags: (g.next() % 4 != 0).then_some(AuthFlags(flags)),
                logon_method: Some((g.next() % 4) as u8),
                ..Node::default()
            });
        }
        site.nodes = nodes.clone();
        for _ in 0..10 {
            let depth = g.next() % 4;
            let mut path: String = (0..depth)
                .map(|_| format!("/{}", g.pick(SEGMENTS)))
                .collect();
            path.push('/');
            // The independent model: walk the path's prefixes from the root; the last node set on
            // a prefix wins (later definitions of the same path override earlier ones).
            let mut expect = AuthFlags(AuthFlags::ANONYMOUS);
            let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            for i in 0..=segs.len() {
                let prefix = format!("/{}", segs[..i].join("/")).to_ascii_lowercase();
                for n in &nodes {
                    if n.path.to_ascii_lowercase() == prefix {
                        if let Some(f) = n.auth_flags {
                            expect = f;
                        }
                    }
                }
            }
            assert_eq!(
                site.for_path(&path).auth_flags,
                expect,
                "{path} in {nodes:?}"
            );
            // And the engine answers without panicking, whoever asks and through whatever path.
            let mut host = Host::new(site.clone());
            let _ = host.handle(
                &Request::get(&format!("/lab/t{path}"), "web01", 1, NOW),
                [0; 8],
            );
            use proto::drive::visit::{visit, Via};
            use proto::iis::scenarios::Client;
            let mut site = site.clone();
            site.network = g.choose(&[
                proto::iis::Network::Direct,
                proto::iis::Network::PoolingProxy,
                proto::iis::Network::Breaks,
            ]);
            let client = match g.next() % 3 {
                0 => Client::Anonymous,
                1 => Client::Basic {
                    user: "alice".into(),
                    password: "Wonderland1".into(),
                },
                _ => Client::Ntlm {
                    user: "bob".into(),
                    domain: "CONTOSO".into(),
                    password: "Builder2".into(),
                },
            };
            let via = g.choose(&[
                Via::Direct,
                Via::Browser(proto::http::Profile::Ie6),
                Via::Browser(proto::http::Profile::Chromium),
                Via::Browser(proto::http::Profile::Firefox),
            ]);
            let v = visit(&mut Host::new(site), &path, &client, via, NOW);
            assert!(
                v.last().is_some(),
                "{path}: a visit sends at least one request"
            );
        }
    }
}

#[test]
fn an_edit_absorbed_by_a_node_changes_that_subtree_only() {
    let s = scenarios::by_id("vdir-inherits").unwrap();
    let mut site = s.site.clone();
    let before = site.for_path("/app");
    let mut after = before.clone();
    after.auth_flags = proto::iis::AuthFlags(proto::iis::AuthFlags::ANONYMOUS);
    site.nodes[0].absorb(&before, &after);
    assert_eq!(
        site.for_path("/app/public/").auth_flags.0,
        proto::iis::AuthFlags::ANONYMOUS
    );
    assert_eq!(
        site.nodes[0].logon_method, None,
        "only the edited property is set on the node"
    );
    let legs = proto::drive::visit::send(&site, "/app/public/", &scenarios::Client::Anonymous, NOW);
    assert_eq!(legs.last().unwrap().response.status, 200);
}

/// `sc-status sc-substatus sc-win32-status` of a response's W3C log line.
fn log_codes(r: &Response) -> String {
    format!(
        "{} {} {}",
        r.log.status, r.log.substatus, r.log.win32_status
    )
}

/// Issue 13, rows 6, 7, 9 and 10: the lab's answers and log lines say what IIS 6 said.
#[test]
fn the_table_rows_answer_and_log_as_iis_6_did() {
    // Row 6: a locked-out account is refused over NTLM as over Basic, and the log says why.
    let s = scenarios::by_id("ntlm-locked-out").unwrap();
    let r = send(&s, &mut Host::new(s.site.clone()));
    assert_eq!(r.status_text(), "401.1");
    assert_eq!(log_codes(&r), "401 1 2148074252");
    assert!(r.events.iter().any(|e| e.id == 539), "{:?}", r.events);
    let mut basic = s.site.clone();
    basic.auth_flags = proto::iis::AuthFlags(proto::iis::AuthFlags::BASIC);
    let creds = proto::field::b64(b"CONTOSO\\bob:Builder2");
    let r = Host::new(basic.clone()).handle(
        &request(
            &Scenario { site: basic, ..s },
            1,
            Some(format!("Basic {creds}")),
        ),
        [0; 8],
    );
    assert_eq!(log_codes(&r), "401 1 1909");

    // Row 7: after an upgrade AnonymousPasswordSync is true, Iissuba.dll is not registered and
    // the worker is not LocalSystem.
    let s = scenarios::by_id("subauth-network-service").unwrap();
    assert_eq!(s.site.install, proto::iis::Install::Upgrade);
    assert!(s.site.anonymous_password_sync && !s.site.iissuba_registered);
    assert_ne!(s.site.worker_identity, proto::iis::Identity::LocalSystem);
    let r = send(&s, &mut Host::new(s.site.clone()));
    assert_eq!(r.status_text(), "401.1");
    assert!(r
        .trace
        .iter()
        .any(|t| t.contains("Iissuba.dll is not registered")));

    // Row 9: IIS 6's own 403.14 page, not IE 7's or IIS 7's words.
    let mut s = scenarios::by_id("anon-ok").unwrap();
    s.site.default_doc = vec!["missing.htm".into()];
    s.site.files = vec![proto::iis::FileEntry {
        path: "/other.htm".into(),
        acl: vec!["Everyone".into()],
    }];
    let r = send(&s, &mut Host::new(s.site.clone()));
    assert_eq!(r.status_text(), "403.14");
    assert!(r.body.contains("Directory Listing Denied"));
    assert!(r
        .body
        .contains("This Virtual Directory does not allow contents to be listed."));
    assert!(!r.body.contains("declined to show"));

    // Row 10: a right password refused for its logon type is 1385, not 1326.
    let s = scenarios::by_id("basic-logonmethod-interactive").unwrap();
    let r = send(&s, &mut Host::new(s.site.clone()));
    assert_eq!(log_codes(&r), "401 1 1385");
}
