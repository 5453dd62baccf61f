use chrono::TimeDelta;

use super::*;
use crate::grants::{AuthorizationCode, Pending};
use crate::model::User;
use crate::usecases::grants::fixtures::{
    Mocks, REDIRECT, browser, h, id_at, me, now, request, secret,
};

fn form_token() -> String {
    h("csrf-1:session-1")
}

fn decision(allow: bool, write: bool) -> Decision {
    Decision {
        form_token: form_token(),
        allow,
        write,
        projects: crate::model::GrantProjects::All,
    }
}

/// A pending request `p1` of this browser, whose person is signed in.
fn signed_in() -> Mocks {
    let mut mocks = Mocks::default();
    mocks.pending("p1", &request());
    mocks.signed_in("session-1", me());
    mocks
}

fn takes(mocks: &mut Mocks) {
    mocks
        .pending
        .expect_take_pending()
        .withf(|id, _| id == "p1")
        .times(1)
        .returning(|id, _| {
            Ok(Some(Pending {
                id: id.to_owned(),
                payload: serde_json::Value::Null,
                expires_at: now(),
            }))
        });
}

fn stores_code(mocks: &mut Mocks, scopes: &'static [&'static str]) {
    mocks
        .codes
        .expect_put_code()
        .withf(move |c: &AuthorizationCode| c.scopes == scopes && c.user == me())
        .times(1)
        .returning(|_| Ok(()));
}

fn remembers(mocks: &mut Mocks, scopes: &'static [&'static str]) {
    mocks
        .consents
        .expect_put_consent()
        .withf(move |c| c.scopes == scopes && c.user == me() && c.granted_at == now())
        .times(1)
        .returning(|_| Ok(()));
}

#[tokio::test]
async fn without_a_session_the_person_logs_in_first() {
    let mut mocks = Mocks::default();
    mocks.pending("p1", &request());
    let mut anonymous = browser();
    anonymous.session = None;
    assert_eq!(
        show_consent(&mocks.ports(), "p1", &anonymous).await,
        Ok(ConsentStep::Login)
    );
}

#[tokio::test]
async fn the_page_asks_with_a_token_bound_to_the_session() {
    let mut mocks = signed_in();
    mocks.consents.expect_consent().returning(|_, _| Ok(None));
    mocks
        .directory
        .expect_memberships_of()
        .returning(|_| Ok(Vec::new()));
    mocks.directory.expect_user_by_id().returning(|id| {
        Ok(Some(User {
            id,
            email: "me@example.com".into(),
            display_name: "Me".into(),
            identity: None,
        }))
    });
    let step = show_consent(&mocks.ports(), "p1", &browser())
        .await
        .unwrap();
    assert_eq!(
        step,
        ConsentStep::Ask(Box::new(ConsentPrompt {
            request: request(),
            user_email: "me@example.com".into(),
            form_token: form_token(),
            projects: Vec::new(),
            previous: None,
        }))
    );
}

#[tokio::test]
async fn a_remembered_consent_skips_the_page_and_uses_the_request_once() {
    let mut mocks = signed_in();
    mocks
        .consents
        .expect_consent()
        .returning(|user, client_id| {
            Ok(Some(crate::grants::Consent {
                last_used_at: None,
                user,
                grant: crate::usecases::grants::fixtures::grant(),
                projects: crate::model::GrantProjects::All,
                client_id: client_id.to_owned(),
                scopes: vec!["data:read".into(), "data:write".into()],
                granted_at: now(),
            }))
        });
    takes(&mut mocks);
    stores_code(&mut mocks, &["openid", "data:read", "data:write"]);
    let step = show_consent(&mocks.ports(), "p1", &browser())
        .await
        .unwrap();
    assert!(matches!(step, ConsentStep::Remembered(issued) if issued.code == secret(1)));
}

#[tokio::test]
async fn a_decision_posted_with_another_sessions_token_is_refused() {
    let mut forged = decision(true, true);
    forged.form_token = h("csrf-1:session-2");
    let refused = decide_consent(&signed_in().ports(), "p1", &browser(), &forged).await;
    assert_eq!(refused, Err(browser::form_expired()));
}

#[tokio::test]
async fn allowing_read_only_narrows_the_grant_to_data_read() {
    let mut mocks = signed_in();
    remembers(&mut mocks, &["data:read"]);
    takes(&mut mocks);
    stores_code(&mut mocks, &["openid", "data:read"]);
    let issued = decide_consent(&mocks.ports(), "p1", &browser(), &decision(true, false))
        .await
        .unwrap();
    assert_eq!(issued.map(|i| i.redirect_uri), Some(REDIRECT.to_owned()));
}

#[tokio::test]
async fn a_client_that_asked_to_read_is_never_granted_write() {
    let mut mocks = Mocks::default();
    let mut read_only = request();
    read_only.write_requested = false;
    mocks.pending("p1", &read_only);
    mocks.signed_in("session-1", me());
    remembers(&mut mocks, &["data:read"]);
    takes(&mut mocks);
    stores_code(&mut mocks, &["openid", "data:read"]);
    assert!(
        decide_consent(&mocks.ports(), "p1", &browser(), &decision(true, true))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_approval_is_remembered_and_its_code_lives_a_minute_in_a_new_family() {
    let mut mocks = signed_in();
    remembers(&mut mocks, &["data:read", "data:write"]);
    takes(&mut mocks);
    mocks
        .codes
        .expect_put_code()
        .withf(|c: &AuthorizationCode| {
            c.expires_at == now() + TimeDelta::seconds(60)
                && c.family == id_at(now())
                && c.code_hash == h(&secret(1))
                && c.code_challenge == request().code_challenge
                && c.redirect_uri == REDIRECT
        })
        .times(1)
        .returning(|_| Ok(()));
    let issued = decide_consent(&mocks.ports(), "p1", &browser(), &decision(true, true))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((issued.code, issued.state), (secret(1), Some("st".into())));
}

#[tokio::test]
async fn denying_goes_back_to_the_client_with_access_denied() {
    let mut mocks = signed_in();
    takes(&mut mocks);
    let refused = decide_consent(&mocks.ports(), "p1", &browser(), &decision(false, true)).await;
    assert_eq!(
        refused,
        Err(GrantError::ToClient {
            error: Box::new(GrantError::AccessDenied("the person denied access".into())),
            redirect: request().back(),
        })
    );
}

#[tokio::test]
async fn a_request_already_used_is_refused_on_a_page() {
    let mut mocks = signed_in();
    remembers(&mut mocks, &["data:read", "data:write"]);
    mocks
        .pending
        .expect_take_pending()
        .returning(|_, _| Ok(None));
    let refused = decide_consent(&mocks.ports(), "p1", &browser(), &decision(true, true)).await;
    assert!(matches!(refused, Err(GrantError::InvalidRequest(m)) if m.contains("already used")));
}

#[tokio::test]
async fn a_failure_after_the_approval_goes_back_to_the_client() {
    let mut mocks = signed_in();
    remembers(&mut mocks, &["data:read", "data:write"]);
    takes(&mut mocks);
    mocks
        .codes
        .expect_put_code()
        .returning(|_| Err(crate::ports::StoreError::Unavailable("down".into())));
    let refused = decide_consent(&mocks.ports(), "p1", &browser(), &decision(true, true)).await;
    assert!(
        matches!(refused, Err(GrantError::ToClient { .. })),
        "{refused:?}"
    );
}
