//! `authscope`: the HTTP test endpoint, the server for the built web app, and the CLI.
//!
//! A thin shell around `proto`: it turns arguments and sockets into `proto` calls and prints or
//! sends what `proto` computes. Arguments are parsed with clap: every subcommand has its own
//! `--help`, `--` ends options, and an unknown option is named without its value (so that a
//! mistyped `--password=…` does not print the password).

mod challenge_cmd;
mod cli;
mod decode_cmd;
mod guard;
mod ntlm_cmd;
mod relay;
mod respond;
mod serve;
mod static_files;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// jemalloc gives the memory of a load back to the system (see `endpoint/Cargo.toml`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// How a browser authenticates to a web server, and why it fails.
#[derive(Parser)]
#[command(name = "authscope", version, propagate_version = true)]
#[command(
    after_help = "Exit status: 0 success, 1 a negative answer (nothing usable, decoding \
stopped, no match), 2 bad usage. Passwords are read from $AUTHSCOPE_PASSWORD (or standard input \
for ntlm verify), never from an argument."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app, the IIS 6 lab sites (/lab/), the guide's scenarios and the relay over
    /// real HTTP, on 127.0.0.1.
    Serve(serve::Args),
    /// Parse WWW-Authenticate values and print, as JSON, the challenges, warnings and the one
    /// a browser would answer.
    Challenge(challenge_cmd::Args),
    /// Decode a token (NTLM, SPNEGO, Kerberos, header lines, base64 or hex): layers and field
    /// tree with byte offsets.
    Decode(decode_cmd::Args),
    /// NTLM tools.
    #[command(subcommand)]
    Ntlm(ntlm_cmd::Command),
    /// List the lab sites and the demo accounts.
    Sites,
    /// List the scenarios of the IIS 6 guide served under /lab/<scenario>/, with what IIS
    /// answers.
    Scenarios,
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return clap_error(&e),
    };
    match cli.command {
        Command::Serve(a) => serve::main(a),
        Command::Challenge(a) => challenge_cmd::main(a),
        Command::Decode(a) => decode_cmd::main(a),
        Command::Ntlm(c) => ntlm_cmd::main(c),
        Command::Scenarios => {
            for s in proto::iis::scenarios::all() {
                println!(
                    "/lab/{}{}\t{}\t{}\t[{}]",
                    s.site.id, s.path, s.expect, s.site.title, s.guide
                );
            }
            ExitCode::SUCCESS
        }
        Command::Sites => {
            for s in proto::iis::sites::all() {
                println!("/lab/{}/\t{}\t{}", s.id, s.title, s.summary);
            }
            println!();
            for u in proto::iis::sites::DEMO_USERS {
                println!("{}\t{}\t({})", u.name, u.password, u.note);
            }
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "authscope",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
    }
}

/// clap's own message (help and version on stdout with status 0; errors on stderr with 2),
/// with a word on passwords when someone tried to give one as an option.
fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let _ = e.print();
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return ExitCode::SUCCESS;
    }
    if let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) {
        if arg.trim_start_matches('-').starts_with("password") {
            eprintln!(
                "\nauthscope takes no password as an argument (shell history, process lists): \
                 put it in $AUTHSCOPE_PASSWORD, or for ntlm verify on standard input."
            );
        }
    }
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
