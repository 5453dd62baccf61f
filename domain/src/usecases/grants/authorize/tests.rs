use chrono::TimeDelta;

use super::*;
use crate::grants::{AuthorizationCode, Consent};
use crate::usecases::grants::fixtures::{
    BINDING, CHALLENGE, CLIENT, Mocks, READ_ONLY_RESOURCE, REDIRECT, RESOURCE, browser, client, h,
    me, now, secret,
};

fn query() -> AuthorizationQuery {
    AuthorizationQuery {
        client_id: Some(CLIENT.into()),
        redirect_uri: Some(REDIRECT.into()),
        response_type: Some("code".into()),
        code_challenge: Some(CHALLENGE.into()),
        code_challenge_method: Some("S256".into()),
        state: Some("st".into()),
        scope: Some("openid data:read data:write".into()),
        resource: Some(RESOURCE.into()),
        prompt: None,
    }
}

/// The refusal of `query` for a known client, nobody signed in.
async fn refusal(query: AuthorizationQuery) -> GrantError {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    start_authorization(&mocks.ports(), &query, &Browser::default())
        .await
        .unwrap_err()
}

fn keeps_pending(mocks: &mut Mocks) {
    mocks
        .pending
        .expect_put_pending()
        .times(1)
        .returning(|_| Ok(()));
}

#[tokio::test]
async fn a_plain_pkce_challenge_is_refused() {
    let mut plain = query();
    plain.code_challenge_method = Some("plain".into());
    assert_eq!(
        refusal(plain).await,
        GrantError::InvalidRequest(
            "code_challenge_method must be S256 (plain is not accepted)".into()
        )
    );
}

#[tokio::test]
async fn a_request_without_a_challenge_is_refused() {
    let mut bare = query();
    bare.code_challenge = None;
    assert!(
        matches!(refusal(bare).await, GrantError::InvalidRequest(m) if m.starts_with("PKCE is required"))
    );
}

#[tokio::test]
async fn a_redirect_uri_the_client_did_not_register_is_refused() {
    let mut elsewhere = query();
    elsewhere.redirect_uri = Some("https://evil.example/cb".into());
    assert_eq!(
        refusal(elsewhere).await,
        GrantError::InvalidRequest("redirect_uri is not one this client registered".into())
    );
}

#[tokio::test]
async fn a_token_for_another_resource_is_refused() {
    let mut other = query();
    other.resource = Some("https://elsewhere.example/mcp".into());
    assert!(matches!(refusal(other).await, GrantError::InvalidTarget(_)));
}

#[tokio::test]
async fn an_unknown_scope_is_refused() {
    let mut unknown = query();
    unknown.scope = Some("openid admin".into());
    assert!(
        matches!(refusal(unknown).await, GrantError::InvalidScope(m) if m.contains("\"admin\""))
    );
}

#[tokio::test]
async fn a_response_type_other_than_code_is_unsupported() {
    let mut token = query();
    token.response_type = Some("token".into());
    assert!(matches!(
        refusal(token).await,
        GrantError::UnsupportedResponseType(_)
    ));
}

#[tokio::test]
async fn an_overlong_state_is_refused_before_anything_is_looked_up() {
    let mut long = query();
    long.state = Some("s".repeat(MAX_STATE_BYTES + 1));
    assert!(matches!(
        start_authorization(&Mocks::default().ports(), &long, &Browser::default()).await,
        Err(GrantError::InvalidRequest(m)) if m.starts_with("state is longer")
    ));
}

#[tokio::test]
async fn a_request_is_kept_pending_and_bound_to_the_browser_that_sent_it() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    mocks
        .pending
        .expect_put_pending()
        .withf(|p| {
            let kept: AuthRequest = serde_json::from_value(p.payload.clone()).unwrap();
            p.id == secret(2)
                && p.expires_at == now() + TimeDelta::minutes(10)
                && kept.browser == h(BINDING)
                && kept.csrf == secret(1)
                && kept.write_requested
                && kept.state.as_deref() == Some("st")
        })
        .times(1)
        .returning(|_| Ok(()));
    let sent = Browser {
        session: None,
        binding: Some(BINDING.into()),
    };
    let started = start_authorization(&mocks.ports(), &query(), &sent)
        .await
        .unwrap();
    assert_eq!(
        started,
        Authorized::Pending {
            request: secret(2),
            binding: BINDING.into(),
            max_age: TimeDelta::minutes(10),
        }
    );
}

