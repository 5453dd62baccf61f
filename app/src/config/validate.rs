//! The checks of settings that each key's own type cannot make: limits, and the rules
//! between keys. A failed check stops start-up with a message naming the key.

use std::time::Duration;

use anyhow::bail;
use url::Url;

use super::{IdentityKind, Settings};

impl Settings {
    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if matches!(&self.server.allowed_hosts, Some(list) if list.is_empty()) {
            bail!(
                "server.allowed_hosts is empty, which would turn off DNS-rebinding protection; list the host names clients use (e.g. [\"mcp.example.com\"]) or leave it unset"
            );
        }
        if matches!(&self.server.allowed_origins, Some(list) if list.is_empty()) {
            bail!(
                "server.allowed_origins is empty; list the browser origins to accept or leave it unset"
            );
        }
        if let Some(public) = &self.server.public_url
            && (public.path() != "/" || public.query().is_some() || !public.has_host())
        {
            bail!("server.public_url must be scheme://host[:port] with no path; got {public}");
        }
        if self.auth.access_token_ttl < Duration::from_secs(30)
            || self.auth.access_token_ttl > Duration::from_secs(24 * 3600)
        {
            bail!("auth.access_token_ttl must be between 30s and 24h");
        }
        if self.auth.key_reload_interval < Duration::from_secs(1) {
            bail!("auth.key_reload_interval must be at least 1s");
        }
        if self.auth.key_publish_lead < self.auth.key_reload_interval {
            bail!(
                "auth.key_publish_lead must be at least auth.key_reload_interval, so that every instance publishes a rotated key before it signs"
            );
        }
        match (self.identity.provider, &self.identity.oidc) {
            (IdentityKind::Dev, _) if !self.binds_loopback() => bail!(
                "identity.provider = \"dev\" lets anyone log in as any person by email, so it only runs on a loopback server.bind; configure identity.provider = \"oidc\" for {}",
                self.server.bind
            ),
            (IdentityKind::Dev, _) if !self.public_url_is_loopback() => bail!(
                "identity.provider = \"dev\" lets anyone log in as any person by email, so it only runs when server.public_url is loopback too (behind a proxy anyone could reach it); configure identity.provider = \"oidc\" for {}",
                self.issuer()
            ),
            (IdentityKind::Oidc, None) => bail!(
                "identity.provider = \"oidc\" needs identity.oidc.issuer and identity.oidc.client_id"
            ),
            (IdentityKind::Oidc, Some(oidc)) if Url::parse(&oidc.issuer).is_err() => {
                bail!("identity.oidc.issuer \"{}\" is not a URL", oidc.issuer)
            }
            _ => {}
        }
        if self.oauth.refresh_family_max_age < self.oauth.refresh_token_ttl {
            bail!("oauth.refresh_family_max_age must be at least oauth.refresh_token_ttl");
        }
        if self.limits.sync_interval < Duration::from_millis(10)
            || self.limits.sync_interval > Duration::from_secs(60)
        {
            bail!("limits.sync_interval must be between 10ms and 60s");
        }
        if self.server.max_body_bytes < 1024 {
            bail!("server.max_body_bytes must be at least 1024");
        }
        if self.database.statement_timeout < Duration::from_millis(100)
            || self.database.statement_timeout > Duration::from_secs(600)
        {
            bail!("database.statement_timeout must be between 100ms and 10m");
        }
        self.history.validate()
    }
}
