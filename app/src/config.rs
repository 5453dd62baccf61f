//! Configuration: built-in defaults, then an optional file (`--config`), then the
//! environment (`PLATFORM_MCP__SECTION__KEY`). Validated once at start-up; a bad value stops
//! the process with a message naming the key.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

mod history;
mod limits;
mod telemetry;
mod validate;
pub use history::{HistorySettings, MIN_RETENTION};
pub use limits::LimitSettings;
pub use telemetry::TelemetrySettings;

/// Every setting of the server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub identity: IdentitySettings,
    pub oauth: OAuthSettings,
    pub limits: LimitSettings,
    pub log: LogSettings,
    #[serde(default)]
    pub telemetry: TelemetrySettings,
    pub history: HistorySettings,
}

/// Who logs people in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySettings {
    /// `dev` (a local form asking for the email of a person added with the admin CLI; only
    /// on a loopback bind) or `oidc` (any OpenID provider).
    pub provider: IdentityKind,
    pub oidc: Option<OidcSettings>,
}

/// Which identity adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    Dev,
    Oidc,
}

/// The upstream OpenID provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// Exactly as the provider writes it in its discovery document (a trailing slash
    /// matters), so kept as text.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
}

/// The authorization server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthSettings {
    /// Lifetime of refresh tokens (each rotation starts a new one).
    #[serde(with = "humantime_serde_compat")]
    pub refresh_token_ttl: Duration,
    /// The longest a grant lives through refresh rotations, from the person's consent:
    /// then the client must send the person through the authorization flow again.
    #[serde(with = "humantime_serde_compat")]
    pub refresh_family_max_age: Duration,
    /// How long a dynamically registered client is kept unused.
    #[serde(with = "humantime_serde_compat")]
    pub unused_client_ttl: Duration,
    /// Accept `http://` Client ID Metadata Document URLs on loopback hosts (development).
    pub allow_http_loopback_metadata: bool,
    /// Fetch Client ID Metadata Documents from private, loopback and link-local addresses.
    pub allow_private_metadata_hosts: bool,
    /// A PEM file of extra CA certificates trusted when fetching Client ID Metadata Documents
    /// (a private CA, or a test's own), besides the public roots.
    pub metadata_ca_file: Option<std::path::PathBuf>,
}

/// The HTTP side.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Where to listen, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub bind: SocketAddr,
    /// The URL clients use to reach this server (scheme, host, port; no path). Token issuer,
    /// audience (`<public_url>/mcp`) and metadata documents derive from it. Defaults to
    /// `http://<bind>`.
    pub public_url: Option<Url>,
    /// `Host` header values accepted on `/mcp` (DNS-rebinding protection). Defaults to the
    /// public URL's host (with and without port) plus the loopback names when bound to
    /// loopback. An explicit empty list is refused.
    pub allowed_hosts: Option<Vec<String>>,
    /// Browser `Origin`s accepted on `/mcp` (requests without `Origin` always pass).
    /// Defaults to the public URL's origin plus loopback origins.
    pub allowed_origins: Option<Vec<String>>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long a stopping server (SIGTERM, SIGINT) lets in-flight requests finish.
    #[serde(with = "humantime_serde_compat")]
    pub shutdown_timeout: Duration,
    /// Where to serve `/metrics` on a listener of its own (e.g. `127.0.0.1:9090`), instead
    /// of the main port.
    pub metrics_bind: Option<SocketAddr>,
    /// Whether `/metrics` is also on the main port. Default: only when the server is
    /// local, bound to loopback with no public URL other than a loopback one (behind a
    /// proxy, the main port is the public one, and it shows no metrics unless asked to).
    pub metrics_on_main_port: Option<bool>,
    /// Wrap the text of tool results that carry entry content between
    /// `<untrusted-user-data>` lines (their `_meta` marks them either way).
    pub untrusted_fence: bool,
}

impl ServerSettings {
    /// True when the main port serves `/metrics`.
    #[must_use]
    pub fn metrics_on_main_port(&self) -> bool {
        self.metrics_on_main_port.unwrap_or_else(|| {
            let public_is_local = self.public_url.as_ref().is_none_or(|url| {
                matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
            });
            self.bind.ip().is_loopback() && public_is_local
        })
    }
}

/// Storage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path` (the embedded default) or `postgres://…`.
    pub url: SecretString,
    /// Connection-pool size (PostgreSQL), of each of the two pools.
    pub max_connections: u32,
    /// PostgreSQL: the URL of the data pool, which logs in as `platform_mcp_login` (a role
    /// that owns nothing). Default: `url` with that user and no password.
    pub app_url: Option<SecretString>,
    /// PostgreSQL: how long one statement of a person's call may run before it is stopped
    /// (the call answers `TIMEOUT`).
    #[serde(with = "humantime_serde_compat")]
    pub statement_timeout: Duration,
}

