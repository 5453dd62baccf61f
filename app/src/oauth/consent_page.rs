//! The consent page's markup: who asks, where it will send you, which projects it may reach
//! (all, including ones joined later, or a chosen set of the person's projects, each with
//! their role), read-only or read-write; Allow / Deny. A `prompt=consent` visit starts from
//! the person's earlier choice.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use domain::grants::Consent;
use domain::model::{GrantProjects, Membership};

use super::pages::{escape, page};

/// What the consent page shows.
pub struct ConsentView<'a> {
    pub request: &'a str,
    pub csrf: &'a str,
    pub client_name: &'a str,
    pub client_host: &'a str,
    pub redirect_uri: &'a str,
    pub user_email: &'a str,
    pub write_requested: bool,
    pub projects: &'a [Membership],
    pub previous: Option<&'a Consent>,
}

fn checked(on: bool) -> &'static str {
    if on { " checked" } else { "" }
}

/// The project choice: all, or the ticked ones of the person's projects.
fn projects_fieldset(view: &ConsentView<'_>) -> String {
    let before = view.previous.map(|c| &c.projects);
    let chosen = matches!(before, Some(GrantProjects::Only(_)));
    let boxes: String = view
        .projects
        .iter()
        .map(|m| {
            let ticked = before.is_some_and(|p| chosen && p.reaches(m.project.id));
            format!(
                "<label class=\"project\"><input type=\"checkbox\" name=\"project\" value=\"{id}\"{ticked}>\
                 <span>{name} <span class=\"muted\">{role}</span></span></label>",
                id = m.project.id,
                ticked = checked(ticked),
                name = escape(&m.project.name),
                role = m.role,
            )
        })
        .collect();
    let boxes = if boxes.is_empty() {
        "<p class=\"muted\">You are not a member of any project yet.</p>".to_owned()
    } else {
        boxes
    };
    format!(
        "<fieldset><legend>Projects</legend>\
         <label class=\"choice\"><input type=\"radio\" name=\"projects\" value=\"all\"{all}>\
         <span><strong>All my projects</strong>Including projects I join later.</span></label>\
         <label class=\"choice\"><input type=\"radio\" name=\"projects\" value=\"chosen\"{some}>\
         <span><strong>Only the projects I choose</strong>Other projects stay invisible to it.</span></label>\
         <div class=\"projects\">{boxes}</div></fieldset>",
        all = checked(!chosen),
        some = checked(chosen),
    )
}

/// The consent page.
#[must_use]
pub fn consent(view: &ConsentView<'_>) -> HttpResponse {
    let write = match view.previous {
        Some(c) => view.write_requested && c.writes(),
        None => view.write_requested,
    };
    page(
        StatusCode::OK,
        "Allow access?",
        &format!(
            "<h1>Allow {name} to access your projects?</h1>\
             <dl class=\"facts\">\
             <div><dt>App</dt><dd>{name}</dd></div>\
             <div><dt>Host</dt><dd>{host}</dd></div>\
             <div><dt>Returns you to</dt><dd><code>{redirect}</code></dd></div>\
             <div><dt>Signed in as</dt><dd>{email}</dd></div></dl>\
             <p>It will act as you on the Business Platform: list your projects and their data types, and work with the entries you can access.</p>\
             <p class=\"muted\">Allow only if you started this from {name} and you recognise {host}.</p>\
             <form method=\"post\" action=\"/oauth/consent\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             {projects}\
             <fieldset><legend>Access</legend>\
             <label class=\"choice\"><input type=\"radio\" name=\"access\" value=\"read\"{read_checked}>\
             <span><strong>Read only</strong>See projects, types and entries.<span class=\"scope\">data:read</span></span></label>\
             <label class=\"choice\"><input type=\"radio\" name=\"access\" value=\"write\"{write_checked}>\
             <span><strong>Read and write</strong>Also create, change and delete entries.<span class=\"scope\">data:read data:write</span></span></label>\
             </fieldset>\
             <div class=\"buttons\"><button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
             <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button></div></form>",
            name = escape(view.client_name),
            host = escape(view.client_host),
            email = escape(view.user_email),
            redirect = escape(view.redirect_uri),
            request = escape(view.request),
            csrf = escape(view.csrf),
            projects = projects_fieldset(view),
            read_checked = checked(!write),
            write_checked = checked(write),
        ),
    )
}
