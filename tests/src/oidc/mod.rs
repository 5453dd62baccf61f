//! The `oidc` identity adapter against a real OpenID provider: npm `oidc-provider` on
//! 127.0.0.1 (tests/oidc/provider.mjs, installed by scripts/oidc-setup.sh), one per test.
//! The "browser" is a plain HTTP client with cookies that follows the provider's redirects by
//! hand (the provider logs its one account in and consents automatically) until the redirect
//! to our callback URL, whose query goes to `finish_login`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use adapters::oidc::OidcIdentity;
use domain::ports::{Identity, IdentityError, IdentityProvider, LoginStart};
use reqwest::Url;
use reqwest::header::LOCATION;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

pub(crate) const CLIENT_ID: &str = "platform-mcp";
pub(crate) const CLIENT_SECRET: &str = "platform-mcp-test-secret";
/// Never contacted: the test stops at the redirect to it.
const CALLBACK: &str = "http://127.0.0.1:9/oauth/login/callback";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn test_log() -> bool {
    std::env::var_os("TEST_LOG").is_some_and(|v| v == "1")
}

/// Where the provider's claims travel.
#[derive(Clone, Copy)]
enum Claims {
    /// As the OpenID spec says for the code flow: `email`, `email_verified` and `name` only
    /// from the userinfo endpoint.
    InUserinfo,
    /// In the ID token, and the provider has no userinfo endpoint at all.
    InIdTokenOnly,
}

/// The provider process; killed when dropped.
pub(crate) struct Upstream {
    pub(crate) issuer: String,
    port: u16,
    child: Child,
}

impl Upstream {
    async fn start(claims: Claims) -> Upstream {
        Upstream::start_on(claims, 0).await
    }

    /// On `port`, or a free one when 0. Every start signs with a new key.
    async fn start_on(claims: Claims, port: u16) -> Upstream {
        Upstream::launch(claims, port, CALLBACK).await
    }

    /// A provider whose one client (`platform-mcp`, secret `CLIENT_SECRET`) redirects to
    /// `redirect_uri`, claims from userinfo, on a free port.
    pub(crate) async fn for_redirect(redirect_uri: &str) -> Upstream {
        Upstream::launch(Claims::InUserinfo, 0, redirect_uri).await
    }

    async fn launch(claims: Claims, port: u16, redirect_uri: &str) -> Upstream {
        let script = root().join("tests/oidc/provider.mjs");
        assert!(
            root()
                .join("tests/oidc/node_modules/oidc-provider")
                .is_dir(),
            "npm oidc-provider is not installed: run scripts/oidc-setup.sh (or make e2e-setup)"
        );
        let mut command = Command::new("node");
        command
            .arg(&script)
            .args(["--redirect-uri", redirect_uri])
            .args(["--port", &port.to_string()])
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Claims::InIdTokenOnly = claims {
            command.arg("--claims-in-id-token");
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("could not run node ({e}): install Node.js 20+"));
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let listening = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(port) = line.strip_prefix("LISTENING ") {
                    return Some(port.trim().parse::<u16>().unwrap());
                }
            }
            None
        })
        .await;
        let Ok(Some(port)) = listening else {
            let _ = child.start_kill();
            let mut output = String::new();
            let _ = stderr.read_to_string(&mut output).await;
            panic!("the OpenID provider did not start ({listening:?}):\n{output}");
        };
        // Keep reading both pipes so the provider never blocks on a full one.
        tokio::spawn(drain(lines.into_inner()));
        tokio::spawn(drain(BufReader::new(stderr)));
        Upstream {
            issuer: format!("http://127.0.0.1:{port}"),
            port,
            child,
        }
    }

    /// Kills the provider and waits until it is gone (its port free again).
    async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }

    async fn adapter(&self) -> OidcIdentity {
        OidcIdentity::discover(&self.issuer, CLIENT_ID, Some(CLIENT_SECRET))
            .await
            .unwrap()
    }
}

/// Copies a pipe to the test's stderr with `TEST_LOG=1`, else discards it.
async fn drain<R: AsyncRead + Unpin>(pipe: BufReader<R>) {
    let mut lines = pipe.lines();
    let log = test_log();
    while let Ok(Some(line)) = lines.next_line().await {
        if log {
            eprintln!("oidc-provider | {line}");
        }
    }
}

/// Starts a login and plays the browser: follows the provider's redirects (with its cookies)
/// until it sends us to the callback, and returns that redirect's query and the pending
/// string. With `deny`, the person cancels at the provider's login.
async fn log_in(adapter: &OidcIdentity, deny: bool) -> (String, String) {
    let LoginStart::Redirect { url, pending } = adapter.start_login(CALLBACK).await.unwrap() else {
        panic!("the oidc adapter must redirect to the provider");
    };
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut next = Url::parse(&url).unwrap();
    for _ in 0..10 {
        if deny && next.path().starts_with("/interaction/") {
            next.query_pairs_mut().append_pair("deny", "1");
        }
        let response = browser.get(next.clone()).send().await.unwrap();
        let status = response.status();
        let Some(location) = response.headers().get(LOCATION).cloned() else {
            let body = response.text().await.unwrap_or_default();
            panic!("{next} answered {status} without a redirect:\n{body}");
        };
        let target = next.join(location.to_str().unwrap()).unwrap();
        if target.as_str().starts_with(CALLBACK) {
            return (target.query().unwrap_or_default().to_owned(), pending);
        }
        next = target;
    }
    panic!("the provider did not redirect to the callback within 10 hops");
}

fn alice(issuer: &str) -> Identity {
    Identity {
        issuer: issuer.to_owned(),
        subject: "alice-0001".to_owned(),
        email: Some("alice@example.test".to_owned()),
        email_verified: true,
        name: Some("Alice Example".to_owned()),
    }
}

