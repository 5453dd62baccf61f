//! Signing-key rotation on real storage (SQLite and PostgreSQL): a key stored by
//! `admin keys rotate` is published by an instance at its next reload, signs only once its
//! lead has passed, and every token signed before keeps verifying.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use app::auth::keys::{KeyRing, rotate};
use app::auth::tokens::TokenService;
use domain::model::UserId;
use domain::ports::SigningKeyStore;

const LEAD: Duration = Duration::from_secs(300);

fn tokens(ring: Arc<KeyRing>) -> TokenService {
    TokenService::new(
        ring,
        Arc::new(adapters::system::SystemClock),
        "http://issuer".into(),
        "http://issuer/mcp".into(),
    )
}

async fn a_rotated_key_is_published_on_reload_and_signs_after_its_lead(
    store: Arc<dyn SigningKeyStore>,
) {
    // Two instances on the same storage.
    let one = Arc::new(
        KeyRing::load(None, &store, chrono::Utc::now())
            .await
            .unwrap(),
    );
    let two = Arc::new(
        KeyRing::load(None, &store, chrono::Utc::now())
            .await
            .unwrap(),
    );
    let first = one.signing_kid(chrono::Utc::now());
    assert_eq!(
        two.signing_kid(chrono::Utc::now()),
        first,
        "instances share the stored key"
    );
    let scopes: BTreeSet<String> = ["data:read".to_owned()].into();
    let user = UserId::from_uuid(uuid::Uuid::from_u128(7));
    let old_token = tokens(one.clone())
        .mint(
            user,
            &scopes,
            "c",
            domain::model::GrantId::from_uuid(uuid::Uuid::from_u128(1)),
            Duration::from_secs(600),
        )
        .unwrap();

    let record = rotate(store.as_ref(), chrono::Utc::now(), LEAD)
        .await
        .unwrap();
    let stored = store.signing_keys().await.unwrap();
    let kept = stored.iter().find(|k| k.kid == record.kid).unwrap();
    let drift = (kept.activates_at - record.activates_at)
        .num_milliseconds()
        .abs();
    assert!(
        drift <= 1,
        "activates_at kept as stored: {kept:?} vs {record:?}"
    );

    assert!(two.verifying_key(&record.kid).is_none());
    assert!(two.reload(store.as_ref()).await.unwrap(), "the set changed");
    assert!(
        two.verifying_key(&record.kid).is_some(),
        "published at once"
    );
    assert_eq!(two.jwks().keys.len(), 2);
    assert_eq!(
        two.signing_kid(chrono::Utc::now()),
        first,
        "the new key waits for its lead"
    );
    let later = record.activates_at + chrono::Duration::seconds(1);
    assert_eq!(two.signer(later).0, record.kid, "and signs after it");
    assert!(
        tokens(two).verify(&old_token).is_ok(),
        "a token signed by the old key still verifies after the reload"
    );
}

mod postgres {
    #[sqlx::test(migrations = "../migrations/postgres")]
    async fn a_rotated_key_is_published_on_reload_and_signs_after_its_lead(
        _: sqlx::postgres::PgPoolOptions,
        connect: sqlx::postgres::PgConnectOptions,
    ) {
        let harness = crate::support::PgHarness::open(connect).await;
        super::a_rotated_key_is_published_on_reload_and_signs_after_its_lead(harness.store()).await;
        harness.close().await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread")]
    async fn a_rotated_key_is_published_on_reload_and_signs_after_its_lead() {
        let harness = crate::support::SqliteHarness::open().await;
        super::a_rotated_key_is_published_on_reload_and_signs_after_its_lead(harness.store()).await;
    }
}

/// The admin command refuses a lead shorter than the reload interval.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_refuses_a_lead_shorter_than_the_reload_interval() {
    use app::cli::{Cli, run};
    use clap::Parser;

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("platform-mcp.toml");
    let url = format!("sqlite://{}/keys.db?mode=rwc", dir.path().display());
    std::fs::write(&config, format!("[database]\nurl = \"{url}\"\n")).unwrap();
    let config = config.to_str().unwrap();
    let rotate = |lead: &'static str| {
        let argv = [
            "platform-mcp",
            "--config",
            config,
            "admin",
            "keys",
            "rotate",
            "--lead",
            lead,
        ];
        run(Cli::try_parse_from(argv).unwrap())
    };
    let err = format!("{:#}", rotate("1s").await.unwrap_err());
    assert!(err.contains("key_reload_interval"), "{err}");
    rotate("2m").await.unwrap();
}
