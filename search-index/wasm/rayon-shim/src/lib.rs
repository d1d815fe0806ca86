//! The part of rayon's API that tantivy calls, for a browser without threads: building a pool
//! always fails, and [`ThreadPool`] has no values, so everything that would run on a pool is
//! unreachable and the compiler drops it (rayon and the channels it fed were about 27 kB of the
//! runtime, never run).

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

/// No value of this type exists.
enum Never {}

/// A pool of threads: none can exist here.
pub struct ThreadPool(Never);

impl ThreadPool {
    pub fn scope<'scope, OP, R>(&self, _op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R + Send,
        R: Send,
    {
        match self.0 {}
    }

    pub fn spawn<OP>(&self, _op: OP)
    where
        OP: FnOnce() + Send + 'static,
    {
        match self.0 {}
    }
}

/// Work spawned inside [`ThreadPool::scope`]: none can exist here either.
pub struct Scope<'scope>(Never, PhantomData<&'scope ()>);

impl<'scope> Scope<'scope> {
    pub fn spawn<BODY>(&self, _body: BODY)
    where
        BODY: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        match self.0 {}
    }
}

/// Why a pool could not be built: there are no threads in the browser.
#[derive(Debug)]
pub struct ThreadPoolBuildError;

impl fmt::Display for ThreadPoolBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no threads in this runtime")
    }
}

impl std::error::Error for ThreadPoolBuildError {}

/// Takes the settings rayon takes and ignores them: [`Self::build`] always fails.
#[derive(Default)]
pub struct ThreadPoolBuilder;

impl ThreadPoolBuilder {
    pub fn new() -> ThreadPoolBuilder {
        ThreadPoolBuilder
    }

    pub fn num_threads(self, _threads: usize) -> ThreadPoolBuilder {
        self
    }

    pub fn thread_name<F>(self, _name: F) -> ThreadPoolBuilder
    where
        F: FnMut(usize) -> String + 'static,
    {
        self
    }

    pub fn panic_handler<H>(self, _handler: H) -> ThreadPoolBuilder
    where
        H: Fn(Box<dyn Any + Send>) + Send + Sync + 'static,
    {
        self
    }

    pub fn build(self) -> Result<ThreadPool, ThreadPoolBuildError> {
        Err(ThreadPoolBuildError)
    }
}
