//! What every subcommand shares: JSON output and usage errors found after parsing.

use std::process::ExitCode;

/// Prints `value` as pretty JSON on stdout; a value serde cannot write is exit status 2.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), ExitCode> {
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

/// A usage error found after parsing (a file that cannot be read, two inputs, …): the message,
/// where to read more, exit 2.
pub fn usage_error(command: &str, msg: &str) -> ExitCode {
    eprintln!(
        "authscope {command}: {msg}\n\nFor more information, try 'authscope {command} --help'."
    );
    ExitCode::from(2)
}
