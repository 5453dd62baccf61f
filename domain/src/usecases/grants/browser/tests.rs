use super::*;
use crate::usecases::grants::fixtures::{Mocks, browser, h, me, now, request, secret};

fn with_request() -> Mocks {
    let mut mocks = Mocks::default();
    mocks.pending("p1", &request());
    mocks
}

#[tokio::test]
async fn a_pending_request_is_found_by_the_browser_that_started_it() {
    let found = pending_request(&with_request().ports(), "p1", &browser()).await;
    assert_eq!(found, Ok(request()));
}

#[tokio::test]
async fn a_pending_request_is_refused_to_another_browser() {
    let other = Browser {
        session: Some("session-1".into()),
        binding: Some("another-browser-binding-xxxxxxxxxxxxxxxxxx".into()),
    };
    let refused = pending_request(&with_request().ports(), "p1", &other).await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidRequest(m)) if m.contains("another browser")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_pending_request_is_refused_to_a_browser_without_its_binding_cookie() {
    let bare = Browser {
        session: Some("session-1".into()),
        binding: None,
    };
    let refused = pending_request(&with_request().ports(), "p1", &bare).await;
    assert!(matches!(refused, Err(GrantError::InvalidRequest(_))));
}

#[tokio::test]
async fn a_request_kept_without_a_binding_is_refused_to_every_browser() {
    let mut mocks = Mocks::default();
    let mut unbound = request();
    unbound.browser = String::new();
    mocks.pending("p1", &unbound);
    assert!(matches!(
        pending_request(&mocks.ports(), "p1", &browser()).await,
        Err(GrantError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn an_expired_or_used_pending_request_is_refused() {
    let refused = pending_request(&with_request().ports(), "p2", &browser()).await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidRequest(m)) if m.contains("expired or was already used"))
    );
}

#[tokio::test]
async fn a_session_lasts_twelve_hours_and_storage_keeps_only_its_hash() {
    let mut mocks = Mocks::default();
    mocks
        .sessions
        .expect_put_session()
        .withf(|s| {
            s.id_hash == h(&secret(1))
                && s.user == me()
                && s.expires_at == now() + TimeDelta::hours(12)
        })
        .times(1)
        .returning(|_| Ok(()));
    let session = start_session(&mocks.ports(), me()).await.unwrap();
    assert_eq!(
        session,
        NewSession {
            id: secret(1),
            max_age: TimeDelta::hours(12)
        }
    );
}

#[tokio::test]
async fn the_consent_form_token_is_bound_to_the_login_session() {
    let ports = Mocks::default().ports();
    let mine = consent_token(&ports, &browser(), "csrf-1");
    let mut other = browser();
    other.session = Some("session-2".into());
    assert_ne!(mine, consent_token(&ports, &other, "csrf-1"));
    other.session = None;
    assert_eq!(consent_token(&ports, &other, "csrf-1"), None);
}
