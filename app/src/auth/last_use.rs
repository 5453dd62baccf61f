//! When each application (or personal access token) was last used for a person: the bearer
//! middleware notes every authenticated `/mcp` request here, and at most once a minute per
//! person and client, or per token (per instance), the time is stamped on their consent
//! (`Consents::touch_consent`) or token (`PersonalTokens::touch_token`), in a task of its own
//! so the request never waits for it. The connections page shows it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use domain::grants::{Consents, PersonalTokens};
use domain::model::{GrantId, UserId};
use domain::ports::Clock;

/// How often one person's use of one client is stamped, at most, per instance.
const EVERY: TimeDelta = TimeDelta::minutes(1);
/// Past this many remembered keys, the ones older than [`EVERY`] are forgotten.
const REMEMBERED: usize = 10_000;

/// What a use is stamped on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Used {
    /// A person's consent to a client.
    Consent(UserId, String),
    /// A personal access token.
    Token(GrantId),
}

/// The recorder.
pub struct LastUse {
    consents: Arc<dyn Consents>,
    tokens: Arc<dyn PersonalTokens>,
    clock: Arc<dyn Clock>,
    stamped: Mutex<HashMap<Used, DateTime<Utc>>>,
}

impl LastUse {
    #[must_use]
    pub fn new(
        consents: Arc<dyn Consents>,
        tokens: Arc<dyn PersonalTokens>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            consents,
            tokens,
            clock,
            stamped: Mutex::new(HashMap::new()),
        }
    }

    /// The time to stamp `used` with, unless this instance stamped it less than a minute ago.
    fn due(&self, used: Used) -> Option<DateTime<Utc>> {
        let now = self.clock.now();
        let mut stamped = self.stamped.lock().ok()?;
        if stamped.get(&used).is_some_and(|t| now - *t < EVERY) {
            return None;
        }
        if stamped.len() >= REMEMBERED {
            stamped.retain(|_, t| now - *t < EVERY);
        }
        stamped.insert(used, now);
        Some(now)
    }

    /// Notes a request of `user` through `client`; stamps it when the last stamp of this
    /// instance is a minute old or more. Returns the stamping task, if one was started.
    pub fn note(&self, user: UserId, client: &str) -> Option<tokio::task::JoinHandle<()>> {
        let now = self.due(Used::Consent(user, client.to_owned()))?;
        let (consents, client) = (Arc::clone(&self.consents), client.to_owned());
        Some(tokio::spawn(async move {
            if let Err(e) = consents.touch_consent(user, &client, now).await {
                tracing::warn!(error = %e, "could not record an application's last use");
            }
        }))
    }

    /// Notes a request with personal access token `id`, stamped like [`LastUse::note`].
    pub fn note_token(&self, id: GrantId) -> Option<tokio::task::JoinHandle<()>> {
        let now = self.due(Used::Token(id))?;
        let tokens = Arc::clone(&self.tokens);
        Some(tokio::spawn(async move {
            if let Err(e) = tokens.touch_token(id, now).await {
                tracing::warn!(error = %e, "could not record a personal token's last use");
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use domain::grants::{MockConsents, MockPersonalTokens};
    use domain::ports::MockClock;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[tokio::test]
    async fn a_use_is_stamped_once_a_minute_per_person_and_client_or_per_token() {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let seconds = Arc::new(AtomicI64::new(0));
        let mut clock = MockClock::new();
        let ticking = Arc::clone(&seconds);
        clock
            .expect_now()
            .returning(move || start + TimeDelta::seconds(ticking.load(Ordering::SeqCst)));
        let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
        let mut consents = MockConsents::new();
        consents
            .expect_touch_consent()
            .withf(move |u, c, at| *u == user && c == "a" && *at == start)
            .times(1)
            .returning(|_, _, _| Ok(()));
        consents
            .expect_touch_consent()
            .withf(move |_, c, _| c == "b")
            .times(1)
            .returning(|_, _, _| Ok(()));
        consents
            .expect_touch_consent()
            .withf(move |_, c, at| c == "a" && *at == start + TimeDelta::seconds(61))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let token = GrantId::from_uuid(uuid::Uuid::from_u128(9));
        let mut tokens = MockPersonalTokens::new();
        tokens
            .expect_touch_token()
            .withf(move |id, at| *id == token && *at == start + TimeDelta::seconds(30))
            .times(1)
            .returning(|_, _| Ok(()));
        let recorder = LastUse::new(Arc::new(consents), Arc::new(tokens), Arc::new(clock));
        recorder.note(user, "a").unwrap().await.unwrap();
        seconds.store(30, Ordering::SeqCst);
        assert!(recorder.note(user, "a").is_none(), "within the minute");
        recorder.note(user, "b").unwrap().await.unwrap();
        recorder.note_token(token).unwrap().await.unwrap();
        seconds.store(61, Ordering::SeqCst);
        assert!(
            recorder.note_token(token).is_none(),
            "within the token's minute"
        );
        recorder.note(user, "a").unwrap().await.unwrap();
    }
}
