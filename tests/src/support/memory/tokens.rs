//! The reference store's personal tokens: the port's documentation under the store's lock.
//! Expired means `expires_at <= now`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{PersonalToken, PersonalTokens};
use domain::model::{GrantId, UserId};
use domain::ports::StoreError;

use super::MemoryStore;
use super::grants::require_user;

#[async_trait]
impl PersonalTokens for MemoryStore {
    async fn put_token(&self, token: &PersonalToken) -> Result<(), StoreError> {
        self.with(|s| {
            require_user(s, token.user)?;
            let tokens = &mut s.grants.tokens;
            if tokens.contains_key(&token.id)
                || tokens.values().any(|t| t.token_hash == token.token_hash)
            {
                return Err(StoreError::AlreadyExists(format!("token {}", token.id)));
            }
            tokens.insert(token.id, token.clone());
            Ok(())
        })
    }

    async fn token_by_hash(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PersonalToken>, StoreError> {
        Ok(self.with(|s| {
            s.grants
                .tokens
                .values()
                .find(|t| t.token_hash == token_hash && t.expires_at > now)
                .cloned()
        }))
    }

    async fn tokens_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PersonalToken>, StoreError> {
        Ok(self.with(|s| {
            let mut out: Vec<PersonalToken> = s
                .grants
                .tokens
                .values()
                .filter(|t| t.user == user && t.expires_at > now)
                .cloned()
                .collect();
            out.sort_by(|a, b| (b.created_at, a.id).cmp(&(a.created_at, b.id)));
            out
        }))
    }

    async fn revoke_token(&self, user: UserId, id: GrantId) -> Result<bool, StoreError> {
        Ok(self.with(|s| {
            let tokens = &mut s.grants.tokens;
            if tokens.get(&id).is_some_and(|t| t.user == user) {
                tokens.remove(&id);
                true
            } else {
                false
            }
        }))
    }

    async fn touch_token(&self, id: GrantId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.with(|s| {
            if let Some(t) = s.grants.tokens.get_mut(&id)
                && t.last_used_at.is_none_or(|u| u < at)
            {
                t.last_used_at = Some(at);
            }
        });
        Ok(())
    }
}
