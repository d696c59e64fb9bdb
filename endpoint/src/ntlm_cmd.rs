//! `authscope ntlm verify`: check a captured AUTHENTICATE against a password, printing every
//! derived value. The password comes from $AUTHSCOPE_PASSWORD or standard input, never from an
//! argument (arguments end up in shell history and process lists).

use crate::cli::{print_json, usage_error};
use std::io::BufRead;
use std::process::ExitCode;

/// `authscope ntlm …`
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check a captured AUTHENTICATE against a password and print each derived value
    /// (NTOWFv2, NTProofStr, session keys, MIC). The password is read from $AUTHSCOPE_PASSWORD
    /// or the first line of standard input, never from an argument.
    #[command(after_help = "Exit status: 0 matches, 1 does not, 2 bad usage.")]
    Verify(VerifyArgs),
}

/// `authscope ntlm verify` arguments.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// The user name to check (default: the one in the AUTHENTICATE).
    #[arg(long, value_name = "U")]
    user: Option<String>,
    /// The domain to check (default: the one in the AUTHENTICATE).
    #[arg(long, value_name = "D")]
    domain: Option<String>,
    /// The NEGOTIATE message, when the MIC is to be checked.
    #[arg(long, value_name = "TOKEN")]
    negotiate: Option<String>,
    /// The server's CHALLENGE (a header line, NTLM <base64>, base64 or hex).
    #[arg(value_name = "CHALLENGE")]
    challenge: String,
    /// The client's AUTHENTICATE (same forms).
    #[arg(value_name = "AUTHENTICATE")]
    authenticate: String,
}

pub fn main(command: Command) -> ExitCode {
    match command {
        Command::Verify(a) => verify(a),
    }
}

fn verify(args: VerifyArgs) -> ExitCode {
    let VerifyArgs {
        json,
        user,
        domain,
        negotiate,
        challenge,
        authenticate,
    } = args;
    let password = match std::env::var("AUTHSCOPE_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).is_err() {
                return usage_error(
                    "ntlm verify",
                    "could not read the password from standard input",
                );
            }
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let bytes = |what: &str, t: &str| {
        proto::decode::ntlm_bytes(t).ok_or(format!("the {what} is not an NTLM message"))
    };
    let (c, a) = match (
        bytes("CHALLENGE", &challenge),
        bytes("AUTHENTICATE", &authenticate),
    ) {
        (Ok(c), Ok(a)) => (c, a),
        (Err(e), _) | (_, Err(e)) => return usage_error("ntlm verify", &e),
    };
    let n = match negotiate
        .as_deref()
        .map(|t| bytes("NEGOTIATE", t))
        .transpose()
    {
        Ok(n) => n,
        Err(e) => return usage_error("ntlm verify", &e),
    };
    let v = match proto::ntlm::verify::verify(
        &password,
        user.as_deref(),
        domain.as_deref(),
        n.as_deref(),
        &c,
        &a,
    ) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("authscope: {e}");
            return ExitCode::from(1);
        }
    };
    if json {
        if let Err(code) = print_json(&v) {
            return code;
        }
    } else {
        println!("{} response of {}\\{}", v.kind.name(), v.domain, v.user);
        for s in &v.steps {
            println!("  {:<20} {}\n  {:<20} = {}", s.name, s.formula, "", s.value);
        }
        println!(
            "response: {}",
            if v.response_matches {
                "matches"
            } else {
                "does not match"
            }
        );
        println!(
            "MIC: {}",
            match v.mic_matches {
                Some(true) => "matches",
                Some(false) => "does not match",
                None => "not checked",
            }
        );
        for n in &v.notes {
            println!("note: {n}");
        }
    }
    if v.response_matches && v.mic_matches != Some(false) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
