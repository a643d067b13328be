//! Sessions kept in memory for a few seconds, so that most requests need no session statement.
//!
//! Ending a session must still take effect everywhere at once. Every change that could end or
//! alter one is announced by the database itself (triggers on `sessions` and `agents`, migration
//! `20261204000100`) on the channel `canceldesk_sessions`; each instance listens and drops what
//! it holds. Three rules keep a cached copy from outliving its row:
//!
//! - the instance that makes the change drops its copy before it answers (the announcement, sent
//!   at commit, reaches the others within the time a NOTIFY takes);
//! - a copy read from the database is kept only if no announcement arrived while it was read (an
//!   epoch counter), so a sign-out racing a load cannot leave a stale copy behind;
//! - while the listener is not connected (the database restarted) nothing is cached, and all is
//!   dropped when it connects again, since announcements may have been missed meanwhile.
//!
//! A copy also expires after [`FRESH_FOR`] regardless, and the cache holds at most
//! [`MAX_ENTRIES`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::postgres::PgListener;

use crate::background::StopSignal;

pub const CHANNEL: &str = "canceldesk_sessions";

/// How long a copy is used without asking the database again (a safety net: announcements drop
/// copies at once).
pub const FRESH_FOR: Duration = Duration::from_secs(10);

/// Far more than the agents of one desk; beyond it the cache is emptied and starts again.
pub const MAX_ENTRIES: usize = 20_000;

#[derive(Clone)]
pub struct CachedSession {
    pub state: HashMap<String, String>,
    pub agent: Option<i64>,
    pub expires_at: DateTime<Utc>,
    cached_at: Instant,
}

impl CachedSession {
    pub fn new(
        state: HashMap<String, String>,
        agent: Option<i64>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        CachedSession {
            state,
            agent,
            expires_at,
            cached_at: Instant::now(),
        }
    }
}

#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<Vec<u8>, CachedSession>>,
    /// Counts announcements (and local drops); a load keeps its copy only if this did not move
    /// while it read.
    epoch: AtomicU64,
    /// The listener is connected: only then is anything cached.
    listening: AtomicBool,
}

/// What an announcement names.
#[derive(Debug, PartialEq, Eq)]
pub enum Announcement {
    Session(Vec<u8>),
    Agent(i64),
}

impl Announcement {
    pub fn parse(payload: &str) -> Option<Announcement> {
        if let Some(hex) = payload.strip_prefix("key:") {
            return hex::decode(hex).ok().map(Announcement::Session);
        }
        payload
            .strip_prefix("agent:")
            .and_then(|id| id.parse().ok())
            .map(Announcement::Agent)
    }
}

impl SessionCache {
    /// The epoch to hand back to [`insert`](Self::insert) after reading from the database.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// A fresh, unexpired copy, if any.
    pub fn get(&self, key_hash: &[u8], now: DateTime<Utc>) -> Option<CachedSession> {
        if !self.listening.load(Ordering::SeqCst) {
            return None;
        }
        let entries = self.entries.lock().expect("session cache lock");
        entries
            .get(key_hash)
            .filter(|e| e.cached_at.elapsed() < FRESH_FOR && e.expires_at > now)
            .cloned()
    }