/// Tokens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Lifetime of issued access tokens (e.g. `15m`).
    #[serde(with = "humantime_serde_compat")]
    pub access_token_ttl: Duration,
    /// An ES256 private key (PKCS#8 PEM) to sign with, instead of the key generated on first
    /// start and kept in the database.
    pub signing_key_pem: Option<SecretString>,
    /// How often each instance re-reads the stored signing keys (a rotated key is
    /// published by every instance within this time).
    #[serde(with = "humantime_serde_compat")]
    pub key_reload_interval: Duration,
    /// How long after `admin keys rotate` the new key signs: at least
    /// `key_reload_interval`, so every instance publishes it first.
    #[serde(with = "humantime_serde_compat")]
    pub key_publish_lead: Duration,
}

/// Logs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `text` (human-readable) or `json`.
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `platform_mcp=debug,info`.
    pub level: String,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// `15m`, `900s`, `1h` for durations in configuration.
mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let raw = String::deserialize(d)?;
        humantime::parse_duration(&raw).map_err(|e| {
            serde::de::Error::custom(format!("\"{raw}\" is not a duration like 15m or 900s: {e}"))
        })
    }
}

const DEFAULTS: &str = r#"
[server]
bind = "127.0.0.1:8080"
max_body_bytes = 4194304
shutdown_timeout = "30s"
untrusted_fence = false

[database]
url = "sqlite://./data/platform-mcp.db"
max_connections = 10
statement_timeout = "10s"

[auth]
access_token_ttl = "15m"
key_reload_interval = "60s"
key_publish_lead = "5m"

[identity]
provider = "dev"

[oauth]
refresh_token_ttl = "30d"
refresh_family_max_age = "90d"
unused_client_ttl = "7d"
allow_http_loopback_metadata = false
allow_private_metadata_hosts = false

[limits]
mcp_per_minute = 1200
oauth_per_minute = 120
sync_interval = "250ms"
trust_forwarded_for = false

[log]
format = "text"
level = "info"

[history]
retention = "forever"
"#;

impl Settings {
    /// Loads defaults → `file` → environment, and validates.
    ///
    /// # Errors
    /// An unreadable file, an unknown key, a value of the wrong shape (the message names the
    /// key), or a setting that fails validation.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            if !path.exists() {
                bail!("the configuration file {} does not exist", path.display());
            }
            builder = builder.add_source(config::File::from(path));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("PLATFORM_MCP")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("server.allowed_hosts")
                .with_list_parse_key("server.allowed_origins")
                .try_parsing(true),
        );
        let settings: Settings = builder
            .build()
            .context("reading the configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        settings.validate()?;
        Ok(settings)
    }

    /// True when no public URL is set (it is then the loopback bind) or its host is a
    /// loopback name or address.
    fn public_url_is_loopback(&self) -> bool {
        let Some(public) = &self.server.public_url else {
            return true;
        };
        match public.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// The public base URL as text, without a trailing slash (the token issuer).
    #[must_use]
    pub fn issuer(&self) -> String {
        self.server.public_url.as_ref().map_or_else(
            || format!("http://{}", self.server.bind),
            |u| u.as_str().trim_end_matches('/').to_owned(),
        )
    }

    /// The issuer's origin with an explicit port: `https://mcp.example.com:443`.
    fn public_origin(&self) -> String {
        let issuer = self.issuer();
        let Ok(url) = url::Url::parse(&issuer) else {
            return issuer;
        };
        match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
            _ => issuer,
        }
    }

    /// The `/mcp` URL (the token audience and the protected resource).
    #[must_use]
    pub fn resource(&self) -> String {
        format!("{}/mcp", self.issuer())
    }

    /// True when the server listens on a loopback address only.
    #[must_use]
    pub fn binds_loopback(&self) -> bool {
        self.server.bind.ip().is_loopback()
    }

    /// The accepted `Host` values.
    #[must_use]
    pub fn allowed_hosts(&self) -> Vec<String> {
        if let Some(list) = &self.server.allowed_hosts {
            return list.clone();
        }
        let mut hosts = Vec::new();
        if let Some(public) = &self.server.public_url
            && let Some(host) = public.host_str()
        {
            hosts.push(host.to_owned());
            if let Some(port) = public.port() {
                hosts.push(format!("{host}:{port}"));
            }
        }
        if self.binds_loopback() {
            let port = self.server.bind.port();
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                hosts.push(host.to_owned());
                hosts.push(format!("{host}:{port}"));
            }
        }
        hosts.sort();
        hosts.dedup();
        hosts
    }

    /// The accepted browser origins, each with a port as rmcp asks: the public origin, and
    /// when bound to loopback the loopback origins on any port (local tools' own ports).
    #[must_use]
    pub fn allowed_origins(&self) -> Vec<String> {
        if let Some(list) = &self.server.allowed_origins {
            return list.clone();
        }
        let mut origins = vec![self.public_origin()];
        if self.binds_loopback() {
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                origins.push(format!("http://{host}:*"));
            }
        }
        origins.sort();
        origins.dedup();
        origins
    }
}

#[cfg(test)]
mod tests;
