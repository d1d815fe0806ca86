//! Writing to the terminal without panicking: `lotse build >/dev/full` or `lotse check | head -1`
//! must end with a documented exit code, not with a panic (exit 101).
//!
//! Errors on stderr are ignored (there is nowhere left to report them). A failed write to stdout
//! is remembered, and [`stdout_failed`] turns a successful run into exit code 2 (an I/O problem).

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout, remembering a failure instead of panicking.
pub fn write_out(args: std::fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|()| out.flush()).is_err() {
        STDOUT_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Writes to stderr; a closed or full stderr is ignored.
pub fn write_err(args: std::fmt::Arguments) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// Whether some output to stdout was lost.
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// `println!` that never panics: see the module documentation.
#[macro_export]
macro_rules! outln {
    () => { $crate::terminal::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::terminal::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that never panics.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::terminal::write_out(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! errln {
    () => { $crate::terminal::write_err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::terminal::write_err(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::terminal::write_err(format_args!($($arg)*)) };
}
