//! `authscope challenge`: the JSON contract of issue 2 (see README).

use crate::cli::{print_json, usage_error};
use proto::http::integrated::{self, Decision, Logon, Os, Policy, Setup};
use proto::http::{self, Profile, Scheme, Source};
use serde::Serialize;
use std::io::Read;
use std::process::ExitCode;

/// `authscope challenge` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Spans are byte offsets into the arguments joined with a newline (with `-`, into the pasted \
block). Exit status: 0 a challenge was chosen, 1 none is usable, 2 bad usage.")]
pub struct Args {
    /// The browser whose choice is reported: ie6, chromium, firefox, rfc (strict RFC 9110), or
    /// all (a JSON array, one report per profile).
    #[arg(long, short, value_name = "PROFILE", default_value = "chromium", value_parser = ["ie6", "chromium", "firefox", "rfc", "all"])]
    browser: String,
    /// One WWW-Authenticate field value per argument, or `-` to read a pasted response block
    /// from standard input.
    #[arg(value_name = "HEADER", required = true)]
    values: Vec<String>,
    /// The URL (or host) the browser asked for: its host decides Internet Explorer's zone and
    /// the allowlists. With it, the report adds `integrated`: what the browser does with an
    /// offer of Negotiate or NTLM (silent logon, dialog or skip, and each rule's source).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The browser's operating system: windows, linux, macos (default: windows for ie6, else
    /// linux).
    #[arg(long, value_parser = ["windows", "linux", "macos"])]
    os: Option<String>,
    /// Who is logged on: `domain` (Kerberos works for the site), `domain-no-ticket` (no ticket
    /// for the site: Windows falls back to NTLM), `local` (not a domain account).
    #[arg(long, default_value = "domain", value_parser = ["domain", "domain-no-ticket", "local"])]
    logon: String,
    /// A site added to Internet Explorer's Local intranet zone (repeatable).
    #[arg(long, value_name = "HOST")]
    intranet: Vec<String>,
    /// Chromium's AuthServerAllowlist policy (comma-separated; unset by default).
    #[arg(long, value_name = "LIST")]
    auth_server_allowlist: Option<String>,
    /// Firefox's network.negotiate-auth.trusted-uris (comma-separated).
    #[arg(long, value_name = "LIST", default_value = "")]
    negotiate_trusted_uris: String,
    /// Firefox's network.negotiate-auth.allow-non-fqdn.
    #[arg(long)]
    negotiate_allow_non_fqdn: bool,
    /// Firefox's network.automatic-ntlm-auth.trusted-uris (comma-separated).
    #[arg(long, value_name = "LIST", default_value = "")]
    ntlm_trusted_uris: String,
    /// Firefox's network.automatic-ntlm-auth.allow-non-fqdn.
    #[arg(long)]
    ntlm_allow_non_fqdn: bool,
}

/// A report, and with `--url` the integrated decision.
#[derive(Serialize)]
struct Out {
    #[serde(flatten)]
    report: http::Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    integrated: Option<Decision>,
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

impl Args {
    /// The setup the decision reads, for `profile`.
    fn setup(&self, profile: Profile, url: &str) -> Setup {
        let os = self
            .os
            .as_deref()
            .and_then(Os::from_id)
            .unwrap_or(if profile == Profile::Ie6 {
                Os::Windows
            } else {
                Os::Linux
            });
        Setup {
            profile,
            os,
            host: integrated::host_of(url),
            logon: match self.logon.as_str() {
                "domain" => Logon::Domain { ticket: true },
                "domain-no-ticket" => Logon::Domain { ticket: false },
                _ => Logon::Local,
            },
            policy: Policy {
                intranet_sites: self.intranet.clone(),
                auth_server_allowlist: self.auth_server_allowlist.as_deref().map(list),
                negotiate_trusted_uris: list(&self.negotiate_trusted_uris),
                negotiate_allow_non_fqdn: self.negotiate_allow_non_fqdn,
                ntlm_trusted_uris: list(&self.ntlm_trusted_uris),
                ntlm_allow_non_fqdn: self.ntlm_allow_non_fqdn,
            },
        }
    }
}

pub fn main(args: Args) -> ExitCode {
    let all = args.browser == "all";
    let profiles = if all {
        Profile::ALL.to_vec()
    } else {
        match Profile::from_id(&args.browser) {
            Some(p) => vec![p],
            None => return usage_error("challenge", "unknown browser profile"),
        }
    };
    let source = if args.values == ["-"] {
        let mut s = String::new();
        if std::io::stdin().read_to_string(&mut s).is_err() {
            return usage_error("challenge", "standard input is not UTF-8 text");
        }
        Source::from_paste(&s)
    } else if args.values.iter().any(|v| v == "-") {
        return usage_error(
            "challenge",
            "give header values as arguments or `-` for standard input, not both",
        );
    } else {
        Source::from_values(&args.values)
    };
    let parsed = http::parse(&source);
    let reports: Vec<Out> = profiles
        .iter()
        .map(|p| {
            let choice = p.choose(&source, &parsed);
            let integrated = args.url.as_deref().and_then(|url| {
                // Reported when the browser's choice is an integrated scheme.
                let offered = matches!(
                    choice.chosen_seen().and_then(|s| s.kind),
                    Some(Scheme::Ntlm | Scheme::Negotiate)
                );
                offered.then(|| integrated::decide(&args.setup(*p, url), &choice))
            });
            Out {
                report: http::report_from(&parsed, &choice),
                integrated,
            }
        })
        .collect();
    let any = reports.iter().any(|r| r.report.chosen.is_some());
    let printed = if all {
        print_json(&reports)
    } else {
        match reports.first() {
            Some(r) => print_json(r),
            None => return usage_error("challenge", "no profile"),
        }
    };
    if let Err(code) = printed {
        return code;
    }
    if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
