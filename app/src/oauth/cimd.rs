//! Client ID Metadata Documents: a `client_id` that is an https URL names a JSON document
//! describing the client. Fetched carefully: https only (http on loopback only when
//! configured), no redirects, 5 s and 64 KiB limits, no private or link-local addresses
//! unless configured (the address checked is the one connected to), cached per the
//! response's `Cache-Control`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::TimeDelta;
use domain::grants::{ClientDocument, ClientDocuments};
use serde::Deserialize;
use url::Url;

/// Where documents may come from.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    pub allow_http_loopback: bool,
    pub allow_private: bool,
    /// Extra trusted roots (`oauth.metadata_ca_file`).
    pub extra_roots: Vec<reqwest::Certificate>,
}

impl FetchPolicy {
    /// The policy of these settings, reading the extra CA file if one is configured.
    ///
    /// # Errors
    /// The CA file is unreadable or holds no certificate.
    pub fn from_settings(settings: &crate::config::OAuthSettings) -> anyhow::Result<Self> {
        let extra_roots = match &settings.metadata_ca_file {
            None => vec![],
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    anyhow::anyhow!("oauth.metadata_ca_file {}: {e}", path.display())
                })?;
                let roots = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                    anyhow::anyhow!("oauth.metadata_ca_file {}: {e}", path.display())
                })?;
                if roots.is_empty() {
                    anyhow::bail!(
                        "oauth.metadata_ca_file {} holds no certificate",
                        path.display()
                    );
                }
                roots
            }
        };
        Ok(Self {
            allow_http_loopback: settings.allow_http_loopback_metadata,
            allow_private: settings.allow_private_metadata_hosts,
            extra_roots,
        })
    }
}

/// An error with its causes, which reqwest keeps out of its own message.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

const MAX_BYTES: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);

/// True for every address that is not a public unicast address of the Internet: private,
/// loopback, link-local, shared (CGN), benchmarking, reserved, documentation, multicast; and
/// in IPv6 also every form that carries or reaches an IPv4 address (mapped, compatible,
/// NAT64, 6to4, Teredo), which could lead back to any of those.
fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0 // "this network"
                || a == 100 && (64..128).contains(&b) // shared address space (CGN)
                || a == 198 && (b == 18 || b == 19) // benchmarking
                || a >= 240 // reserved
                || (a, b, c) == (192, 0, 0) // IETF protocol assignments
                || (a, b, c) == (192, 0, 2) // documentation
                || (a, b, c) == (198, 51, 100)
                || (a, b, c) == (203, 0, 113)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64 (well-known and local-use)
                || s[0] == 0x2002 // 6to4
                || (s[0] == 0x2001 && s[1] == 0) // Teredo
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard
                || s[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible (deprecated)
                || v6.to_ipv4_mapped().is_some()
        }
    }
}

/// What a caller learns of a failed fetch: nothing about the connection (which would let
/// a registration probe ports); the details go to the log.
const FETCH_FAILED: &str = "the client metadata document could not be fetched";

#[derive(Deserialize)]
struct Document {
    client_id: String,
    client_name: Option<String>,
    redirect_uris: Vec<String>,
    token_endpoint_auth_method: Option<String>,
}

fn max_age(headers: &reqwest::header::HeaderMap) -> TimeDelta {
    let directives = headers
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if directives.contains("no-store") || directives.contains("no-cache") {
        return TimeDelta::minutes(1);
    }
    let seconds = directives
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| v.parse::<i64>().ok())
        .unwrap_or(3600);
    TimeDelta::seconds(seconds.clamp(60, 24 * 3600))
}

/// The `ClientDocuments` port: fetches under a [`FetchPolicy`].
#[derive(Debug, Clone)]
pub struct MetadataFetcher {
    policy: FetchPolicy,
}

impl MetadataFetcher {
    #[must_use]
    pub fn new(policy: FetchPolicy) -> Self {
        Self { policy }
    }
}

#[async_trait::async_trait]
impl ClientDocuments for MetadataFetcher {
    async fn fetch(&self, url: &str) -> Result<ClientDocument, String> {
        fetch(&self.policy, url).await
    }
}

