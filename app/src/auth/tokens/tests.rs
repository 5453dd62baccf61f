use super::*;
use crate::auth::keys::generate_pem;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;

fn service() -> TokenService {
    let pem = generate_pem().unwrap();
    let keys = Arc::new(KeyRing::from_pems([pem.as_str()]).unwrap());
    TokenService::new(
        keys,
        Arc::new(adapters::system::SystemClock),
        "http://issuer".into(),
        "http://issuer/mcp".into(),
    )
}

fn scopes() -> BTreeSet<String> {
    ["data:read".to_owned(), "data:write".to_owned()].into()
}

fn user() -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(7))
}

#[test]
fn a_minted_token_verifies_into_the_principal() {
    let s = service();
    let token = s
        .mint(user(), &scopes(), "cli", Duration::from_secs(60))
        .unwrap();
    let p = s.verify(&token).unwrap();
    assert_eq!(p.user(), user());
    assert!(p.may_write());
    assert_eq!(p.client_id(), "cli");
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let s = service();
    let other = TokenService::new(
        s.keys.clone(),
        Arc::new(adapters::system::SystemClock),
        "http://issuer".into(),
        "http://elsewhere/mcp".into(),
    );
    let token = other
        .mint(user(), &scopes(), "cli", Duration::from_secs(60))
        .unwrap();
    assert!(s.verify(&token).is_err());
}

#[test]
fn a_token_from_another_issuer_is_refused() {
    let s = service();
    let other = TokenService::new(
        s.keys.clone(),
        Arc::new(adapters::system::SystemClock),
        "http://evil".into(),
        "http://issuer/mcp".into(),
    );
    let token = other
        .mint(user(), &scopes(), "cli", Duration::from_secs(60))
        .unwrap();
    assert!(s.verify(&token).is_err());
}

#[test]
fn a_token_signed_by_another_key_is_refused() {
    let s = service();
    let token = service()
        .mint(user(), &scopes(), "cli", Duration::from_secs(60))
        .unwrap();
    assert!(matches!(s.verify(&token), Err(TokenError::UnknownKey)));
}

/// A token of `s` expiring `exp_offset` seconds from now, with `header` adjusted.
fn token_expiring(s: &TokenService, exp_offset: i64, adjust: impl FnOnce(&mut Header)) -> String {
    let now = Utc::now().timestamp();
    let claims = Claims {
        iss: "http://issuer".into(),
        sub: user().to_string(),
        aud: "http://issuer/mcp".into(),
        exp: now + exp_offset,
        iat: now - 300,
        nbf: now - 300,
        jti: "j".into(),
        scope: "data:read".into(),
        client_id: "c".into(),
    };
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(s.keys.signing_kid(chrono::Utc::now()).to_owned());
    adjust(&mut header);
    jsonwebtoken::encode(&header, &claims, &s.keys.signing_key(chrono::Utc::now())).unwrap()
}

#[test]
fn an_expired_token_is_refused() {
    let s = service();
    assert!(s.verify(&token_expiring(&s, -120, |_| {})).is_err());
}

#[test]
fn the_clock_skew_tolerated_is_five_seconds() {
    let s = service();
    assert!(
        s.verify(&token_expiring(&s, -10, |_| {})).is_err(),
        "10 s past exp"
    );
    assert!(
        s.verify(&token_expiring(&s, -2, |_| {})).is_ok(),
        "2 s past exp"
    );
}

#[test]
fn a_token_with_critical_header_extensions_is_refused() {
    let s = service();
    let token = token_expiring(&s, 60, |h| h.crit = Some(vec!["exp".into()]));
    assert!(s.verify(&token).is_err());
    let empty = token_expiring(&s, 60, |h| h.crit = Some(vec![]));
    assert!(s.verify(&empty).is_err());
}

#[test]
fn an_unsigned_token_is_refused() {
    let s = service();
    let token = s
        .mint(user(), &scopes(), "cli", Duration::from_secs(60))
        .unwrap();
    let mut parts = token.split('.');
    let _header = parts.next();
    let payload = parts.next().unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let forged = format!("{none_header}.{payload}.");
    assert!(s.verify(&forged).is_err());
}

#[test]
fn garbage_is_refused() {
    assert!(service().verify("not-a-jwt").is_err());
}

#[test]
fn a_token_verified_once_is_answered_from_memory_and_a_forgery_still_is_not() {
    let s = service();
    let token = s
        .mint(user(), &scopes(), "cli", Duration::from_secs(60))
        .unwrap();
    let first = s.verify(&token).unwrap();
    assert_eq!(s.verified.len(), 1);
    assert_eq!(s.verify(&token).unwrap(), first);
    assert_eq!(s.verified.len(), 1, "no second entry for the same token");
    // The same claims under another signature are not the remembered token.
    let (head, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{head}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
    assert!(s.verify(&forged).is_err());
}
