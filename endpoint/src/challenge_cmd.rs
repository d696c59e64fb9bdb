//! `authscope challenge`: the JSON contract of issue 2 (see README).

use crate::cli::{print_json, usage_error};
use proto::http::{self, Profile, Source};
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
    let reports: Vec<http::Report> = profiles.iter().map(|p| http::report(&source, *p)).collect();
    let any = reports.iter().any(|r| r.chosen.is_some());
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