/// Fetches the document at `client_id`; what it must say is checked by the domain.
///
/// # Errors
/// A message saying what is wrong with the URL, the fetch or the document's form.
pub async fn fetch(policy: &FetchPolicy, client_id: &str) -> Result<ClientDocument, String> {
    let url = Url::parse(client_id).map_err(|e| format!("not a URL: {e}"))?;
    let host = url.host_str().ok_or("the URL has no host")?.to_owned();
    let loopback_name = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http_loopback && loopback_name => {}
        _ => return Err("a client metadata URL must use https".into()),
    }
    if url.path() == "/" || url.fragment().is_some() {
        return Err("a client metadata URL must have a path and no fragment".into());
    }
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let bare_host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addresses: Vec<SocketAddr> =
        tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((bare_host.as_str(), port)))
            .await
            .map_err(|_| {
                tracing::info!(%host, "resolving a client metadata host timed out");
                FETCH_FAILED.to_owned()
            })?
            .map_err(|e| {
                tracing::info!(%host, cause = %e, "resolving a client metadata host failed");
                FETCH_FAILED.to_owned()
            })?
            .collect();
    let allowed_private = policy.allow_private || (policy.allow_http_loopback && loopback_name);
    let address = addresses
        .into_iter()
        .find(|a| allowed_private || !private(a.ip()))
        .ok_or("the host resolves only to private or loopback addresses")?;
    // Connect to the address checked above, not to whatever a second lookup returns.
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(&bare_host, address);
    for root in &policy.extra_roots {
        builder = builder.add_root_certificate(root.clone());
    }
    let client = builder
        .build()
        .map_err(|e| format!("building the HTTP client: {e}"))?;
    let mut response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| {
            tracing::info!(%host, cause = %chain(&e), "fetching a client metadata document failed");
            FETCH_FAILED.to_owned()
        })?;
    if !response.status().is_success() {
        return Err(format!("fetching it answered {}", response.status()));
    }
    let ttl = max_age(response.headers());
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        tracing::info!(%host, cause = %e, "reading a client metadata document failed");
        FETCH_FAILED.to_owned()
    })? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err("the document is larger than 64 KiB".into());
        }
        body.extend_from_slice(&chunk);
    }
    let doc: Document = serde_json::from_slice(&body)
        .map_err(|e| format!("the document is not valid client metadata: {e}"))?;
    Ok(ClientDocument {
        client_id: doc.client_id,
        client_name: doc.client_name,
        redirect_uris: doc.redirect_uris,
        token_endpoint_auth_method: doc.token_endpoint_auth_method,
        host,
        max_age: ttl,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_recognised() {
        for ip in [
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "8.8.8.8",
            "2001:4860:4860::8888",
        ] {
            assert!(!private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn addresses_that_lead_back_to_ipv4_or_are_reserved_are_refused() {
        for ip in [
            "64:ff9b::7f00:1",      // NAT64 of 127.0.0.1
            "64:ff9b:1::a00:1",     // local-use NAT64
            "2002:7f00:1::1",       // 6to4 of 127.0.0.1
            "2001:0:4136:e378::1",  // Teredo
            "::127.0.0.1",          // IPv4-compatible
            "::ffff:93.184.216.34", // mapped, even of a public address
            "2001:db8::1",
            "198.18.0.1",
            "198.19.255.255",
            "240.0.0.1",
            "255.255.255.254",
            "0.1.2.3",
            "192.0.0.8",
            "203.0.113.7",
        ] {
            assert!(private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn http_and_private_urls_are_refused_by_default() {
        let strict = FetchPolicy {
            allow_http_loopback: false,
            allow_private: false,
            extra_roots: vec![],
        };
        assert!(
            fetch(&strict, "http://127.0.0.1:9/client.json")
                .await
                .unwrap_err()
                .contains("https")
        );
        assert!(
            fetch(&strict, "https://127.0.0.1:9/client.json")
                .await
                .unwrap_err()
                .contains("private")
        );
        assert!(
            fetch(&strict, "https://example.com/")
                .await
                .unwrap_err()
                .contains("path")
        );
    }

    #[test]
    fn cache_lifetime_follows_max_age_within_bounds() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::CACHE_CONTROL,
            "public, max-age=600".parse().unwrap(),
        );
        assert_eq!(max_age(&h), TimeDelta::seconds(600));
        h.insert(
            reqwest::header::CACHE_CONTROL,
            "max-age=999999".parse().unwrap(),
        );
        assert_eq!(max_age(&h), TimeDelta::hours(24));
        h.insert(reqwest::header::CACHE_CONTROL, "no-store".parse().unwrap());
        assert_eq!(max_age(&h), TimeDelta::minutes(1));
    }
}