#[tokio::test]
async fn a_malformed_binding_cookie_is_replaced_by_a_new_one() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    keeps_pending(&mut mocks);
    let sent = Browser {
        session: None,
        binding: Some("short".into()),
    };
    let Authorized::Pending { binding, .. } = start_authorization(&mocks.ports(), &query(), &sent)
        .await
        .unwrap()
    else {
        panic!("not pending")
    };
    assert_eq!(binding, secret(3));
}

fn consented(mocks: &mut Mocks, scopes: &[&str]) {
    mocks.signed_in("session-1", me());
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    mocks
        .consents
        .expect_consent()
        .returning(move |user, client_id| {
            Ok(Some(Consent {
                last_used_at: None,
                user,
                grant: crate::usecases::grants::fixtures::grant(),
                projects: crate::model::GrantProjects::All,
                client_id: client_id.to_owned(),
                scopes: scopes.clone(),
                granted_at: now(),
            }))
        });
}

#[tokio::test]
async fn a_remembered_consent_covering_the_request_sends_a_code_at_once() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    consented(&mut mocks, &["data:read", "data:write"]);
    mocks
        .codes
        .expect_put_code()
        .withf(|c: &AuthorizationCode| {
            c.user == me()
                && c.scopes == ["openid", "data:read", "data:write"]
                && c.code_hash == h(&secret(2))
        })
        .times(1)
        .returning(|_| Ok(()));
    let started = start_authorization(&mocks.ports(), &query(), &browser())
        .await
        .unwrap();
    assert!(
        matches!(started, Authorized::Code(issued) if issued.code == secret(2) && issued.state.as_deref() == Some("st"))
    );
}

#[tokio::test]
async fn a_remembered_read_only_consent_is_reused_read_only_for_a_request_to_write() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    consented(&mut mocks, &["data:read"]);
    mocks
        .codes
        .expect_put_code()
        .withf(|c: &AuthorizationCode| c.scopes == ["openid", "data:read"])
        .times(1)
        .returning(|_| Ok(()));
    let started = start_authorization(&mocks.ports(), &query(), &browser())
        .await
        .unwrap();
    assert!(matches!(started, Authorized::Code(_)));
}

#[tokio::test]
async fn prompt_consent_asks_again_despite_a_remembered_consent() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    consented(&mut mocks, &["data:read", "data:write"]);
    keeps_pending(&mut mocks);
    let mut asking = query();
    asking.prompt = Some("login consent".into());
    let started = start_authorization(&mocks.ports(), &asking, &browser())
        .await
        .unwrap();
    assert!(matches!(started, Authorized::Pending { .. }));
}

#[tokio::test]
async fn a_request_for_the_read_only_resource_never_asks_to_write() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    mocks
        .pending
        .expect_put_pending()
        .withf(|p| {
            let kept: AuthRequest = serde_json::from_value(p.payload.clone()).unwrap();
            kept.resource == READ_ONLY_RESOURCE
                && !kept.write_requested
                && kept.token_scopes(true) == ["openid", "data:read"]
        })
        .times(1)
        .returning(|_| Ok(()));
    let mut read_only = query();
    // Asked with a trailing slash and data:write: still the read-only resource, read only.
    read_only.resource = Some(format!("{READ_ONLY_RESOURCE}/"));
    let sent = Browser {
        session: None,
        binding: Some(BINDING.into()),
    };
    let started = start_authorization(&mocks.ports(), &read_only, &sent)
        .await
        .unwrap();
    assert!(matches!(started, Authorized::Pending { .. }));
}

#[tokio::test]
async fn a_remembered_read_write_consent_gives_the_read_only_resource_a_read_only_code() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    consented(&mut mocks, &["data:read", "data:write"]);
    mocks
        .codes
        .expect_put_code()
        .withf(|c: &AuthorizationCode| {
            c.scopes == ["openid", "data:read"] && c.resource == READ_ONLY_RESOURCE
        })
        .times(1)
        .returning(|_| Ok(()));
    let mut read_only = query();
    read_only.resource = Some(READ_ONLY_RESOURCE.into());
    let started = start_authorization(&mocks.ports(), &read_only, &browser())
        .await
        .unwrap();
    assert!(matches!(started, Authorized::Code(_)));
}

#[tokio::test]
async fn a_resource_below_the_read_only_one_is_refused_naming_both() {
    let mut below = query();
    below.resource = Some(format!("{READ_ONLY_RESOURCE}/more"));
    let refused = refusal(below).await;
    assert!(
        matches!(&refused, GrantError::InvalidTarget(m) if m.contains(RESOURCE) && m.contains(READ_ONLY_RESOURCE)),
        "{refused:?}"
    );
}