    /// Keeps a copy read from the database, unless something was announced since `epoch`.
    pub fn insert(&self, key_hash: Vec<u8>, session: CachedSession, epoch: u64) {
        if !self.listening.load(Ordering::SeqCst) {
            return;
        }
        let mut entries = self.entries.lock().expect("session cache lock");
        // Checked under the lock that drops take too: no drop can slip between check and insert.
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key_hash, session);
    }

    /// The session's expiry moved (the idle timeout was pushed back by this instance).
    pub fn extend(&self, key_hash: &[u8], expires_at: DateTime<Utc>) {
        let mut entries = self.entries.lock().expect("session cache lock");
        if let Some(entry) = entries.get_mut(key_hash) {
            entry.expires_at = expires_at;
        }
    }

    pub fn drop_session(&self, key_hash: &[u8]) {
        self.apply(&Announcement::Session(key_hash.to_vec()));
    }

    pub fn drop_agent(&self, agent: i64) {
        self.apply(&Announcement::Agent(agent));
    }

    pub fn apply(&self, announcement: &Announcement) {
        let mut entries = self.entries.lock().expect("session cache lock");
        self.epoch.fetch_add(1, Ordering::SeqCst);
        match announcement {
            Announcement::Session(key) => {
                entries.remove(key);
            }
            Announcement::Agent(agent) => entries.retain(|_, e| e.agent != Some(*agent)),
        }
    }

    /// Whether announcements are being received (and so sessions cached).
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    /// Copies held (fresh or not).
    pub fn len(&self) -> usize {
        self.entries.lock().expect("session cache lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_listening(&self, listening: bool) {
        let mut entries = self.entries.lock().expect("session cache lock");
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.clear();
        self.listening.store(listening, Ordering::SeqCst);
    }

    /// Listens on a thread of its own until the process stops (or the app that started it is
    /// gone): the listener's connection then closes on the runtime it was opened on.
    pub fn spawn_listener(self: &Arc<Self>, pool: PgPool, stop: StopSignal) -> std::io::Result<()> {
        let cache = self.clone();
        std::thread::Builder::new()
            .name("session-announcements".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for the session listener");
                runtime.block_on(cache.listen(pool, stop));
            })?;
        Ok(())
    }

    /// Listens for announcements until the process stops; reconnects after losing the database
    /// (caching nothing meanwhile).
    async fn listen(&self, pool: PgPool, mut stop: StopSignal) {
        let mut backoff = Duration::from_millis(200);
        loop {
            if stop.is_set_or_gone() {
                break;
            }
            let mut listener = match connect(&pool).await {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "session announcements: cannot listen; not caching sessions");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = stop.wait_or_gone() => break,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            backoff = Duration::from_millis(200);
            self.set_listening(true);
            loop {
                let received = tokio::select! {
                    received = listener.try_recv() => received,
                    () = stop.wait_or_gone() => break,
                };
                match received {
                    Ok(Some(notification)) => {
                        match Announcement::parse(notification.payload()) {
                            Some(announcement) => self.apply(&announcement),
                            // Unknown: drop everything rather than guess.
                            None => self.set_listening(true),
                        }
                    }
                    // The connection was lost: announcements may be missed until it is back.
                    Ok(None) | Err(_) => break,
                }
            }
            self.set_listening(false);
        }
        self.set_listening(false);
    }
}

async fn connect(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Reconnection is ours (above), so that the cache is emptied whenever the line was down.
    listener.ignore_pool_close_event(true);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(agent: i64) -> CachedSession {
        CachedSession::new(
            HashMap::new(),
            Some(agent),
            Utc::now() + chrono::Duration::hours(1),
        )
    }

    fn listening() -> SessionCache {
        let cache = SessionCache::default();
        cache.set_listening(true);
        cache
    }

    #[test]
    fn announcements_are_read() {
        assert_eq!(
            Announcement::parse("key:00ff10"),
            Some(Announcement::Session(vec![0, 255, 16]))
        );
        assert_eq!(
            Announcement::parse("agent:42"),
            Some(Announcement::Agent(42))
        );
        for junk in ["", "key:zz", "agent:x", "other:1"] {
            assert_eq!(Announcement::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_copy_is_dropped_by_its_key_or_its_agent() {
        let cache = listening();
        let now = Utc::now();
        cache.insert(vec![1], session(7), cache.epoch());
        cache.insert(vec![2], session(7), cache.epoch());
        cache.insert(vec![3], session(8), cache.epoch());
        assert!(cache.get(&[1], now).is_some());
        cache.drop_session(&[1]);
        assert!(cache.get(&[1], now).is_none());
        cache.drop_agent(7);
        assert!(cache.get(&[2], now).is_none());
        assert!(cache.get(&[3], now).is_some());
    }

    #[test]
    fn a_load_that_raced_an_announcement_is_not_kept() {
        let cache = listening();
        let epoch = cache.epoch();
        cache.drop_agent(99); // announced while the load read the database
        cache.insert(vec![1], session(7), epoch);
        assert!(cache.get(&[1], Utc::now()).is_none());
    }

    #[test]
    fn nothing_is_cached_without_a_listener_and_expired_copies_are_not_used() {
        let cache = SessionCache::default();
        cache.insert(vec![1], session(7), cache.epoch());
        assert!(cache.get(&[1], Utc::now()).is_none());
        let cache = listening();
        cache.insert(vec![1], session(7), cache.epoch());
        assert!(
            cache
                .get(&[1], Utc::now() + chrono::Duration::hours(2))
                .is_none()
        );
        cache.set_listening(false);
        cache.set_listening(true);
        assert!(
            cache.get(&[1], Utc::now()).is_none(),
            "emptied on reconnect"
        );
    }
}
