//! What the authorization server keeps between requests: registered clients, single-use
//! authorization codes, rotating refresh-token families, remembered consents, browser login
//! sessions and authorization requests waiting for a login. All of it lives behind narrow
//! ports, one per concern, never in a process, so any instance can continue a flow another
//! began. The rules that use them are the use cases in `usecases::grants`.
//!
//! Secrets (codes, refresh tokens, session ids, client secrets) reach storage only as
//! SHA-256 hashes, made through the [`Secrets`] port.

mod model;
mod ports;

pub use model::{
    AuthorizationCode, BrowserSession, ClientSource, Consent, NewRefreshToken, OAuthClient,
    PERSONAL_TOKEN_PREFIX, Pending, PersonalToken, Redemption, RefreshToken, Rotation, TokenFamily,
    client_id_for,
};
pub use ports::{
    AuthorizationCodes, BrowserSessions, ClientDocument, ClientDocuments, ClientRegistry, Consents,
    ExpiredGrants, PendingRequests, PersonalTokens, RefreshFamilies, SecretError, Secrets,
};
#[cfg(any(test, feature = "mocks"))]
pub use ports::{
    MockAuthorizationCodes, MockBrowserSessions, MockClientDocuments, MockClientRegistry,
    MockConsents, MockExpiredGrants, MockPendingRequests, MockPersonalTokens, MockRefreshFamilies,
    MockSecrets,
};
