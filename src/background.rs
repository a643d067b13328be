//! The process's background jobs (notices, the documents clock, the provisioning webhook, the
//! session purge) and the signal that stops them at shutdown: a job finishes the item in hand,
//! gives the items it claimed but did not start back to the other instances (their leases
//! released), and returns. Jobs that do not stop within the grace period are dropped with the
//! runtime; their leases then expire as after a crash, so nothing is lost either way.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Tells a job that the process is stopping.
#[derive(Clone)]
pub struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    /// A signal that never comes (for callers outside a server: commands, tests).
    pub fn never() -> StopSignal {
        let (sender, receiver) = watch::channel(false);
        // The receiver keeps the last value (false); `wait` sees the sender gone and waits on.
        drop(sender);
        StopSignal(receiver)
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the process is stopping.
    pub async fn wait(&mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Resolves once the process is stopping or the `Background` that gave this signal is gone
    /// (for work outside the runtime the jobs run on, which must end with it).
    pub async fn wait_or_gone(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    /// Whether the process is stopping or the `Background` is gone.
    pub fn is_set_or_gone(&self) -> bool {
        self.is_set() || self.0.has_changed().is_err()
    }

    /// Waits for `every` to pass; `false` when the process began stopping meanwhile.
    pub async fn sleep(&mut self, every: &mut tokio::time::Interval) -> bool {
        tokio::select! {
            _ = every.tick() => !self.is_set(),
            () = self.wait() => false,
        }
    }
}

/// The jobs this process started.
pub struct Background {
    stop: watch::Sender<bool>,
    jobs: Vec<JoinHandle<()>>,
}

impl Default for Background {
    fn default() -> Self {
        Background {
            stop: watch::channel(false).0,
            jobs: Vec::new(),
        }
    }
}

impl Background {
    pub fn signal(&self) -> StopSignal {
        StopSignal(self.stop.subscribe())
    }

    pub fn spawn(&mut self, job: impl Future<Output = ()> + 'static) {
        self.jobs.push(actix_web::rt::spawn(job));
    }

    /// Tells every job to stop (without waiting for them).
    pub fn signal_stop(&self) {
        self.stop.send_replace(true);
    }

    /// Signals every job to stop and waits for them, at most `grace`. Returns how many did not
    /// stop in time.
    pub async fn stop(self, grace: Duration) -> usize {
        self.signal_stop();
        let deadline = tokio::time::Instant::now() + grace;
        let mut late = 0;
        for job in self.jobs {
            if tokio::time::timeout_at(deadline, job).await.is_err() {
                late += 1;
            }
        }
        late
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn jobs_see_the_signal_and_are_waited_for() {
        let mut background = Background::default();
        let mut signal = background.signal();
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let seen = finished.clone();
        background.spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            every.tick().await;
            while signal.sleep(&mut every).await {}
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        assert_eq!(background.stop(Duration::from_secs(5)).await, 0);
        assert!(finished.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[actix_web::test]
    async fn a_job_that_ignores_the_signal_is_counted_late() {
        let mut background = Background::default();
        background.spawn(std::future::pending());
        assert_eq!(background.stop(Duration::from_millis(50)).await, 1);
        assert!(!StopSignal::never().is_set());
    }
}
