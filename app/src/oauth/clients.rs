//! Client credentials as a request presents them (HTTP Basic or form fields), and the
//! operator's `admin client add`. Which clients exist and how they authenticate is decided
//! in `domain::usecases::grants`.

use actix_web::HttpRequest;
use actix_web::http::header;
use adapters::system::{SystemClock, UuidV7};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::grants::OAuthClient;
use domain::usecases::grants::{ClientCredentials, GrantError, add_operator_client};

use super::crypto::SystemSecrets;
use super::errors::OAuthError;
use crate::storage::GrantStorage;

/// Reads the client's credentials from the request (HTTP Basic first) and form.
#[must_use]
pub fn presented(
    req: &HttpRequest,
    form_id: Option<String>,
    form_secret: Option<String>,
) -> ClientCredentials {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            Some((percent_decode(id), percent_decode(secret)))
        });
    match basic {
        Some((id, secret)) => ClientCredentials {
            client_id: Some(id),
            secret: Some(secret),
            basic: true,
            form_client_id: form_id,
        },
        None => ClientCredentials {
            client_id: form_id.clone(),
            secret: form_secret,
            basic: false,
            form_client_id: form_id,
        },
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map_or_else(|| s.to_owned(), |(_, v)| v.into_owned())
}

/// Adds a client for the operator (`admin client add`): returns it and, for a confidential
/// one, its secret (shown once; only the hash is kept).
///
/// # Errors
/// A redirect URI that is not acceptable, or storage failed.
pub async fn register_operator_client(
    grants: &dyn GrantStorage,
    name: &str,
    redirect_uris: Vec<String>,
    confidential: bool,
) -> anyhow::Result<(OAuthClient, Option<String>)> {
    let registered = add_operator_client(
        grants,
        &SystemClock,
        &UuidV7,
        &SystemSecrets,
        name,
        redirect_uris,
        confidential,
    )
    .await
    .map_err(|e| match e {
        GrantError::Store(e) => anyhow::Error::from(e),
        other => anyhow::anyhow!(OAuthError::from(other).description),
    })?;
    Ok((registered.client, registered.secret))
}