fn refusal(result: Result<Identity, IdentityError>) -> String {
    match result {
        Err(IdentityError::Refused(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_login_at_the_provider_gives_the_identity_with_claims_from_userinfo() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let (query, pending) = log_in(&adapter, false).await;
    let identity = adapter.finish_login(&query, &pending).await.unwrap();
    assert_eq!(identity, alice(&upstream.issuer));
}

#[tokio::test]
async fn a_login_at_the_provider_gives_the_identity_with_claims_from_the_id_token() {
    let upstream = Upstream::start(Claims::InIdTokenOnly).await;
    let adapter = upstream.adapter().await;
    let (query, pending) = log_in(&adapter, false).await;
    let identity = adapter.finish_login(&query, &pending).await.unwrap();
    assert_eq!(identity, alice(&upstream.issuer));
}

#[tokio::test]
async fn the_authorization_request_uses_pkce_s256_state_nonce_and_the_scopes() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let start = adapter.start_login(CALLBACK).await.unwrap();
    let LoginStart::Redirect { url, pending } = &start else {
        panic!("expected a redirect, got {start:?}");
    };
    let url = Url::parse(url).unwrap();
    assert_eq!(url.origin().ascii_serialization(), upstream.issuer);
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {name} in {url}"))
    };
    assert_eq!(param("response_type"), "code");
    assert_eq!(param("client_id"), CLIENT_ID);
    assert_eq!(param("redirect_uri"), CALLBACK);
    assert_eq!(param("code_challenge_method"), "S256");
    let mut scopes: Vec<String> = param("scope").split(' ').map(str::to_owned).collect();
    scopes.sort();
    assert_eq!(scopes, ["email", "openid", "profile"]);
    for secret_bearing in ["state", "nonce", "code_challenge"] {
        assert!(
            param(secret_bearing).len() >= 22,
            "{secret_bearing} is too short"
        );
    }
    // Only the challenge travels; the verifier stays in the pending login.
    let pending: serde_json::Value = serde_json::from_str(pending).unwrap();
    let verifier = pending["pkce_verifier"].as_str().unwrap();
    assert!(!url.as_str().contains(verifier));
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let shown = format!("{adapter:?}");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
    let start = adapter.start_login(CALLBACK).await.unwrap();
    let LoginStart::Redirect { pending, .. } = &start else {
        panic!("expected a redirect, got {start:?}");
    };
    let shown = format!("{start:?}");
    assert!(!shown.contains(pending.as_str()), "{shown}");
    assert!(!shown.contains("pkce_verifier"), "{shown}");
}

#[tokio::test]
async fn a_callback_with_a_tampered_state_is_refused() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let (query, pending) = log_in(&adapter, false).await;
    let mut tampered = Url::parse(&format!("{CALLBACK}?{query}")).unwrap();
    let pairs: Vec<(String, String)> = tampered
        .query_pairs()
        .map(|(k, v)| match &*k {
            "state" => (k.into_owned(), format!("{v}x")),
            _ => (k.into_owned(), v.into_owned()),
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    let tampered = tampered.query().unwrap();
    let message = refusal(adapter.finish_login(tampered, &pending).await);
    assert!(message.contains("state"), "{message}");
    // The genuine callback still works: the refusal spent nothing.
    let identity = adapter.finish_login(&query, &pending).await.unwrap();
    assert_eq!(identity, alice(&upstream.issuer));
}

#[tokio::test]
async fn an_error_callback_is_refused_with_the_providers_message() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let (query, pending) = log_in(&adapter, true).await;
    assert!(query.contains("error=access_denied"), "{query}");
    let message = refusal(adapter.finish_login(&query, &pending).await);
    assert!(message.contains("access_denied"), "{message}");
    assert!(
        message.contains("The person declined to sign in"),
        "{message}"
    );
}

#[tokio::test]
async fn a_pending_login_cannot_be_finished_twice() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let (query, pending) = log_in(&adapter, false).await;
    adapter.finish_login(&query, &pending).await.unwrap();
    let message = refusal(adapter.finish_login(&query, &pending).await);
    assert!(message.contains("invalid_grant"), "{message}");
}

#[tokio::test]
async fn the_pending_login_of_another_login_is_refused() {
    let upstream = Upstream::start(Claims::InUserinfo).await;
    let adapter = upstream.adapter().await;
    let (query, _) = log_in(&adapter, false).await;
    let (_, other_pending) = log_in(&adapter, false).await;
    let message = refusal(adapter.finish_login(&query, &other_pending).await);
    assert!(message.contains("state"), "{message}");
}

#[tokio::test]
async fn a_signing_key_the_provider_rotated_in_after_discovery_is_fetched() {
    let first = Upstream::start(Claims::InUserinfo).await;
    let adapter = first.adapter().await;
    let (issuer, port) = (first.issuer.clone(), first.port);
    first.stop().await;
    // The same issuer, restarted: it signs with a key the adapter's cached JWKS lacks.
    let second = Upstream::start_on(Claims::InUserinfo, port).await;
    assert_eq!(second.issuer, issuer);
    let (query, pending) = log_in(&adapter, false).await;
    let identity = adapter.finish_login(&query, &pending).await.unwrap();
    assert_eq!(identity, alice(&issuer));
}

#[tokio::test]
async fn discovery_of_an_issuer_that_does_not_answer_fails() {
    // Port 9 (discard) on loopback: nothing listens there in a test environment.
    let result = OidcIdentity::discover("http://127.0.0.1:9", CLIENT_ID, None).await;
    assert!(
        matches!(&result, Err(IdentityError::Unexpected(m)) if m.contains("discovery")),
        "{result:?}"
    );
}
