//! Test fixtures of the authorization server's use cases: mocked ports (a port a test does
//! not set up panics when called, so each test also proves what is not touched), a fixed
//! clock, and readable fake secrets.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{AuthRequest, Browser, GrantPolicy, GrantPorts};
use crate::grants::{
    AuthorizationCode, ClientSource, MockAuthorizationCodes, MockBrowserSessions,
    MockClientDocuments, MockClientRegistry, MockConsents, MockPendingRequests, MockPersonalTokens,
    MockRefreshFamilies, OAuthClient, Pending, SecretError, Secrets,
};
use crate::model::UserId;
use crate::ports::{Clock, IdGenerator, MockDirectory, MockIdentityProvider};

pub const RESOURCE: &str = "https://mcp.example/mcp";
pub const READ_ONLY_RESOURCE: &str = "https://mcp.example/mcp/readonly";
pub const CLIENT: &str = "pmcp-client";
pub const REDIRECT: &str = "https://claude.ai/api/mcp/auth_callback";
/// The fake S256 challenge of [`VERIFIER`] (see [`FakeSecrets::pkce_matches`]).
pub const VERIFIER: &str = "the-verifier";
pub const CHALLENGE: &str = "S256(the-verifier)xxxxxxxxxxxxxxxxxxxxxxxxx";

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn me() -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x11))
}

/// A time-ordered id made at `at` (what the id port gives in production).
pub fn id_at(at: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap();
    uuid::Builder::from_unix_timestamp_millis(millis, &[7; 10]).into_uuid()
}

struct FixedClock;
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        now()
    }
}

struct FixedIds;
impl IdGenerator for FixedIds {
    fn new_id(&self) -> Uuid {
        id_at(now())
    }
}

/// Readable secrets: `secret-N` padded to 43 characters, hashes `h(…)`, and a PKCE
/// challenge `S256(verifier)` padded to 43.
#[derive(Default)]
pub struct FakeSecrets {
    made: AtomicU32,
}

/// The `n`th secret [`FakeSecrets`] makes (from 1).
pub fn secret(n: u32) -> String {
    format!("{:-<43}", format!("secret-{n}"))
}

pub fn h(secret: &str) -> String {
    format!("h({secret})")
}

impl Secrets for FakeSecrets {
    fn new_secret(&self) -> Result<String, SecretError> {
        Ok(secret(self.made.fetch_add(1, Ordering::SeqCst) + 1))
    }
    fn hash(&self, secret: &str) -> String {
        h(secret)
    }
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
    fn pkce_matches(&self, verifier: &str, challenge: &str) -> bool {
        challenge.starts_with(&format!("S256({verifier})"))
    }
}

/// Every port mocked; set up the ones a test uses, then call [`Mocks::ports`].
#[derive(Default)]
pub struct Mocks {
    pub clients: MockClientRegistry,
    pub documents: MockClientDocuments,
    pub codes: MockAuthorizationCodes,
    pub refresh: MockRefreshFamilies,
    pub consents: MockConsents,
    pub personal_tokens: MockPersonalTokens,
    pub sessions: MockBrowserSessions,
    pub pending: MockPendingRequests,
    pub directory: MockDirectory,
    pub identity: Option<MockIdentityProvider>,
}

impl Mocks {
    pub fn ports(self) -> GrantPorts {
        GrantPorts {
            clients: Arc::new(self.clients),
            documents: Arc::new(self.documents),
            codes: Arc::new(self.codes),
            refresh: Arc::new(self.refresh),
            consents: Arc::new(self.consents),
            personal_tokens: Arc::new(self.personal_tokens),
            sessions: Arc::new(self.sessions),
            pending: Arc::new(self.pending),
            directory: Arc::new(self.directory),
            identity: self
                .identity
                .map(|i| Arc::new(i) as Arc<dyn crate::ports::IdentityProvider>),
            secrets: Arc::new(FakeSecrets::default()),
            clock: Arc::new(FixedClock),
            ids: Arc::new(FixedIds),
            policy: policy(),
        }
    }

    /// [`me`] approved [`client`] (see [`consent`]).
    pub fn consented(&mut self) {
        self.consents
            .expect_consent()
            .returning(|_, _| Ok(Some(consent())));
    }

