//! Builds the application from settings: storage, keys, routes; binds (port 0 in tests) and
//! runs until stopped.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::auth::endpoint::Endpoint;
use crate::auth::keys::{self, KeyRing};
use crate::auth::metadata::{self, Discovery};
use crate::auth::middleware::BearerAuth;
use crate::auth::tokens::TokenService;
use crate::config::IdentityKind;
use crate::config::Settings;
use crate::http;
use crate::limits::RateLimiter;
use crate::mcp::{self, McpOptions};
use crate::metrics::{self as metered, Metrics};
use crate::oauth::{self, OAuthState};
use crate::purge::Purge;
use crate::shutdown::{self, Stopping};
use crate::storage::Storage;
use adapters::oidc::OidcIdentity;
use domain::ports::IdentityProvider;
use secrecy::ExposeSecret;

/// A running server.
pub struct Application {
    port: u16,
    settings: Settings,
    server: Server,
    /// The `/metrics` listener of `server.metrics_bind`, and its port.
    metrics_server: Option<(u16, Server)>,
    stopping: Stopping,
}

/// Storage, signing keys and the identity provider, opened once and shared by the server
/// and the admin CLI.
#[derive(Clone)]
pub struct Opened {
    pub storage: Storage,
    pub keys: Arc<KeyRing>,
    /// `None`: the dev login form.
    pub identity: Option<Arc<dyn IdentityProvider>>,
}

impl Opened {
    /// The token service for these settings' issuer and audience.
    #[must_use]
    pub fn tokens(&self, settings: &Settings) -> TokenService {
        TokenService::new(
            self.keys.clone(),
            self.storage.ports.clock.clone(),
            settings.issuer(),
            settings.resource(),
        )
    }
}

/// Opens storage (migrating it) and loads the signing keys.
///
/// # Errors
/// Storage unreachable, a migration failed, or a bad signing key.
pub async fn open(settings: &Settings) -> anyhow::Result<Opened> {
    let storage = Storage::connect(&settings.database).await?;
    open_storage(settings, storage).await
}

/// Opens storage (migrating it) and loads the signing keys, without reaching the identity
/// provider: the admin CLI never logs anyone in, and must work while the provider is down.
///
/// # Errors
/// Storage unreachable, a migration failed, or a bad signing key.
pub async fn open_offline(settings: &Settings) -> anyhow::Result<Opened> {
    let storage = Storage::connect(&settings.database).await?;
    open_with(settings, storage, false).await
}

/// Migrates already connected storage, loads the signing keys and discovers the identity
/// provider.
///
/// # Errors
/// A migration failed, a bad signing key, or the configured provider cannot be discovered.
pub async fn open_storage(settings: &Settings, storage: Storage) -> anyhow::Result<Opened> {
    open_with(settings, storage, true).await
}

async fn open_with(
    settings: &Settings,
    storage: Storage,
    discover: bool,
) -> anyhow::Result<Opened> {
    storage.migrate().await.context("migrating the database")?;
    let keys = KeyRing::load(
        settings.auth.signing_key_pem.as_ref(),
        &storage.keys,
        storage.ports.clock.now(),
    )
    .await?;
    let identity = if discover {
        identity_provider(settings).await?
    } else {
        None
    };
    Ok(Opened {
        storage,
        keys: Arc::new(keys),
        identity,
    })
}

/// The upstream OpenID provider when configured (discovered once at start-up).
async fn identity_provider(
    settings: &Settings,
) -> anyhow::Result<Option<Arc<dyn IdentityProvider>>> {
    match (settings.identity.provider, &settings.identity.oidc) {
        (IdentityKind::Oidc, Some(oidc)) => {
            let secret = oidc
                .client_secret
                .as_ref()
                .map(|s| s.expose_secret().to_owned());
            let provider = OidcIdentity::discover(&oidc.issuer, &oidc.client_id, secret.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("identity.oidc: {e}"))?;
            Ok(Some(Arc::new(provider)))
        }
        _ => Ok(None),
    }
}

