//! `lotse serve`: the live preview for technicians writing how-tos.

use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::serve::{self, ServeOptions};

use super::{print_fatal, EXIT_USAGE};

pub fn run(args: ServeArgs, quiet: bool) -> ExitCode {
    let options = ServeOptions {
        root: args.root,
        bind: args.bind,
        port: args.port,
        include_drafts: args.drafts,
        public_only: args.public,
        internal_on_lan: args.internal,
        open: args.open,
        quiet,
    };
    match serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_fatal(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}