    /// `client` is stored (any lookup of its id finds it).
    pub fn knows(&mut self, client: OAuthClient) {
        self.clients
            .expect_client()
            .returning(move |id, _| Ok((id == client.client_id).then(|| client.clone())));
    }

    /// The person `user` is signed in with session `session`.
    pub fn signed_in(&mut self, session: &str, user: UserId) {
        let hash = h(session);
        self.sessions.expect_session().returning(move |id_hash, _| {
            Ok((id_hash == hash).then(|| crate::grants::BrowserSession {
                id_hash: id_hash.to_owned(),
                user,
                expires_at: now() + TimeDelta::hours(1),
            }))
        });
    }

    /// Pending request `id` holds `request` (until taken).
    pub fn pending(&mut self, id: &str, request: &AuthRequest) {
        let stored = Pending {
            id: id.to_owned(),
            payload: serde_json::to_value(request).unwrap(),
            expires_at: now() + TimeDelta::minutes(5),
        };
        let (id, read) = (id.to_owned(), stored.clone());
        self.pending
            .expect_pending()
            .returning(move |asked, _| Ok((asked == id).then(|| read.clone())));
    }
}

pub fn policy() -> GrantPolicy {
    GrantPolicy {
        resource: RESOURCE.into(),
        read_only_resource: READ_ONLY_RESOURCE.into(),
        scopes_supported: [
            "openid",
            "profile",
            "email",
            "data:read",
            "data:write",
            "offline_access",
        ]
        .map(str::to_owned)
        .to_vec(),
        refresh_token_ttl: TimeDelta::days(30),
        refresh_family_max_age: TimeDelta::days(90),
        unused_client_ttl: TimeDelta::days(7),
    }
}

pub fn client() -> OAuthClient {
    OAuthClient {
        client_id: CLIENT.into(),
        client_name: "Claude".into(),
        redirect_uris: vec![REDIRECT.into()],
        token_endpoint_auth_method: "none".into(),
        secret_hash: None,
        source: ClientSource::Registered,
        created_at: now() - TimeDelta::days(1),
        expires_at: Some(now() + TimeDelta::days(6)),
    }
}

/// The browser that started the requests of these fixtures, signed in as `session-1`.
pub const BINDING: &str = "binding-of-this-browser-xxxxxxxxxxxxxxxxxxx";
pub fn browser() -> Browser {
    Browser {
        session: Some("session-1".into()),
        binding: Some(BINDING.into()),
    }
}

/// A pending request of [`client`] started by [`browser`], asking to read and write.
pub fn request() -> AuthRequest {
    AuthRequest {
        client_id: CLIENT.into(),
        client_name: "Claude".into(),
        redirect_uri: REDIRECT.into(),
        state: Some("st".into()),
        code_challenge: CHALLENGE.into(),
        scopes: vec!["openid".into()],
        write_requested: true,
        resource: RESOURCE.into(),
        csrf: "csrf-1".into(),
        browser: h(BINDING),
        force_consent: false,
    }
}

/// The grant of [`me`]'s approval of [`client`].
pub fn grant() -> crate::model::GrantId {
    crate::model::GrantId::from_uuid(uuid::Uuid::from_u128(0x6a))
}

/// [`me`]'s approval of [`client`] (read-write, every project), as stored.
pub fn consent() -> crate::grants::Consent {
    crate::grants::Consent {
        user: me(),
        client_id: CLIENT.into(),
        grant: grant(),
        projects: crate::model::GrantProjects::All,
        scopes: vec!["data:read".into(), "data:write".into()],
        granted_at: now(),
        last_used_at: None,
    }
}

/// A live code of [`client`] for [`me`], as stored.
pub fn code() -> AuthorizationCode {
    AuthorizationCode {
        code_hash: h("the-code"),
        client_id: CLIENT.into(),
        user: me(),
        redirect_uri: REDIRECT.into(),
        code_challenge: CHALLENGE.into(),
        scopes: vec!["openid".into(), "data:read".into()],
        resource: RESOURCE.into(),
        expires_at: now() + TimeDelta::seconds(30),
        family: id_at(now() - TimeDelta::seconds(30)),
    }
}
