//! The agents' names, read once in a while and shared by all requests: the queue shows one per
//! row, and joining `agents` into the page's statement cost PostgreSQL more than reading the
//! page's own rows (an index probe per row). A desk has tens of agents, so they are all read at
//! once. The app never changes a name; one changed in the database directly shows on this
//! instance within [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// How long a read of the names serves before the next request reads them again.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

pub type Names = Arc<HashMap<i64, String>>;

/// Cheap to clone: clones share one snapshot.
#[derive(Clone, Default)]
pub struct AgentNames {
    snapshot: Arc<Mutex<Option<(Instant, Names)>>>,
}

impl AgentNames {
    /// The names, fresh enough and holding every id in `needed` (an agent added since the last
    /// read makes the next request read them again).
    pub async fn get(
        &self,
        pool: &PgPool,
        needed: impl IntoIterator<Item = i64>,
    ) -> sqlx::Result<Names> {
        if let Some((at, names)) = self.snapshot.lock().expect("names lock").as_ref()
            && at.elapsed() < FRESH_FOR
        {
            let names = names.clone();
            if needed.into_iter().all(|id| names.contains_key(&id)) {
                return Ok(names);
            }
        }
        let read_at = Instant::now();
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM agents")
            .fetch_all(pool)
            .await?;
        let names: Names = Arc::new(rows.into_iter().collect());
        *self.snapshot.lock().expect("names lock") = Some((read_at, names.clone()));
        Ok(names)
    }
}
