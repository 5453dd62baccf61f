use super::*;
use crate::grants::{Redemption, TokenFamily};
use crate::usecases::grants::fixtures::{
    CLIENT, Mocks, READ_ONLY_RESOURCE, REDIRECT, RESOURCE, VERIFIER, client, code, h, secret,
};

fn request(grant_type: &str) -> TokenRequest {
    TokenRequest {
        credentials: ClientCredentials {
            client_id: Some(CLIENT.into()),
            form_client_id: Some(CLIENT.into()),
            ..ClientCredentials::default()
        },
        grant_type: Some(grant_type.into()),
        ..TokenRequest::default()
    }
}

fn known(mocks: &mut Mocks) {
    mocks.knows(client());
}

#[tokio::test]
async fn a_body_naming_another_client_than_http_basic_is_refused() {
    let mut asked = request("authorization_code");
    asked.credentials.basic = true;
    asked.credentials.form_client_id = Some("pmcp-other".into());
    assert_eq!(
        exchange_token(&Mocks::default().ports(), &asked).await,
        Err(GrantError::InvalidRequest(
            "client_id in the body differs from the authenticated client".into()
        ))
    );
}

#[tokio::test]
async fn a_confidential_client_with_a_wrong_secret_is_refused() {
    let mut mocks = Mocks::default();
    let mut confidential = client();
    confidential.secret_hash = Some(h("right"));
    mocks.knows(confidential);
    let mut asked = request("authorization_code");
    asked.credentials.secret = Some("wrong".into());
    assert_eq!(
        exchange_token(&mocks.ports(), &asked).await,
        Err(GrantError::InvalidClient(
            "client authentication failed".into()
        ))
    );
}

#[tokio::test]
async fn an_unknown_client_is_told_to_register_again() {
    let mut mocks = Mocks::default();
    mocks.clients.expect_client().returning(|_, _| Ok(None));
    let refused = exchange_token(&mocks.ports(), &request("authorization_code")).await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidClient(m)) if m.contains("register the client again")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_token_for_another_resource_is_refused() {
    let mut mocks = Mocks::default();
    known(&mut mocks);
    let mut asked = request("authorization_code");
    asked.resource = Some("https://elsewhere.example/mcp".into());
    assert!(matches!(
        exchange_token(&mocks.ports(), &asked).await,
        Err(GrantError::InvalidTarget(_))
    ));
}

#[tokio::test]
async fn an_unknown_grant_type_is_unsupported() {
    let mut mocks = Mocks::default();
    known(&mut mocks);
    assert!(matches!(
        exchange_token(&mocks.ports(), &request("password")).await,
        Err(GrantError::UnsupportedGrantType(_))
    ));
}

#[tokio::test]
async fn a_code_without_a_verifier_is_refused_because_pkce_is_required() {
    let mut mocks = Mocks::default();
    known(&mut mocks);
    let mut asked = request("authorization_code");
    asked.code = Some("the-code".into());
    assert_eq!(
        exchange_token(&mocks.ports(), &asked).await,
        Err(GrantError::InvalidRequest(
            "code_verifier is missing (PKCE is required)".into()
        ))
    );
}

/// A code exchange whose code was issued for `resource`, asking for `asked`.
fn exchange_of_a_code_for(mocks: &mut Mocks, resource: &'static str) -> TokenRequest {
    known(mocks);
    mocks.consented();
    let mut issued_for = code();
    issued_for.resource = resource.into();
    mocks
        .codes
        .expect_redeem_code()
        .times(1)
        .returning(move |_, _, _| Ok(Redemption::Redeemed(issued_for.clone())));
    mocks
        .clients
        .expect_extend_client()
        .returning(|_, _| Ok(()));
    let mut asked = request("authorization_code");
    asked.code = Some("the-code".into());
    asked.code_verifier = Some(VERIFIER.into());
    asked.redirect_uri = Some(REDIRECT.into());
    asked
}

#[tokio::test]
async fn a_code_for_the_read_only_resource_issues_for_it() {
    let mut mocks = Mocks::default();
    let mut asked = exchange_of_a_code_for(&mut mocks, READ_ONLY_RESOURCE);
    asked.resource = Some(format!("{READ_ONLY_RESOURCE}/"));
    let issued = exchange_token(&mocks.ports(), &asked).await.unwrap();
    assert_eq!(issued.resource, READ_ONLY_RESOURCE);
}

#[tokio::test]
async fn a_code_for_one_resource_asked_for_the_other_is_refused_and_its_grant_revoked() {
    let mut mocks = Mocks::default();
    let mut asked = exchange_of_a_code_for(&mut mocks, READ_ONLY_RESOURCE);
    asked.resource = Some(RESOURCE.into());
    let family = code().family;
    mocks
        .refresh
        .expect_family_of()
        .withf(|hash| hash == h(&secret(1)))
        .times(1)
        .returning(move |_| {
            Ok(Some(TokenFamily {
                family,
                client_id: CLIENT.into(),
                user: crate::usecases::grants::fixtures::me(),
            }))
        });
    mocks
        .refresh
        .expect_revoke_family()
        .withf(move |f| *f == family)
        .times(1)
        .returning(|_| Ok(()));
    let refused = exchange_token(&mocks.ports(), &asked).await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidTarget(m)) if m.contains(READ_ONLY_RESOURCE)),
        "{refused:?}"
    );
}
