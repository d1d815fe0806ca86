//! `lotse init DIR`: writes a new portal that `lotse build --root DIR` builds as it is.

use std::process::ExitCode;

use crate::cli::InitArgs;
use crate::scaffold;

use super::{print_fatal, EXIT_USAGE};

pub fn run(args: InitArgs, quiet: bool) -> ExitCode {
    match scaffold::create_portal(&args.dir) {
        Ok(files) => {
            if !quiet {
                crate::outln!("Created a new portal with {} files in {}", files, args.dir.display());
                crate::outln!("Next: lotse build --root {}", args.dir.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_fatal(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}
