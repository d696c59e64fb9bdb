//! `authscope`: the HTTP test endpoint, the server for the built web app, and the CLI.
//!
//! A thin shell around `proto`: it turns arguments and sockets into `proto` calls and prints or
//! sends what `proto` computes.

mod challenge_cmd;
mod decode_cmd;
mod ntlm_cmd;
mod relay;
mod serve;
mod static_files;

use std::process::ExitCode;

const USAGE: &str = "\
authscope: how a browser authenticates to a web server, and why it fails

Usage:
  authscope serve [--host ADDR] [--port PORT] [--dist DIR] [--site FILE.toml]... [--keytab FILE]...
      Serve the web app, the IIS 6 lab sites and the guide's scenarios (/lab/<id>/) over real
      HTTP; each --site adds a site defined in TOML with metabase property names. With a
      --keytab, Integrated Windows sites accept Kerberos tickets for its principals
      (`curl --negotiate`) and answer with an AP-REP. Each --relay http://SERVER/ makes a real
      server reachable at /relay/<n>/ with connection affinity per session (the
      X-Authscope-Session header, or the client's connection), for NTLM and Negotiate; https://
      servers are checked against the Mozilla roots unless --insecure is given.
      Defaults: --host 127.0.0.1 --port 8080 --dist ./dist (or $AUTHSCOPE_DIST).
  authscope challenge [--browser PROFILE] HEADER...
      Parse WWW-Authenticate values (one argument per header field; `-` reads a pasted
      response block from standard input) and print, as JSON, the challenges, warnings and the
      challenge PROFILE would answer. PROFILE: ie6, chromium (default), firefox, rfc, all.
      Exit status: 0 a challenge was chosen, 1 none is usable, 2 bad usage.
  authscope decode [--json] [--lines] [--keytab FILE] [--key ETYPE:HEX] [--salt S] [INPUT]
      Decode a token: a header line, `NTLM <base64>`, `Negotiate <base64>` (SPNEGO, Kerberos,
      NTLM inside), a Kerberos message, bare base64 or hex (INPUT, or standard input; with
      --lines one token per line). Prints its layers and field tree with byte offsets, warnings
      and where decoding stopped; --json prints the contract. Encrypted Kerberos parts are
      opened with a keytab, a key, or the password in $AUTHSCOPE_PASSWORD (never an argument).
      Exit status: 0 decoded, 1 decoding stopped at an error, 2 bad usage.
      An NTLM AUTHENTICATE message is credential-equivalent: do not share it.
  authscope ntlm verify [--json] [--user U] [--domain D] [--negotiate TOKEN] CHALLENGE AUTHENTICATE
      Check a captured AUTHENTICATE against a password and print each derived value (NTOWFv2,
      NTProofStr, session keys, MIC). The password is read from $AUTHSCOPE_PASSWORD or the first
      line of standard input, never from an argument. Exit status: 0 matches, 1 does not, 2 usage.
  authscope sites
      List the lab sites and the demo accounts.
  authscope scenarios
      List the scenarios of the IIS 6 guide served under /lab/<scenario>/, with what IIS answers.
  authscope --help | --version
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = args.get(1..).unwrap_or(&[]);
    match cmd.as_str() {
        "serve" => serve::main(rest),
        "challenge" => challenge_cmd::main(rest),
        "decode" => decode_cmd::main(rest),
        "ntlm" => ntlm_cmd::main(rest),
        "scenarios" => {
            for s in proto::iis::scenarios::all() {
                println!(
                    "/lab/{}{}\t{}\t{}\t[{}]",
                    s.site.id, s.path, s.expect, s.site.title, s.guide
                );
            }
            ExitCode::SUCCESS
        }
        "sites" => {
            for s in proto::iis::sites::all() {
                println!("/lab/{}/\t{}\t{}", s.id, s.title, s.summary);
            }
            println!();
            for u in proto::iis::sites::DEMO_USERS {
                println!("{}\t{}\t({})", u.name, u.password, u.note);
            }
            ExitCode::SUCCESS
        }
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        "-V" | "--version" => {
            println!("authscope {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("authscope: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Prints `value` as pretty JSON on stdout; a value serde cannot write is exit status 2.
fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), ExitCode> {
    match serde_json::to_string_pretty(value) {
        Ok(j) => {
            println!("{j}");
            Ok(())
        }
        Err(e) => {
            eprintln!("authscope: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// Usage error: message, usage, exit 2.
fn usage_error(msg: &str) -> ExitCode {
    eprintln!("authscope: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}