impl Application {
    /// Opens everything and binds `server.bind`.
    ///
    /// # Errors
    /// Anything `open` refuses, or the address is taken.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let opened = open(&settings).await?;
        Self::with_opened(settings, opened)
    }

    /// Binds with already opened storage and keys.
    ///
    /// # Errors
    /// The address is taken.
    pub fn with_opened(settings: Settings, opened: Opened) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.server.bind)
            .with_context(|| format!("binding {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let mut settings = settings;
        if settings.server.public_url.is_none() {
            // Port 0 resolves now: the issuer and audience must name the real port.
            let host = settings.server.bind.ip();
            let url = format!("http://{}", std::net::SocketAddr::new(host, port));
            settings.server.public_url = Some(url.parse()?);
        }
        let tokens = opened.tokens(&settings);
        let oauth = OAuthState::new(
            &settings,
            opened.storage.grants.clone(),
            opened.storage.directory.clone(),
            opened.identity.clone(),
            tokens.clone(),
            opened.storage.activity.clone(),
        )?;
        Purge {
            grants: opened.storage.grants.clone(),
            idempotency: opened.storage.idempotency.clone(),
            activity: opened.storage.activity.clone(),
            clock: opened.storage.ports.clock.clone(),
            history: settings.history.clone(),
        }
        .spawn();
        if settings.auth.signing_key_pem.is_none() {
            keys::spawn_reload(
                opened.keys.clone(),
                opened.storage.keys.clone(),
                opened.storage.ports.clock.clone(),
                settings.auth.key_reload_interval,
            );
        }
        let limiter = Arc::new(RateLimiter::new(
            opened.storage.counters.clone(),
            opened.storage.ports.clock.clone(),
        ));
        if settings.limits.mcp_per_minute > 0 || settings.limits.oauth_per_minute > 0 {
            limiter.spawn_sync(settings.limits.sync_interval);
        }
        let metrics = web::Data::new(Metrics::new()?);
        let stopping = Stopping::default();
        let metrics_server = match settings.server.metrics_bind {
            Some(bind) => Some(metered::serve(
                bind,
                web::Data::new(opened.storage.clone()),
                metrics.clone(),
            )?),
            None => None,
        };
        let server = serve(
            settings.clone(),
            opened.storage,
            tokens,
            oauth,
            limiter,
            Operated {
                metrics,
                stopping: stopping.clone(),
            },
            listener,
        )?;
        Ok(Self {
            port,
            settings,
            server,
            metrics_server,
            stopping,
        })
    }

    /// The port of the separate `/metrics` listener, when `server.metrics_bind` is set.
    #[must_use]
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(port, _)| *port)
    }

    /// The bound port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The settings in effect (with `public_url` resolved to the bound port).
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Serves until the process is stopped.
    ///
    /// # Errors
    /// The server failed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics_server {
            Some((_, metrics)) => futures_util::try_join!(self.server, metrics).map(|_| ()),
            None => self.server.await,
        }
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully (`crate::shutdown`): `/readyz`
    /// answers 503 at once, nothing new is accepted, and in-flight requests get up to
    /// `server.shutdown_timeout` to finish.
    ///
    /// # Errors
    /// The server failed, or the signal handlers could not be installed.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let handles: Vec<_> = std::iter::once(self.server.handle())
            .chain(self.metrics_server.as_ref().map(|(_, s)| s.handle()))
            .collect();
        let stopping = self.stopping.clone();
        let waiting = shutdown::signal();
        tokio::spawn(async move {
            match waiting.await {
                Ok(signal) => tracing::info!(signal, "stopping: finishing in-flight requests"),
                Err(e) => {
                    tracing::error!(error = %e, "no signal handler: stop the process with SIGKILL");
                    return;
                }
            }
            stopping.set();
            for handle in handles {
                handle.stop(true).await;
            }
        });
        self.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// What operators see of a running server: its metrics, and whether it is stopping.
