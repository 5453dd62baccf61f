use super::*;
use crate::grants::Consent;
use crate::usecases::grants::fixtures::{CLIENT, Mocks, browser, client, me, now, secret};

fn matching() -> CsrfPair {
    CsrfPair {
        cookie: Some("c".repeat(43)),
        submitted: "c".repeat(43),
    }
}

#[tokio::test]
async fn the_page_lists_each_approved_client_by_name_with_its_access() {
    let mut mocks = Mocks::default();
    mocks.signed_in("session-1", me());
    mocks.knows(client());
    mocks.consents.expect_consents_of().returning(|user| {
        Ok(vec![
            Consent {
                last_used_at: None,
                user,
                grant: crate::usecases::grants::fixtures::grant(),
                projects: crate::model::GrantProjects::All,
                client_id: CLIENT.into(),
                scopes: vec!["data:read".into(), "data:write".into()],
                granted_at: now(),
            },
            Consent {
                last_used_at: None,
                user,
                grant: crate::usecases::grants::fixtures::grant(),
                projects: crate::model::GrantProjects::All,
                client_id: "pmcp-gone".into(),
                scopes: vec!["data:read".into()],
                granted_at: now(),
            },
        ])
    });
    let list = connections(&mocks.ports(), &browser())
        .await
        .unwrap()
        .unwrap();
    let shown: Vec<(&str, bool)> = list
        .iter()
        .map(|c| (c.client_name.as_str(), c.write))
        .collect();
    assert_eq!(shown, [("Claude", true), ("pmcp-gone", false)]);
}

#[tokio::test]
async fn a_revocation_with_a_csrf_field_other_than_the_cookie_is_refused() {
    let forged = CsrfPair {
        cookie: Some("c".repeat(43)),
        submitted: "d".repeat(43),
    };
    assert!(matches!(
        revoke_connection(&Mocks::default().ports(), &browser(), &forged, CLIENT).await,
        Err(GrantError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn a_revocation_forgets_the_signed_in_persons_approval() {
    let mut mocks = Mocks::default();
    mocks.signed_in("session-1", me());
    mocks
        .consents
        .expect_revoke_consent()
        .withf(|user, client_id| *user == me() && client_id == CLIENT)
        .times(1)
        .returning(|_, _| Ok(true));
    assert_eq!(
        revoke_connection(&mocks.ports(), &browser(), &matching(), CLIENT).await,
        Ok(true)
    );
}

#[test]
fn a_short_csrf_cookie_is_replaced() {
    let ports = Mocks::default().ports();
    assert_eq!(
        connections_csrf(&ports, Some("short")),
        Ok((secret(1), true))
    );
    let long = "c".repeat(43);
    assert_eq!(
        connections_csrf(&ports, Some(&long)),
        Ok((long.clone(), false))
    );
}
