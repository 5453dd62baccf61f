//! Cross-site request forgery on the login and consent steps: a pending authorization
//! request belongs to the browser that started it, and a consent page to the login session
//! that saw it. Each test is an attack that worked before the binding.

use super::flow::*;
use crate::e2e::harness::{TestServer, e2e};

/// What an attacker holds after starting a request in their own browser: the request id
/// and the login form's CSRF token.
struct Started {
    request: String,
    csrf: String,
}

/// Starts an authorization request in `browser` and reads its login form.
async fn start(server: &TestServer, browser: &reqwest::Client, client_id: &str) -> Started {
    let (_, challenge) = pkce();
    let url = authorize_url(server, client_id, &challenge, &[]);
    let response = browser.get(url.as_str()).send().await.unwrap();
    let to = location(&response);
    let request = to
        .strip_prefix("/oauth/consent?request=")
        .unwrap_or_else(|| panic!("authorize sent the browser to {to}"))
        .to_owned();
    let response = browser
        .get(format!("{}/oauth/login?request={request}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    Started {
        request,
        csrf: hidden(&html, "csrf"),
    }
}

/// A browser with a login session for `email` (it went through a whole flow).
async fn signed_in(server: &TestServer, email: &str) -> reqwest::Client {
    let browser = browser();
    let client_id = register(server).await;
    let (_, challenge) = pkce();
    let url = authorize_url(server, &client_id, &challenge, &[]);
    approve(server, &browser, &url, email, "write").await;
    browser
}

/// Posts "allow, read-write" on the consent form of `request` with `token`.
async fn allow(
    server: &TestServer,
    browser: &reqwest::Client,
    request: &str,
    token: &str,
) -> reqwest::Response {
    browser
        .post(format!("{}/oauth/consent", server.base))
        .form(&[
            ("request", request),
            ("csrf", token),
            ("decision", "allow"),
            ("access", "write"),
        ])
        .send()
        .await
        .unwrap()
}

fn refused_without_redirect(status: u16, location: Option<&reqwest::header::HeaderValue>) {
    assert_eq!(status, 400);
    assert!(location.is_none(), "redirected to {location:?}");
}

async fn a_consent_posted_from_another_browser_is_refused(server: TestServer) {
    let victim_email = person(&server).await;
    let victim = signed_in(&server, &victim_email).await;
    let attacker_client = register(&server).await;
    let attack = start(&server, &browser(), &attacker_client).await;
    // The victim's browser is made to post the consent form of the attacker's request.
    let response = allow(&server, &victim, &attack.request, &attack.csrf).await;
    refused_without_redirect(
        response.status().as_u16(),
        response.headers().get("location"),
    );
}
e2e!(a_consent_posted_from_another_browser_is_refused);

async fn a_login_posted_from_another_browser_is_refused(server: TestServer) {
    let attacker_email = person(&server).await;
    let client_id = register(&server).await;
    let attack = start(&server, &browser(), &client_id).await;
    // Login CSRF: the victim's browser is made to sign in as the attacker.
    let response = browser()
        .post(format!("{}/oauth/login", server.base))
        .form(&[
            ("request", attack.request.as_str()),
            ("csrf", attack.csrf.as_str()),
            ("email", attacker_email.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        response.headers().get("set-cookie").is_none(),
        "a session was started"
    );
    refused_without_redirect(
        response.status().as_u16(),
        response.headers().get("location"),
    );
}
e2e!(a_login_posted_from_another_browser_is_refused);

async fn another_browser_sees_no_token_of_a_pending_request(server: TestServer) {
    let client_id = register(&server).await;
    let attack = start(&server, &browser(), &client_id).await;
    for path in ["login", "consent"] {
        let response = browser()
            .get(format!(
                "{}/oauth/{path}?request={}",
                server.base, attack.request
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body = response.text().await.unwrap();
        assert!(!body.contains(&attack.csrf), "{path} shows the token");
        assert!(body.contains("another browser"), "{body}");
    }
}
e2e!(another_browser_sees_no_token_of_a_pending_request);

async fn a_consent_page_is_bound_to_the_session_that_saw_it(server: TestServer) {
    let first = person(&server).await;
    let second = person(&server).await;
    let browser = signed_in(&server, &first).await;
    let client_id = register(&server).await;
    let (_, challenge) = pkce();
    let url = authorize_url(&server, &client_id, &challenge, &[]);
    let mut response = browser.get(url.as_str()).send().await.unwrap();
    while response.status().is_redirection() {
        let next = absolute(&server, &location(&response));
        response = browser.get(&next).send().await.unwrap();
    }
    let html = response.text().await.unwrap();
    assert!(html.contains("action=\"/oauth/consent\""), "{html}");
    let (request, token) = (hidden(&html, "request"), hidden(&html, "csrf"));
    // The browser's session changes: someone signs in as another person in it.
    let other = start(&server, &browser, &client_id).await;
    let login = browser
        .post(format!("{}/oauth/login", server.base))
        .form(&[
            ("request", other.request.as_str()),
            ("csrf", other.csrf.as_str()),
            ("email", second.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection());
    let response = allow(&server, &browser, &request, &token).await;
    refused_without_redirect(
        response.status().as_u16(),
        response.headers().get("location"),
    );
}
e2e!(a_consent_page_is_bound_to_the_session_that_saw_it);
