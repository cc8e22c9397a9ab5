//! Where the library's parallel work runs: a [`Parallelism`] value that loading and
//! validation take, so that no thread is started behind the caller's back.
//!
//! Only pure work runs in parallel (parsing files, finding links in bodies); a [`Source`]
//! is always read on the calling thread, in order, so it need not be thread-safe, and the
//! result is the same whatever the parallelism.
//!
//! [`Source`]: crate::Source

use std::sync::Arc;

use rayon::prelude::*;

/// Which threads may do the library's parallel work.
///
/// The default, [`Parallelism::Global`], is what the `longhand` command uses: rayon's global
/// pool, which rayon starts on first use with one thread per core (`RAYON_NUM_THREADS`
/// overrides the count).
///
/// ```
/// use longhand::{validate, MemoryTree, Parallelism};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut source = MemoryTree::new();
/// source.insert_file("longhand.yaml", "longhand: 1\ntitle: Team\n");
/// // Everything on this thread: no thread is started.
/// let report = validate::run_with(&source, &Parallelism::Sequential)?;
/// assert!(report.is_clean());
/// // A pool of two threads, owned by the caller.
/// let report = validate::run_with(&source, &Parallelism::threads(2)?)?;
/// assert!(report.is_clean());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Parallelism {
    /// Rayon's global pool (started by rayon on first use, one thread per core); called from
    /// a task already running in a rayon pool, that pool, as rayon itself does.
    #[default]
    Global,
    /// Everything on the calling thread; no thread is started.
    Sequential,
    /// The caller's rayon pool.
    Pool(Arc<rayon::ThreadPool>),
}

impl Parallelism {
    /// A new pool of `threads` threads; `0` or `1` is [`Parallelism::Sequential`] (the calling
    /// thread alone). Fails when the operating system refuses to start a thread.
    pub fn threads(threads: usize) -> Result<Parallelism, rayon::ThreadPoolBuildError> {
        if threads <= 1 {
            return Ok(Parallelism::Sequential);
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        Ok(Parallelism::Pool(Arc::new(pool)))
    }

    /// The caller's pool.
    pub fn pool(pool: Arc<rayon::ThreadPool>) -> Parallelism {
        Parallelism::Pool(pool)
    }

    /// Runs `op` with a scope whose spawned tasks run on this parallelism's threads (`None`
    /// when sequential: the caller then does the work itself). `op` runs on the calling
    /// thread, so it may hold what is not `Send` (a source).
    pub(crate) fn in_place_scope<'scope, R>(
        &self,
        op: impl FnOnce(Option<&rayon::Scope<'scope>>) -> R,
    ) -> R {
        match self {
            Parallelism::Sequential => op(None),
            Parallelism::Global => rayon::in_place_scope(|scope| op(Some(scope))),
            Parallelism::Pool(pool) => pool.in_place_scope(|scope| op(Some(scope))),
        }
    }

    /// `items` mapped through `f`, in order; in parallel unless sequential. Called from a
    /// task of [`Self::in_place_scope`], it runs on that task's pool.
    pub(crate) fn map<T: Send, U: Send>(
        &self,
        items: Vec<T>,
        f: impl Fn(T) -> U + Sync + Send,
    ) -> Vec<U> {
        match self {
            Parallelism::Sequential => items.into_iter().map(f).collect(),
            Parallelism::Global => items.into_par_iter().map(f).collect(),
            Parallelism::Pool(pool) => pool.install(|| items.into_par_iter().map(f).collect()),
        }
    }

    /// [`Self::map`] over borrowed items.
    pub(crate) fn map_ref<T: Sync, U: Send>(
        &self,
        items: &[T],
        f: impl Fn(&T) -> U + Sync + Send,
    ) -> Vec<U> {
        match self {
            Parallelism::Sequential => items.iter().map(f).collect(),
            Parallelism::Global => items.par_iter().map(f).collect(),
            Parallelism::Pool(pool) => pool.install(|| items.par_iter().map(f).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parallelism_maps_in_order() {
        let items: Vec<u32> = (0..1000).collect();
        let expected: Vec<u32> = items.iter().map(|i| i * 2).collect();
        for parallelism in [
            Parallelism::Sequential,
            Parallelism::Global,
            Parallelism::threads(2).expect("a pool"),
        ] {
            assert_eq!(parallelism.map(items.clone(), |i| i * 2), expected);
            assert_eq!(parallelism.map_ref(&items, |i| i * 2), expected);
        }
    }

    #[test]
    fn sequential_starts_no_task() {
        let ran_here = Parallelism::Sequential.in_place_scope(|scope| scope.is_none());
        assert!(ran_here);
    }
}
