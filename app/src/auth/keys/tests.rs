use std::sync::Mutex;

use async_trait::async_trait;

use super::*;

/// Signing keys in memory.
#[derive(Default)]
struct Stored(Mutex<Vec<SigningKeyRecord>>);

#[async_trait]
impl SigningKeyStore for Stored {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let mut keys = self.0.lock().unwrap().clone();
        keys.sort_by_key(|k| std::cmp::Reverse(k.created_at));
        Ok(keys)
    }

    async fn add_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError> {
        self.0.lock().unwrap().push(key.clone());
        Ok(())
    }
}

fn kid_of(pem: &str) -> String {
    KeyRing::from_pems([pem])
        .unwrap()
        .signing_kid(chrono::Utc::now())
}

#[test]
fn a_generated_key_parses_and_publishes_a_public_jwk_with_its_kid() {
    let pem = generate_pem().unwrap();
    let ring = KeyRing::from_pems([pem.as_str()]).unwrap();
    let jwks = serde_json::to_value(ring.jwks()).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], ring.signing_kid(chrono::Utc::now()));
    assert_eq!(jwks["keys"][0]["crv"], "P-256");
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "no private part published"
    );
}

#[test]
fn the_newest_key_signs_and_every_key_verifies() {
    let newer = generate_pem().unwrap();
    let older = generate_pem().unwrap();
    let ring = KeyRing::from_pems([newer.as_str(), older.as_str()]).unwrap();
    let old_kid = kid_of(&older);
    assert_ne!(ring.signing_kid(chrono::Utc::now()), old_kid);
    assert_eq!(ring.signing_kid(chrono::Utc::now()), kid_of(&newer));
    assert!(ring.verifying_key(&old_kid).is_some());
    assert_eq!(ring.jwks().keys.len(), 2);
}

#[test]
fn a_pem_that_is_not_a_p256_key_is_refused() {
    assert!(
        KeyRing::from_pems(["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
            .is_err()
    );
}

#[test]
fn a_rotated_key_is_published_at_once_but_signs_only_from_its_activation() {
    let now = Utc::now();
    let old = new_record(now - chrono::Duration::days(1), Duration::ZERO).unwrap();
    let next = new_record(now, Duration::from_secs(300)).unwrap();
    let ring = KeyRing::from_records(&[next.clone(), old.clone()]).unwrap();
    let published: Vec<_> = ring
        .jwks()
        .keys
        .iter()
        .filter_map(|k| k.common.key_id.clone())
        .collect();
    assert!(published.contains(&next.kid) && published.contains(&old.kid));
    assert!(ring.verifying_key(&next.kid).is_some());
    assert_eq!(
        ring.signer(now).0,
        old.kid,
        "the pending key does not sign yet"
    );
    let later = now + chrono::Duration::seconds(301);
    assert_eq!(ring.signer(later).0, next.kid, "it signs once active");
    assert!(
        ring.verifying_key(&old.kid).is_some(),
        "old tokens still verify"
    );
}

#[test]
fn with_no_key_active_yet_the_first_to_activate_signs() {
    let now = Utc::now();
    let soon = new_record(now, Duration::from_secs(60)).unwrap();
    let later = new_record(now, Duration::from_secs(600)).unwrap();
    let ring = KeyRing::from_records(&[later, soon.clone()]).unwrap();
    assert_eq!(ring.signer(now).0, soon.kid);
}

#[tokio::test]
async fn a_reload_brings_a_key_rotated_elsewhere_without_changing_the_signer_early() {
    let store: Arc<dyn SigningKeyStore> = Arc::new(Stored::default());
    let ring = KeyRing::load(None, &store, chrono::Utc::now())
        .await
        .unwrap();
    let first = ring.signing_kid(chrono::Utc::now());
    assert!(
        !ring.reload(store.as_ref()).await.unwrap(),
        "nothing new yet"
    );
    // Another process rotates (the admin CLI).
    let next = rotate(store.as_ref(), chrono::Utc::now(), Duration::from_secs(300))
        .await
        .unwrap();
    assert!(
        ring.verifying_key(&next.kid).is_none(),
        "not known before the reload"
    );
    assert!(ring.reload(store.as_ref()).await.unwrap());
    assert!(ring.verifying_key(&next.kid).is_some());
    assert_eq!(ring.jwks().keys.len(), 2);
    assert_eq!(
        ring.signing_kid(chrono::Utc::now()),
        first,
        "the old key signs until the lead passes"
    );
    let after = Utc::now() + chrono::Duration::seconds(301);
    assert_eq!(ring.signer(after).0, next.kid);
}

#[tokio::test]
async fn a_configured_key_ignores_the_stored_ones() {
    let store: Arc<dyn SigningKeyStore> = Arc::new(Stored::default());
    let pem = SecretString::from(generate_pem().unwrap());
    let ring = KeyRing::load(Some(&pem), &store, chrono::Utc::now())
        .await
        .unwrap();
    assert!(store.signing_keys().await.unwrap().is_empty());
    assert_eq!(
        ring.signing_kid(chrono::Utc::now()),
        kid_of(pem.expose_secret())
    );
}
