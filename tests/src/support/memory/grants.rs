//! The reference store's authorization-server ports: the port's documentation, literally, under the one
//! lock of the store (so every method is atomic). Expired means `expires_at <= now`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::grants::{
    AuthorizationCode, AuthorizationCodes, BrowserSession, BrowserSessions, ClientRegistry,
    Consent, Consents, ExpiredGrants, NewRefreshToken, OAuthClient, Pending, PendingRequests,
    PersonalToken, Redemption, RefreshFamilies, RefreshToken, Rotation, TokenFamily,
};
use domain::model::{GrantId, GrantProjects, UserId};
use domain::ports::StoreError;
use uuid::Uuid;

use super::{Inner, MemoryStore};

/// A stored refresh token and what happened to it.
struct StoredRefresh {
    token: RefreshToken,
    rotated: bool,
    revoked: bool,
}

#[derive(Default)]
pub(in crate::support) struct Grants {
    clients: BTreeMap<String, OAuthClient>,
    /// Codes and whether they were redeemed.
    codes: BTreeMap<String, (AuthorizationCode, bool)>,
    refresh: BTreeMap<String, StoredRefresh>,
    consents: BTreeMap<(UserId, String), Consent>,
    pub(super) tokens: BTreeMap<GrantId, PersonalToken>,
    sessions: BTreeMap<String, BrowserSession>,
    pending: BTreeMap<String, Pending>,
}

impl Grants {
    /// The projects `grant` reaches for `user` at `now` (every project without one);
    /// `None` when it was revoked or expired.
    pub(super) fn reach(
        &self,
        user: UserId,
        grant: Option<GrantId>,
        now: DateTime<Utc>,
    ) -> Option<GrantProjects> {
        let Some(grant) = grant else {
            return Some(GrantProjects::All);
        };
        let consent = self
            .consents
            .values()
            .find(|c| c.grant == grant && c.user == user)
            .map(|c| c.projects.clone());
        consent.or_else(|| {
            self.tokens
                .get(&grant)
                .filter(|t| t.user == user && t.expires_at > now)
                .map(|t| t.projects.clone())
        })
    }

    fn revoke(&mut self, family: Uuid) {
        for stored in self.refresh.values_mut() {
            if stored.token.family == family {
                stored.revoked = true;
            }
        }
    }
}

pub(super) fn require_user(s: &Inner, user: UserId) -> Result<(), StoreError> {
    if s.users.iter().any(|u| u.id == user) {
        Ok(())
    } else {
        Err(StoreError::Missing(format!("user {user}")))
    }
}

/// Inserts `value` unless `key` is taken.
fn insert_new<V>(map: &mut BTreeMap<String, V>, key: &str, value: V) -> Result<(), StoreError> {
    if map.contains_key(key) {
        return Err(StoreError::AlreadyExists(key.to_owned()));
    }
    map.insert(key.to_owned(), value);
    Ok(())
}

#[async_trait]
impl ClientRegistry for MemoryStore {
    async fn put_client(&self, client: &OAuthClient) -> Result<(), StoreError> {
        self.with(|s| {
            let c = client.clone();
            s.grants.clients.insert(c.client_id.clone(), c)
        });
        Ok(())
    }

    async fn client(
        &self,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthClient>, StoreError> {
        Ok(self.with(|s| {
            s.grants
                .clients
                .get(client_id)
                .filter(|c| c.expires_at.is_none_or(|t| t > now))
                .cloned()
        }))
    }

    async fn extend_client(
        &self,
        client_id: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.with(|s| {
            if let Some(c) = s.grants.clients.get_mut(client_id) {
                c.expires_at = expires_at;
            }
        });
        Ok(())
    }
}

#[async_trait]
impl AuthorizationCodes for MemoryStore {
    async fn put_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.with(|s| {
            require_user(s, code.user)?;
            insert_new(&mut s.grants.codes, &code.code_hash, (code.clone(), false))
        })
    }

    async fn redeem_code(
        &self,
        code_hash: &str,
        first: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Redemption, StoreError> {
        self.with(|s| {
            let code = match s.grants.codes.get_mut(code_hash) {
                Some((code, _)) if code.expires_at <= now => return Ok(Redemption::Unknown),
                Some((code, true)) => {
                    return Ok(Redemption::AlreadyUsed {
                        family: code.family,
                    });
                }
                Some((code, used)) => {
                    *used = true;
                    code.clone()
                }
                None => return Ok(Redemption::Unknown),
            };
            let stored = StoredRefresh {
                token: code.first_refresh_token(first),
                rotated: false,
                revoked: false,
            };
            insert_new(&mut s.grants.refresh, &first.token_hash, stored)?;
            Ok(Redemption::Redeemed(code))
        })
    }
}

#[async_trait]
impl RefreshFamilies for MemoryStore {
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        self.with(|s| {
            let g = &mut s.grants;
            let Some(presented) = g.refresh.get(presented_hash) else {
                return Ok(Rotation::Unknown);
            };
            if presented.token.expires_at <= now {
                return Ok(Rotation::Unknown);
            }
            if presented.rotated || presented.revoked {
                let family = presented.token.family;
                g.revoke(family);
                return Ok(Rotation::Reused);
            }
            // The next token keeps the presented token's grant; `next` gives its hash and
            // expiry.
            let presented = presented.token.clone();
            let stored = StoredRefresh {
                token: RefreshToken {
                    token_hash: next.token_hash.clone(),
                    expires_at: next.expires_at,
                    ..presented.clone()
                },
                rotated: false,
                revoked: false,
            };
            insert_new(&mut g.refresh, &next.token_hash, stored)?;
            if let Some(p) = g.refresh.get_mut(presented_hash) {
                p.rotated = true;
            }
            Ok(Rotation::Rotated(presented))
        })
    }

