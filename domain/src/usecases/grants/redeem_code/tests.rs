use chrono::TimeDelta;

use super::*;
use crate::grants::{ClientSource, Redemption};
use crate::usecases::grants::fixtures::{
    CLIENT, Mocks, REDIRECT, VERIFIER, client, code, grant, h, me, now, secret,
};

fn presented(redirect_uri: Option<&'static str>, verifier: &'static str) -> Redeem<'static> {
    Redeem {
        code: "the-code",
        verifier,
        redirect_uri,
    }
}

fn redeems(mocks: &mut Mocks, outcome: Redemption) {
    mocks
        .codes
        .expect_redeem_code()
        .times(1)
        .returning(move |_, _, _| Ok(outcome.clone()));
}

#[tokio::test]
async fn a_code_is_redeemed_once_for_its_grant_with_a_new_refresh_token() {
    let mut mocks = Mocks::default();
    mocks.consented();
    mocks
        .codes
        .expect_redeem_code()
        .withf(|hash, first, at| {
            hash == h("the-code")
                && first.token_hash == h(&secret(1))
                && first.expires_at == now() + TimeDelta::days(30)
                && *at == now()
        })
        .times(1)
        .returning(|_, _, _| Ok(Redemption::Redeemed(code())));
    mocks
        .clients
        .expect_extend_client()
        .withf(|id, until| id == CLIENT && until.is_none())
        .times(1)
        .returning(|_, _| Ok(()));
    let issued = redeem_code(
        &mocks.ports(),
        &client(),
        &presented(Some(REDIRECT), VERIFIER),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            issued.user,
            issued.scopes,
            issued.grant,
            issued.refresh_token
        ),
        (me(), code().scopes, grant(), secret(1))
    );
}

#[tokio::test]
async fn a_used_code_is_refused_and_the_grant_it_started_is_revoked() {
    let mut mocks = Mocks::default();
    let family = code().family;
    redeems(&mut mocks, Redemption::AlreadyUsed { family });
    mocks
        .refresh
        .expect_revoke_family()
        .withf(move |f| *f == family)
        .times(1)
        .returning(|_| Ok(()));
    let refused = redeem_code(
        &mocks.ports(),
        &client(),
        &presented(Some(REDIRECT), VERIFIER),
    )
    .await;
    assert!(matches!(
        refused,
        Err(GrantError::Replayed {
            what: Replay::Code,
            ..
        })
    ));
}

#[tokio::test]
async fn an_unknown_or_expired_code_is_refused_and_nothing_is_revoked() {
    let mut mocks = Mocks::default();
    redeems(&mut mocks, Redemption::Unknown);
    let refused = redeem_code(
        &mocks.ports(),
        &client(),
        &presented(Some(REDIRECT), VERIFIER),
    )
    .await;
    assert_eq!(
        refused,
        Err(GrantError::InvalidGrant(
            "the code is unknown or expired".into()
        ))
    );
}

/// The refusals after a redemption: the token stored with it is revoked.
async fn refused_after_redemption(
    client: crate::grants::OAuthClient,
    presented: Redeem<'static>,
) -> GrantError {
    let mut mocks = Mocks::default();
    redeems(&mut mocks, Redemption::Redeemed(code()));
    let family = code().family;
    mocks
        .refresh
        .expect_revoke_family()
        .withf(move |f| *f == family)
        .times(1)
        .returning(|_| Ok(()));
    redeem_code(&mocks.ports(), &client, &presented)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_code_presented_by_another_client_is_refused() {
    let mut other = client();
    other.client_id = "pmcp-other".into();
    assert_eq!(
        refused_after_redemption(other, presented(Some(REDIRECT), VERIFIER)).await,
        GrantError::InvalidGrant("the code was issued to another client".into())
    );
}

#[tokio::test]
async fn a_code_with_another_redirect_uri_is_refused() {
    for uri in [Some("https://claude.ai/elsewhere"), None] {
        assert_eq!(
            refused_after_redemption(client(), presented(uri, VERIFIER)).await,
            GrantError::InvalidGrant(
                "redirect_uri does not match the authorization request".into()
            )
        );
    }
}

#[tokio::test]
async fn a_code_with_a_verifier_that_does_not_match_its_challenge_is_refused() {
    assert_eq!(
        refused_after_redemption(client(), presented(Some(REDIRECT), "another-verifier")).await,
        GrantError::InvalidGrant("code_verifier does not match the code_challenge".into())
    );
}

#[tokio::test]
async fn an_operator_client_is_not_extended_by_a_redemption() {
    let mut mocks = Mocks::default();
    mocks.consented();
    redeems(&mut mocks, Redemption::Redeemed(code()));
    let mut operator = client();
    operator.source = ClientSource::Operator;
    operator.expires_at = None;
    assert!(
        redeem_code(
            &mocks.ports(),
            &operator,
            &presented(Some(REDIRECT), VERIFIER)
        )
        .await
        .is_ok()
    );
}
