use super::*;
use crate::grants::TokenFamily;
use crate::usecases::grants::fixtures::{CLIENT, Mocks, client, code, h, me};

fn credentials() -> ClientCredentials {
    ClientCredentials {
        client_id: Some(CLIENT.into()),
        ..ClientCredentials::default()
    }
}

fn issued_to(client_id: &'static str) -> Mocks {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    mocks
        .refresh
        .expect_family_of()
        .withf(|hash| hash == h("token"))
        .returning(move |_| {
            Ok(Some(TokenFamily {
                family: code().family,
                client_id: client_id.into(),
                user: me(),
            }))
        });
    mocks
}

#[tokio::test]
async fn a_client_revokes_the_whole_grant_of_its_own_token() {
    let mut mocks = issued_to(CLIENT);
    let family = code().family;
    mocks
        .refresh
        .expect_revoke_family()
        .withf(move |f| *f == family)
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .consents
        .expect_revoke_consent()
        .withf(|user, client_id| *user == me() && client_id == CLIENT)
        .times(1)
        .returning(|_, _| Ok(true));
    assert_eq!(
        revoke_token(&mocks.ports(), &credentials(), Some("token"), None).await,
        Ok(Revocation::Revoked {
            client_id: CLIENT.into()
        })
    );
}

#[tokio::test]
async fn a_client_cannot_revoke_another_clients_token() {
    let outcome = revoke_token(
        &issued_to("pmcp-other").ports(),
        &credentials(),
        Some("token"),
        None,
    )
    .await;
    assert_eq!(
        outcome,
        Ok(Revocation::NotTheClients {
            client_id: CLIENT.into()
        })
    );
}

#[tokio::test]
async fn a_revocation_without_a_token_is_refused() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    assert_eq!(
        revoke_token(&mocks.ports(), &credentials(), Some(""), None).await,
        Err(GrantError::InvalidRequest("token is missing".into()))
    );
}

#[tokio::test]
async fn an_access_token_of_the_client_revokes_its_grant() {
    let mut mocks = Mocks::default();
    mocks.knows(client());
    mocks.refresh.expect_family_of().returning(|_| Ok(None));
    mocks
        .consents
        .expect_revoke_consent()
        .withf(|user, client_id| *user == me() && client_id == CLIENT)
        .times(1)
        .returning(|_, _| Ok(true));
    let access = crate::model::Principal::authenticated(me(), Default::default(), CLIENT.into());
    assert_eq!(
        revoke_token(&mocks.ports(), &credentials(), Some("jwt"), Some(&access)).await,
        Ok(Revocation::Revoked {
            client_id: CLIENT.into()
        })
    );
    let other = crate::model::Principal::authenticated(me(), Default::default(), "x".into());
    let mut mocks = Mocks::default();
    mocks.knows(client());
    mocks.refresh.expect_family_of().returning(|_| Ok(None));
    assert!(matches!(
        revoke_token(&mocks.ports(), &credentials(), Some("jwt"), Some(&other)).await,
        Ok(Revocation::NotTheClients { .. })
    ));
}
