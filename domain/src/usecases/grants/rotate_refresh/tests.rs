use chrono::TimeDelta;

use super::*;
use crate::grants::{RefreshToken, TokenFamily};
use crate::usecases::grants::fixtures::{
    CLIENT, Mocks, RESOURCE, client, consent, grant, h, id_at, me, now, secret,
};

/// A current token of a grant consented `age` ago.
fn token(age: TimeDelta) -> RefreshToken {
    RefreshToken {
        token_hash: h("presented"),
        family: id_at(now() - age),
        client_id: CLIENT.into(),
        user: me(),
        scopes: vec!["openid".into(), "data:read".into(), "data:write".into()],
        resource: RESOURCE.into(),
        expires_at: now() + TimeDelta::days(1),
    }
}

fn in_family(mocks: &mut Mocks, token: &RefreshToken) {
    let found = TokenFamily {
        family: token.family,
        client_id: token.client_id.clone(),
        user: token.user,
    };
    mocks.consented();
    mocks
        .refresh
        .expect_family_of()
        .withf(|hash| hash == h("presented"))
        .returning(move |_| Ok(Some(found.clone())));
}

fn rotates(mocks: &mut Mocks, outcome: Rotation) {
    mocks
        .refresh
        .expect_rotate_refresh()
        .times(1)
        .returning(move |_, _, _| Ok(outcome.clone()));
}

#[tokio::test]
async fn a_current_token_is_rotated_into_a_new_one_with_the_same_grant() {
    let mut mocks = Mocks::default();
    let current = token(TimeDelta::days(1));
    in_family(&mut mocks, &current);
    let old = current.clone();
    mocks
        .refresh
        .expect_rotate_refresh()
        .withf(|presented, next, at| {
            presented == h("presented")
                && next.token_hash == h(&secret(1))
                && next.expires_at == now() + TimeDelta::days(30)
                && *at == now()
        })
        .times(1)
        .returning(move |_, _, _| Ok(Rotation::Rotated(old.clone())));
    let issued = rotate_refresh(&mocks.ports(), &client(), "presented", None)
        .await
        .unwrap();
    assert_eq!(
        (issued.user, issued.scopes, issued.refresh_token),
        (me(), current.scopes, secret(1))
    );
}

#[tokio::test]
async fn a_rotated_token_presented_again_is_refused_as_a_replay() {
    let mut mocks = Mocks::default();
    in_family(&mut mocks, &token(TimeDelta::days(1)));
    rotates(&mut mocks, Rotation::Reused);
    let refused = rotate_refresh(&mocks.ports(), &client(), "presented", None).await;
    assert!(matches!(
        refused,
        Err(GrantError::Replayed {
            what: Replay::RefreshToken,
            ..
        })
    ));
}

#[tokio::test]
async fn an_unknown_token_is_refused() {
    let mut mocks = Mocks::default();
    mocks.refresh.expect_family_of().returning(|_| Ok(None));
    assert_eq!(
        rotate_refresh(&mocks.ports(), &client(), "presented", None).await,
        Err(unknown())
    );
}

#[tokio::test]
async fn a_grant_past_its_maximum_age_is_refused_without_rotating() {
    let mut mocks = Mocks::default();
    in_family(&mut mocks, &token(TimeDelta::days(91)));
    let refused = rotate_refresh(&mocks.ports(), &client(), "presented", None).await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidGrant(m)) if m.contains("maximum age")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_next_token_expires_no_later_than_its_grant() {
    let mut mocks = Mocks::default();
    let current = token(TimeDelta::days(89));
    in_family(&mut mocks, &current);
    let old = current.clone();
    mocks
        .refresh
        .expect_rotate_refresh()
        .withf(|_, next, _| next.expires_at == now() + TimeDelta::days(1))
        .times(1)
        .returning(move |_, _, _| Ok(Rotation::Rotated(old.clone())));
    assert!(
        rotate_refresh(&mocks.ports(), &client(), "presented", None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_narrower_scope_may_be_asked_for() {
    let mut mocks = Mocks::default();
    let current = token(TimeDelta::days(1));
    in_family(&mut mocks, &current);
    rotates(&mut mocks, Rotation::Rotated(current));
    let issued = rotate_refresh(&mocks.ports(), &client(), "presented", Some("data:read"))
        .await
        .unwrap();
    assert_eq!(issued.scopes, vec!["data:read".to_owned()]);
}

#[tokio::test]
async fn a_scope_the_grant_does_not_hold_is_refused() {
    let mut mocks = Mocks::default();
    let mut current = token(TimeDelta::days(1));
    current.scopes = vec!["data:read".into()];
    in_family(&mut mocks, &current);
    rotates(&mut mocks, Rotation::Rotated(current));
    assert_eq!(
        rotate_refresh(
            &mocks.ports(),
            &client(),
            "presented",
            Some("data:read data:write")
        )
        .await,
        Err(GrantError::InvalidScope(
            "scope data:write was not granted".into()
        ))
    );
}

#[tokio::test]
async fn a_token_of_another_client_is_refused_and_its_family_revoked() {
    let mut mocks = Mocks::default();
    let mut current = token(TimeDelta::days(1));
    current.client_id = "pmcp-other".into();
    in_family(&mut mocks, &current);
    let family = current.family;
    rotates(&mut mocks, Rotation::Rotated(current));
    mocks
        .refresh
        .expect_revoke_family()
        .withf(move |f| *f == family)
        .times(1)
        .returning(|_| Ok(()));
    assert_eq!(
        rotate_refresh(&mocks.ports(), &client(), "presented", None).await,
        Err(GrantError::InvalidGrant(
            "the refresh token was issued to another client".into()
        ))
    );
}

#[tokio::test]
async fn a_rotation_under_a_revoked_consent_is_refused_and_ends_the_family() {
    let mut mocks = Mocks::default();
    let current = token(TimeDelta::days(1));
    let family = current.family;
    mocks.refresh.expect_family_of().returning(move |_| {
        Ok(Some(TokenFamily {
            family,
            client_id: CLIENT.into(),
            user: me(),
        }))
    });
    let rotated = current.clone();
    mocks
        .refresh
        .expect_rotate_refresh()
        .returning(move |_, _, _| Ok(Rotation::Rotated(rotated.clone())));
    mocks.consents.expect_consent().returning(|_, _| Ok(None));
    mocks
        .refresh
        .expect_revoke_family()
        .withf(move |f| *f == family)
        .times(1)
        .returning(|_| Ok(()));
    let refused = rotate_refresh(&mocks.ports(), &client(), "presented", None).await;
    assert!(matches!(refused, Err(GrantError::InvalidGrant(_))));
}

#[tokio::test]
async fn a_rotation_after_a_read_only_re_consent_loses_data_write() {
    let mut mocks = Mocks::default();
    let current = token(TimeDelta::days(1));
    let family = current.family;
    mocks.refresh.expect_family_of().returning(move |_| {
        Ok(Some(TokenFamily {
            family,
            client_id: CLIENT.into(),
            user: me(),
        }))
    });
    let rotated = current.clone();
    mocks
        .refresh
        .expect_rotate_refresh()
        .returning(move |_, _, _| Ok(Rotation::Rotated(rotated.clone())));
    mocks.consents.expect_consent().returning(|_, _| {
        let mut read_only = consent();
        read_only.scopes = vec!["data:read".into()];
        Ok(Some(read_only))
    });
    let issued = rotate_refresh(&mocks.ports(), &client(), "presented", None)
        .await
        .unwrap();
    assert_eq!(issued.scopes, ["openid", "data:read"]);
    assert_eq!(issued.grant, grant());
}
