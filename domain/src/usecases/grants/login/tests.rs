use super::*;
use crate::ports::{IdentityError, MockIdentityProvider};
use crate::usecases::grants::fixtures::{Mocks, browser, id_at, me, now, request, secret};

fn person(email: &str, id: UserId) -> User {
    User {
        id,
        email: email.into(),
        display_name: "Someone".into(),
        identity: None,
    }
}

fn with_request() -> Mocks {
    let mut mocks = Mocks::default();
    mocks.pending("p1", &request());
    mocks
}

#[tokio::test]
async fn the_dev_form_is_shown_with_the_requests_form_token() {
    let step = start_login(&with_request().ports(), "p1", &browser(), "cb").await;
    assert_eq!(
        step,
        Ok(LoginStep::Form {
            csrf: "csrf-1".into(),
            client_name: "Claude".into()
        })
    );
}

#[tokio::test]
async fn the_dev_form_refuses_a_submission_with_another_form_token() {
    let refused = sign_in_with_email(
        &with_request().ports(),
        "p1",
        &browser(),
        "forged",
        "me@example.com",
    )
    .await;
    assert_eq!(refused, Err(form_expired()));
}

#[tokio::test]
async fn an_email_nobody_may_sign_in_with_shows_the_form_again() {
    let mut mocks = with_request();
    mocks
        .directory
        .expect_user_by_email()
        .returning(|_| Ok(None));
    let outcome = sign_in_with_email(
        &mocks.ports(),
        "p1",
        &browser(),
        "csrf-1",
        "nobody@example.com",
    )
    .await;
    assert!(matches!(outcome, Ok(SignIn::Unknown { .. })));
}

#[tokio::test]
async fn a_known_email_signs_in_and_continues_the_request() {
    let mut mocks = with_request();
    mocks
        .directory
        .expect_user_by_email()
        .withf(|email| email == "me@example.com")
        .returning(|email| Ok(Some(person(email, me()))));
    mocks
        .sessions
        .expect_put_session()
        .withf(|s| s.user == me())
        .times(1)
        .returning(|_| Ok(()));
    let outcome = sign_in_with_email(
        &mocks.ports(),
        "p1",
        &browser(),
        "csrf-1",
        "  me@example.com ",
    )
    .await;
    let Ok(SignIn::Done(signed)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (signed.request.as_str(), signed.session.id),
        ("p1", secret(1))
    );
}

#[tokio::test]
async fn the_dev_form_is_refused_when_an_upstream_provider_is_configured() {
    let mut mocks = with_request();
    mocks.identity = Some(MockIdentityProvider::new());
    let refused =
        sign_in_with_email(&mocks.ports(), "p1", &browser(), "csrf-1", "me@example.com").await;
    assert!(matches!(refused, Err(GrantError::InvalidRequest(_))));
}

fn upstream(mocks: &mut Mocks, identity: Identity) {
    let mut provider = MockIdentityProvider::new();
    provider
        .expect_finish_login()
        .withf(|query, pending| query == "code=x&state=y" && pending == "oidc-state")
        .returning(move |_, _| Ok(identity.clone()));
    mocks.identity = Some(provider);
    mocks
        .pending
        .expect_take_pending()
        .withf(|id, _| id == "login:L1")
        .times(1)
        .returning(|id, _| {
            Ok(Some(Pending {
                id: id.to_owned(),
                payload: serde_json::json!({"request": "p1", "pending": "oidc-state"}),
                expires_at: now(),
            }))
        });
}

fn identity(email_verified: bool) -> Identity {
    Identity {
        issuer: "https://idp.example".into(),
        subject: "sub-1".into(),
        email: Some("me@example.com".into()),
        email_verified,
        name: None,
    }
}

#[tokio::test]
async fn an_unverified_email_of_an_existing_person_is_not_linked() {
    let mut mocks = Mocks::default();
    upstream(&mut mocks, identity(false));
    mocks
        .directory
        .expect_user_by_identity()
        .returning(|_, _| Ok(None));
    mocks
        .directory
        .expect_user_by_email()
        .returning(|email| Ok(Some(person(email, me()))));
    let refused = finish_upstream_login(&mocks.ports(), Some("L1"), "code=x&state=y").await;
    assert!(
        matches!(&refused, Err(GrantError::AccessDenied(m)) if m.contains("not verified")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_new_upstream_identity_becomes_a_person_with_an_id_from_the_port() {
    let mut mocks = Mocks::default();
    upstream(&mut mocks, identity(true));
    mocks
        .directory
        .expect_user_by_identity()
        .returning(|_, _| Ok(None));
    mocks
        .directory
        .expect_user_by_email()
        .returning(|_| Ok(None));
    mocks
        .directory
        .expect_create_user()
        .withf(|u| u.id == UserId::from_uuid(id_at(now())) && u.display_name == "me@example.com")
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .sessions
        .expect_put_session()
        .times(1)
        .returning(|_| Ok(()));
    let signed = finish_upstream_login(&mocks.ports(), Some("L1"), "code=x&state=y")
        .await
        .unwrap();
    assert_eq!(signed.request, "p1");
}

#[tokio::test]
async fn a_callback_without_the_login_cookie_is_refused() {
    let mocks = Mocks {
        identity: Some(MockIdentityProvider::new()),
        ..Mocks::default()
    };
    let refused = finish_upstream_login(&mocks.ports(), None, "code=x").await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidRequest(m)) if m.contains("another browser"))
    );
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_a_server_error() {
    let mut mocks = with_request();
    let mut provider = MockIdentityProvider::new();
    provider
        .expect_start_login()
        .returning(|_| Err(IdentityError::Unexpected("down".into())));
    mocks.identity = Some(provider);
    let refused = start_login(&mocks.ports(), "p1", &browser(), "cb").await;
    assert!(matches!(refused, Err(GrantError::Server { .. })));
}