struct Operated {
    metrics: web::Data<Metrics>,
    stopping: Stopping,
}

fn serve(
    settings: Settings,
    storage: Storage,
    tokens: TokenService,
    oauth: OAuthState,
    limiter: Arc<RateLimiter>,
    operated: Operated,
    listener: TcpListener,
) -> anyhow::Result<Server> {
    let Operated { metrics, stopping } = operated;
    let stopping = web::Data::new(stopping);
    let metrics_here = settings.server.metrics_on_main_port();
    let shutdown_timeout = settings.server.shutdown_timeout.as_secs();
    let oauth = web::Data::new(oauth);
    let mcp_service = mcp::service(
        storage.ports.clone(),
        metrics.clone().into_inner(),
        McpOptions {
            allowed_hosts: settings.allowed_hosts(),
            allowed_origins: settings.allowed_origins(),
            max_body_bytes: settings.server.max_body_bytes,
            untrusted_fence: settings.server.untrusted_fence,
        },
    );
    let issuer = settings.issuer();
    let last_use = Arc::new(crate::auth::last_use::LastUse::new(
        storage.grants.clone(),
        storage.grants.clone(),
        storage.ports.clock.clone(),
    ));
    let personal = Arc::new(crate::auth::personal::PersonalTokenAuth::new(
        oauth.grants.clone(),
    ));
    // One bearer check per endpoint: each accepts its own resource's tokens only.
    let bearer = |endpoint: Endpoint| {
        web::Data::new(BearerAuth {
            endpoint,
            resource: endpoint.resource(&issuer),
            tokens: tokens.clone(),
            flags: storage.flags.clone(),
            limiter: limiter.clone(),
            per_minute: settings.limits.mcp_per_minute,
            resource_metadata: format!(
                "{issuer}/.well-known/oauth-protected-resource{}",
                endpoint.path()
            ),
            last_use: last_use.clone(),
            personal: personal.clone(),
        })
    };
    let (full, read_only) = (bearer(Endpoint::Full), bearer(Endpoint::ReadOnly));
    let discovery = web::Data::new(Discovery { issuer });
    let address_limit = web::Data::new(http::AddressLimit {
        limiter,
        per_minute: settings.limits.oauth_per_minute,
        trust_forwarded_for: settings.limits.trust_forwarded_for,
    });
    let tokens = web::Data::new(tokens);
    let storage = web::Data::new(storage);
    let max_body = settings.server.max_body_bytes;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(http::limit_oauth))
            .wrap(from_fn(http::request_span))
            .app_data(metrics.clone())
            .app_data(stopping.clone())
            .configure(|routes| {
                if metrics_here {
                    routes.route("/metrics", web::get().to(metered::scrape));
                }
            })
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(web::JsonConfig::default().limit(max_body))
            .app_data(storage.clone())
            .app_data(tokens.clone())
            .app_data(discovery.clone())
            .app_data(oauth.clone())
            .app_data(address_limit.clone())
            .app_data(web::FormConfig::default().limit(64 * 1024))
            .route("/healthz", web::get().to(http::healthz))
            .route("/readyz", web::get().to(http::readyz))
            .service(
                web::scope("/.well-known")
                    .wrap(http::open_cors())
                    .configure(metadata::routes)
                    .configure(oauth::well_known),
            )
            .configure(oauth::api)
            .configure(oauth::endpoints)
            .service(mcp::mount(
                Endpoint::ReadOnly,
                read_only.clone(),
                mcp_service.clone(),
            ))
            .service(mcp::mount(
                Endpoint::Full,
                full.clone(),
                mcp_service.clone(),
            ))
    })
    // Without it, the tail of a large answer waits for the client's delayed ACK (~40 ms).
    .tcp_nodelay(true)
    .disable_signals()
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)?
    .run();
    Ok(server)
}
