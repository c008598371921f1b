//! The access-token cache: one token shared by every request, renewed before it expires.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

struct Cached {
    token: String,
    renew_at: Instant,
}

/// Holds the current token; the mutex also makes concurrent renewals fetch only once.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<Option<Cached>>,
}

impl TokenCache {
    /// The cached token if it is not due for renewal, else a fresh one from `fetch`
    /// (which returns the token and its lifetime).
    pub(crate) async fn get<F, Fut, E>(&self, margin: Duration, fetch: F) -> Result<String, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(String, u64), E>>,
    {
        let mut guard = self.state.lock().await;
        if let Some(c) = guard.as_ref() {
            if Instant::now() < c.renew_at {
                return Ok(c.token.clone());
            }
        }
        let (token, ttl_secs) = fetch().await?;
        let ttl = Duration::from_secs(ttl_secs);
        let margin = margin.min(ttl / 5);
        *guard = Some(Cached {
            token: token.clone(),
            renew_at: Instant::now() + ttl.saturating_sub(margin),
        });
        Ok(token)
    }

    /// Forget `used` if it is still the cached token (the server rejected it).
    pub(crate) async fn invalidate(&self, used: &str) {
        let mut guard = self.state.lock().await;
        if guard.as_ref().is_some_and(|c| c.token == used) {
            *guard = None;
        }
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache { .. }")
    }
}
