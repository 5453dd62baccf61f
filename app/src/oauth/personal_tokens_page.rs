//! The connections page's "Personal access tokens" part: the person's tokens (name, projects,
//! access, created, expires, last use, a Revoke button) and the "New token" form (name, all
//! projects or chosen ones, read-only or read-write, expiry). A new token is shown once, on
//! the page the form's answer draws (never stored, never shown again; pages are `no-store`).
//! The forms' handlers are `personal_tokens_forms.rs`.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use domain::grants::PersonalToken;
use domain::model::{GrantProjects, Membership, ProjectId, UserId};
use domain::usecases::grants::{CreatedToken, GrantError, NewPersonalToken, personal_tokens_of};

use super::OAuthState;
use super::pages::escape;

/// The expiries offered, in days (the form's default is 90).
const EXPIRIES: [i64; 4] = [7, 30, 90, 365];

/// What the tokens part says above its list.
pub enum Notice {
    Nothing,
    /// A token was just made: its secret, shown this once.
    Created(Box<CreatedToken>),
    /// The form was refused: what to change.
    Problem(String),
}

fn day(at: DateTime<Utc>) -> String {
    format!("<span class=\"when\">{}</span>", at.format("%Y-%m-%d"))
}

fn minute(at: DateTime<Utc>) -> String {
    format!(
        "<span class=\"when\">{}</span>",
        at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The projects a token reaches, by name.
fn projects_text(projects: &GrantProjects, own: &[Membership]) -> String {
    let Some(set) = projects.chosen() else {
        return "All projects".to_owned();
    };
    set.iter()
        .map(|id| {
            own.iter().find(|m| m.project.id == *id).map_or_else(
                || format!("project {id} (left)"),
                |m| m.project.name.clone(),
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn token_row(t: &PersonalToken, own: &[Membership], csrf: &str) -> String {
    let access = if t.read_only {
        "Read only"
    } else {
        "Read and write"
    };
    let used = t.last_used_at.map_or_else(
        || "never used".to_owned(),
        |at| format!("last used {}", minute(at)),
    );
    format!(
        "<li class=\"connection token\"><div><strong>{name}</strong><br><span class=\"muted\">{access} · {projects} · created {created} · expires {expires} · {used}</span></div>\
         <form method=\"post\" action=\"/oauth/connections/tokens/revoke\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"id\" value=\"{id}\">\
         <button type=\"submit\">Revoke</button></form></li>",
        name = escape(&t.name),
        projects = escape(&projects_text(&t.projects, own)),
        created = day(t.created_at),
        expires = day(t.expires_at),
        csrf = escape(csrf),
        id = t.id,
    )
}

fn new_token_form(own: &[Membership], csrf: &str) -> String {
    let boxes: String = own
        .iter()
        .map(|m| {
            format!(
                "<label class=\"project\"><input type=\"checkbox\" name=\"project\" value=\"{}\"><span>{}</span></label>",
                m.project.id,
                escape(&m.project.name)
            )
        })
        .collect();
    let expiries: String = EXPIRIES
        .iter()
        .map(|d| {
            let selected = if *d == 90 { " selected" } else { "" };
            format!("<option value=\"{d}\"{selected}>{d} days</option>")
        })
        .collect();
    format!(
        "<h2>New token</h2><form method=\"post\" action=\"/oauth/connections/tokens\" class=\"new-token\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"token-name\">Name</label>\
         <input type=\"text\" id=\"token-name\" name=\"name\" maxlength=\"100\" placeholder=\"nightly export\" required>\
         <fieldset><legend>Projects</legend>\
         <label class=\"choice\"><input type=\"radio\" name=\"projects\" value=\"all\" checked>\
         <span><strong>All my projects</strong>Including projects I join later.</span></label>\
         <label class=\"choice\"><input type=\"radio\" name=\"projects\" value=\"chosen\">\
         <span><strong>Only the projects I choose</strong></span></label>\
         <div class=\"projects\">{boxes}</div></fieldset>\
         <fieldset><legend>Access</legend>\
         <label class=\"choice\"><input type=\"radio\" name=\"access\" value=\"read\" checked><span><strong>Read only</strong></span></label>\
         <label class=\"choice\"><input type=\"radio\" name=\"access\" value=\"write\"><span><strong>Read and write</strong></span></label></fieldset>\
         <label for=\"token-expires\">Expires after</label>\
         <select id=\"token-expires\" name=\"expires\">{expiries}</select>\
         <div class=\"buttons\"><button class=\"primary\" type=\"submit\">Create token</button></div></form>",
        csrf = escape(csrf),
    )
}

fn notice_html(notice: &Notice) -> String {
    match notice {
        Notice::Nothing => String::new(),
        Notice::Problem(problem) => {
            format!("<p class=\"error\" role=\"alert\">{}</p>", escape(problem))
        }
        Notice::Created(created) => format!(
            "<div class=\"secret\" role=\"status\"><p><strong>Copy your new token “{name}” now.</strong> \
             It is shown only this once and cannot be retrieved later.</p>\
             <code id=\"new-token\">{raw}</code></div>",
            name = escape(&created.token.name),
            raw = escape(&created.raw),
        ),
    }
}

/// The tokens part of `user`'s page, HTML.
///
/// # Errors
/// Storage failed.
pub async fn section(
    state: &OAuthState,
    user: UserId,
    csrf: &str,
    notice: &Notice,
) -> Result<String, GrantError> {
    let tokens = personal_tokens_of(&state.grants, user).await?;
    let own = state.grants.directory.memberships_of(user).await?;
    let list = if tokens.is_empty() {
        "<p class=\"muted\">You have no personal access tokens.</p>".to_owned()
    } else {
        let rows: String = tokens.iter().map(|t| token_row(t, &own, csrf)).collect();
        format!("<ul class=\"connections tokens\">{rows}</ul>")
    };
    Ok(format!(
        "<h2 id=\"tokens\">Personal access tokens</h2>\
         <p>For scripts and clients without OAuth: send one as <code>Authorization: Bearer pmcp_pat_…</code> to <code>/mcp</code>. It acts as you, within its projects and access, until it expires or you revoke it.</p>\
         {notice}{list}{form}",
        notice = notice_html(notice),
        form = new_token_form(&own, csrf),
    ))
}

/// The "New token" form as posted (`project` repeats, once per ticked project).
#[derive(Debug, Default)]
pub struct TokenForm {
    pub csrf: String,
    name: String,
    projects: Option<String>,
    project: Vec<String>,
    access: Option<String>,
    expires: String,
}

impl TokenForm {
    /// Reads an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "csrf" => form.csrf = value,
                "name" => form.name = value,
                "projects" => form.projects = Some(value),
                "project" => form.project.push(value),
                "access" => form.access = Some(value),
                "expires" => form.expires = value,
                _ => {}
            }
        }
        form
    }

    /// What the form asks for; a value the form never offers is refused.
    pub fn asked(&self) -> Result<NewPersonalToken, String> {
        let projects = if self.projects.as_deref() == Some("chosen") {
            let ids = self
                .project
                .iter()
                .map(|raw| raw.parse::<ProjectId>().map_err(|e| e.to_string()))
                .collect::<Result<BTreeSet<_>, _>>()?;
            GrantProjects::Only(ids)
        } else {
            GrantProjects::All
        };
        let days = self
            .expires
            .parse::<i64>()
            .ok()
            .filter(|d| EXPIRIES.contains(d))
            .ok_or("choose one of the expiries offered")?;
        Ok(NewPersonalToken {
            name: self.name.clone(),
            projects,
            read_only: self.access.as_deref() != Some("write"),
            expires_in: TimeDelta::days(days),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::model::GrantId;

    #[test]
    fn the_form_reads_repeated_projects_access_and_only_offered_expiries() {
        let p = "00000000-0000-0000-0000-000000000001";
        let form = TokenForm::parse(
            format!("csrf=c&name=n&projects=chosen&project={p}&access=write&expires=30").as_bytes(),
        );
        let asked = form.asked().unwrap();
        assert_eq!(
            asked.projects,
            GrantProjects::Only([p.parse().unwrap()].into())
        );
        assert!(!asked.read_only);
        assert_eq!(asked.expires_in, TimeDelta::days(30));
        let all = TokenForm::parse(b"csrf=c&name=n&project=x&expires=365")
            .asked()
            .unwrap();
        assert_eq!(
            all.projects,
            GrantProjects::All,
            "ticks without \"chosen\" are ignored"
        );
        assert!(all.read_only, "read-only unless asked otherwise");
        for bad in ["expires=400", "expires=", "expires=-7"] {
            assert!(TokenForm::parse(bad.as_bytes()).asked().is_err(), "{bad}");
        }
        assert!(
            TokenForm::parse(b"projects=chosen&project=nope&expires=7")
                .asked()
                .is_err()
        );
    }

    #[test]
    fn a_name_with_markup_is_escaped_and_the_secret_shown_once_in_code() {
        let token = PersonalToken {
            id: GrantId::from_uuid(uuid::Uuid::from_u128(1)),
            user: UserId::from_uuid(uuid::Uuid::from_u128(2)),
            name: "<b>x</b>".into(),
            token_hash: "hash".into(),
            projects: GrantProjects::All,
            read_only: true,
            created_at: Utc::now(),
            expires_at: Utc::now(),
            last_used_at: None,
        };
        let row = token_row(&token, &[], "csrf");
        assert!(
            row.contains("&lt;b&gt;x&lt;/b&gt;") && !row.contains("<b>x"),
            "{row}"
        );
        assert!(
            row.contains("Read only · All projects") && row.contains("never used"),
            "{row}"
        );
        assert!(!row.contains("hash"), "{row}");
        let shown = notice_html(&Notice::Created(Box::new(CreatedToken {
            raw: "pmcp_pat_abc".into(),
            token,
        })));
        assert!(
            shown.contains("<code id=\"new-token\">pmcp_pat_abc</code>"),
            "{shown}"
        );
        assert!(shown.contains("shown only this once"), "{shown}");
    }
}
