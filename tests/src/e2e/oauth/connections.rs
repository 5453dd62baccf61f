//! The connected-applications page: lists what the person allowed; Revoke forgets the
//! approval and ends the application's refresh tokens.

use super::flow::*;
use crate::e2e::harness::{TestServer, e2e};

async fn a_person_sees_and_revokes_a_connected_application(server: TestServer) {
    let email = person(&server).await;
    let client_id = register(&server).await;
    let (verifier, challenge) = pkce();
    let browser = browser();
    let back = approve(
        &server,
        &browser,
        &authorize_url(&server, &client_id, &challenge, &[]),
        &email,
        "read",
    )
    .await;
    let (_, tokens, _) = exchange(
        &server,
        &client_id,
        &verifier,
        &param(&back, "code").unwrap(),
    )
    .await;
    let page = browser
        .get(format!("{}/oauth/connections", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Test client") && html.contains("Read only"),
        "{html}"
    );
    let form = [
        ("csrf", hidden(&html, "csrf")),
        ("client_id", client_id.clone()),
    ];
    let revoked = browser
        .post(format!("{}/oauth/connections/revoke", server.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 303);
    let after = browser
        .get(format!("{}/oauth/connections", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("No application has access"), "{after}");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, _, _) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        status, 400,
        "the revoked application's refresh token is dead"
    );
}
e2e!(a_person_sees_and_revokes_a_connected_application);

async fn the_connections_page_signs_a_person_in_and_refuses_a_forged_revoke(server: TestServer) {
    let email = person(&server).await;
    let browser = browser();
    let html = browser
        .get(format!("{}/oauth/connections", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&html, "csrf");
    let login = browser
        .post(format!("{}/oauth/connections/login", server.base))
        .form(&[("csrf", csrf.as_str()), ("email", email.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let page = browser
        .get(format!("{}/oauth/connections", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("No application has access"), "{page}");
    let forged = browser
        .post(format!("{}/oauth/connections/revoke", server.base))
        .form(&[("csrf", "forged"), ("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
}
e2e!(the_connections_page_signs_a_person_in_and_refuses_a_forged_revoke);
