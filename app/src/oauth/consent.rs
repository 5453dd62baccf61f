//! The consent page (`domain::usecases::grants::{show_consent, decide_consent}`): "Allow
//! <client> to access your projects?", all projects or chosen ones, read-only or
//! read-write, Allow or Deny.

use actix_web::{HttpRequest, HttpResponse, web};
use domain::usecases::grants::{ConsentStep, Decision, GrantError, decide_consent, show_consent};
use std::collections::BTreeSet;

use domain::model::{GrantProjects, ProjectId};
use serde::Deserialize;
use url::Url;

use super::consent_page::{self, ConsentView};
use super::errors::browser_answer;
use super::redirects::{to_login, with_code};
use super::{OAuthState, session};
use crate::metrics::{Metrics, OAuthEvent};

#[derive(Debug, Deserialize)]
pub struct Show {
    request: String,
}

/// `GET /oauth/consent?request=…`.
pub async fn show(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    query: web::Query<Show>,
) -> HttpResponse {
    let browser = session::browser(&req);
    let prompt = match show_consent(&state.grants, &query.request, &browser).await {
        Ok(ConsentStep::Ask(prompt)) => prompt,
        Ok(ConsentStep::Login) => return to_login(&query.request),
        Ok(ConsentStep::Remembered(issued)) => return with_code(&issued, &state.issuer),
        Err(e) => return browser_answer(e, &state.issuer),
    };
    let request = &prompt.request;
    let host = Url::parse(&request.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| request.redirect_uri.clone());
    consent_page::consent(&ConsentView {
        request: &query.request,
        csrf: &prompt.form_token,
        client_name: &request.client_name,
        client_host: &host,
        redirect_uri: &request.redirect_uri,
        user_email: &prompt.user_email,
        write_requested: request.write_requested,
        projects: &prompt.projects,
        previous: prompt.previous.as_ref(),
    })
}

/// The consent form as posted (`project` repeats, once per ticked project).
#[derive(Debug, Default)]
pub struct Form {
    request: String,
    csrf: String,
    decision: String,
    access: Option<String>,
    projects: Option<String>,
    project: Vec<String>,
}

impl Form {
    /// Reads an `application/x-www-form-urlencoded` body.
    fn parse(body: &[u8]) -> Self {
        let mut form = Form::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "request" => form.request = value,
                "csrf" => form.csrf = value,
                "decision" => form.decision = value,
                "access" => form.access = Some(value),
                "projects" => form.projects = Some(value),
                "project" => form.project.push(value),
                _ => {}
            }
        }
        form
    }

    /// The projects chosen: all unless "chosen"; an id that does not parse is refused.
    fn chosen(&self) -> Result<GrantProjects, GrantError> {
        if self.projects.as_deref() != Some("chosen") {
            return Ok(GrantProjects::All);
        }
        self.project
            .iter()
            .map(|raw| {
                raw.parse::<ProjectId>()
                    .map_err(|e| GrantError::InvalidRequest(e.to_string()))
            })
            .collect::<Result<BTreeSet<_>, _>>()
            .map(GrantProjects::Only)
    }
}

/// `POST /oauth/consent`.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<OAuthState>,
    metrics: web::Data<Metrics>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let projects = match form.chosen() {
        Ok(projects) => projects,
        Err(e) => return browser_answer(e, &state.issuer),
    };
    let decision = Decision {
        form_token: form.csrf,
        allow: form.decision == "allow",
        write: form.access.as_deref() != Some("read"),
        projects,
    };
    let browser = session::browser(&req);
    let decided = decide_consent(&state.grants, &form.request, &browser, &decision).await;
    match (&decided, decision.allow) {
        (Ok(Some(_)), true) => metrics.oauth(OAuthEvent::ConsentAllowed),
        (Err(GrantError::ToClient { .. }), false) => metrics.oauth(OAuthEvent::ConsentDenied),
        _ => {}
    }
    match decided {
        Ok(Some(issued)) => with_code(&issued, &state.issuer),
        Ok(None) => to_login(&form.request),
        Err(e) => browser_answer(e, &state.issuer),
    }
}