    async fn revoke_family(&self, family: Uuid) -> Result<(), StoreError> {
        self.with(|s| s.grants.revoke(family));
        Ok(())
    }

    async fn family_of(&self, token_hash: &str) -> Result<Option<TokenFamily>, StoreError> {
        Ok(self.with(|s| {
            s.grants.refresh.get(token_hash).map(|t| TokenFamily {
                family: t.token.family,
                client_id: t.token.client_id.clone(),
                user: t.token.user,
            })
        }))
    }
}

#[async_trait]
impl Consents for MemoryStore {
    async fn consent(&self, user: UserId, client_id: &str) -> Result<Option<Consent>, StoreError> {
        Ok(self.with(|s| {
            s.grants
                .consents
                .get(&(user, client_id.to_owned()))
                .cloned()
        }))
    }

    async fn put_consent(&self, consent: &Consent) -> Result<(), StoreError> {
        self.with(|s| {
            require_user(s, consent.user)?;
            let key = (consent.user, consent.client_id.clone());
            let last_used_at = s
                .grants
                .consents
                .get(&key)
                .and_then(|c| c.last_used_at)
                .or(consent.last_used_at);
            let kept = Consent {
                last_used_at,
                ..consent.clone()
            };
            s.grants.consents.insert(key, kept);
            Ok(())
        })
    }

    async fn touch_consent(
        &self,
        user: UserId,
        client_id: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.with(|s| {
            if let Some(c) = s.grants.consents.get_mut(&(user, client_id.to_owned()))
                && c.last_used_at.is_none_or(|t| t < at)
            {
                c.last_used_at = Some(at);
            }
        });
        Ok(())
    }

    async fn revoke_consent(&self, user: UserId, client_id: &str) -> Result<bool, StoreError> {
        Ok(self.with(|s| {
            let g = &mut s.grants;
            let forgotten = g.consents.remove(&(user, client_id.to_owned())).is_some();
            let families: Vec<Uuid> = g
                .refresh
                .values()
                .filter(|t| t.token.user == user && t.token.client_id == client_id)
                .map(|t| t.token.family)
                .collect();
            for family in families {
                g.revoke(family);
            }
            forgotten
        }))
    }

    async fn consents_of(&self, user: UserId) -> Result<Vec<Consent>, StoreError> {
        Ok(self.with(|s| {
            let mut out: Vec<Consent> = s
                .grants
                .consents
                .values()
                .filter(|c| c.user == user)
                .cloned()
                .collect();
            out.sort_by(|a, b| (b.granted_at, &a.client_id).cmp(&(a.granted_at, &b.client_id)));
            out
        }))
    }
}

#[async_trait]
impl BrowserSessions for MemoryStore {
    async fn put_session(&self, session: &BrowserSession) -> Result<(), StoreError> {
        self.with(|s| {
            require_user(s, session.user)?;
            insert_new(&mut s.grants.sessions, &session.id_hash, session.clone())
        })
    }

    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError> {
        Ok(self.with(|s| {
            s.grants
                .sessions
                .get(id_hash)
                .filter(|x| x.expires_at > now)
                .cloned()
        }))
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.with(|s| s.grants.sessions.remove(id_hash));
        Ok(())
    }
}

#[async_trait]
impl PendingRequests for MemoryStore {
    async fn put_pending(&self, pending: &Pending) -> Result<(), StoreError> {
        self.with(|s| insert_new(&mut s.grants.pending, &pending.id, pending.clone()))
    }

    async fn pending(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Pending>, StoreError> {
        Ok(self.with(|s| {
            s.grants
                .pending
                .get(id)
                .filter(|p| p.expires_at > now)
                .cloned()
        }))
    }

    async fn take_pending(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Pending>, StoreError> {
        Ok(self.with(|s| {
            let live = s.grants.pending.get(id).is_some_and(|p| p.expires_at > now);
            if live {
                s.grants.pending.remove(id)
            } else {
                None
            }
        }))
    }
}

#[async_trait]
impl ExpiredGrants for MemoryStore {
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.with(|s| {
            let g = &mut s.grants;
            let before = g.clients.len()
                + g.codes.len()
                + g.refresh.len()
                + g.sessions.len()
                + g.pending.len()
                + g.tokens.len();
            g.clients
                .retain(|_, c| c.expires_at.is_none_or(|t| t > now));
            g.codes.retain(|_, (c, _)| c.expires_at > now);
            g.refresh.retain(|_, t| t.token.expires_at > now);
            g.sessions.retain(|_, x| x.expires_at > now);
            g.pending.retain(|_, p| p.expires_at > now);
            g.tokens.retain(|_, t| t.expires_at > now);
            let after = g.clients.len()
                + g.codes.len()
                + g.refresh.len()
                + g.sessions.len()
                + g.pending.len()
                + g.tokens.len();
            (before - after) as u64
        }))
    }
}
