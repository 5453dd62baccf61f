//! Server-rendered pages: login, consent, errors. No external assets, readable on a phone,
//! never framed (`frame-ancestors 'none'`), every form carrying a CSRF token.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f6f8;color:#1d2330;margin:0;padding:1rem}\
main{max-width:28rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}\
h1{font-size:1.3rem;margin:0 0 1rem}p,li{line-height:1.5}label{display:block;margin:.75rem 0 .25rem;font-weight:600}\
input[type=email]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #c5cad3;border-radius:8px}\
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.4rem 0;font-weight:400}\
.buttons{display:flex;gap:.75rem;margin-top:1.25rem}button{flex:1;padding:.7rem;font-size:1rem;border-radius:8px;border:1px solid #c5cad3;background:#fff;cursor:pointer}\
button.primary{background:#2457d6;border-color:#2457d6;color:#fff}.muted{color:#5b6475;font-size:.9rem}code{word-break:break-all}.error{color:#b42318}";

/// A full page with the security headers every page carries.
#[must_use]
pub fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    );
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(html)
}

/// The error page.
#[must_use]
pub fn error(status: StatusCode, code: &str, description: &str) -> HttpResponse {
    page(
        status,
        "Sign-in problem",
        &format!(
            "<h1>This sign-in cannot continue</h1><p class=\"error\">{}</p><p class=\"muted\">Error code: <code>{}</code>. Go back to your application and connect again.</p>",
            escape(description),
            escape(code)
        ),
    )
}

/// The dev login form: one email field.
#[must_use]
pub fn login(request: &str, csrf: &str, client_name: &str, problem: Option<&str>) -> HttpResponse {
    let problem = problem.map_or(String::new(), |p| {
        format!("<p class=\"error\">{}</p>", escape(p))
    });
    page(
        StatusCode::OK,
        "Sign in",
        &format!(
            "<h1>Sign in to continue to {}</h1>{problem}\
             <form method=\"post\" action=\"/oauth/login\">\
             <input type=\"hidden\" name=\"request\" value=\"{}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"email\">Email</label>\
             <input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" required autofocus>\
             <div class=\"buttons\"><button class=\"primary\" type=\"submit\">Continue</button></div></form>\
             <p class=\"muted\">Development sign-in: people added with <code>platform-mcp admin user add</code>.</p>",
            escape(client_name),
            escape(request),
            escape(csrf)
        ),
    )
}

/// What the consent page shows.
pub struct ConsentView<'a> {
    pub request: &'a str,
    pub csrf: &'a str,
    pub client_name: &'a str,
    pub client_host: &'a str,
    pub redirect_uri: &'a str,
    pub user_email: &'a str,
    pub write_requested: bool,
}

/// The consent page: who asks, where it will send you, what it may do; read-only or
/// read-write; Allow / Deny.
#[must_use]
pub fn consent(view: &ConsentView<'_>) -> HttpResponse {
    let write_checked = if view.write_requested { " checked" } else { "" };
    let read_checked = if view.write_requested { "" } else { " checked" };
    page(
        StatusCode::OK,
        "Allow access?",
        &format!(
            "<h1>Allow {name} to access your projects?</h1>\
             <p><strong>{name}</strong> ({host}) wants to act for <strong>{email}</strong> on the Business Platform: list your projects and their data types, and work with the entries you can access.</p>\
             <p class=\"muted\">After you decide, you go back to <code>{redirect}</code>.</p>\
             <form method=\"post\" action=\"/oauth/consent\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label>Access</label>\
             <label class=\"choice\"><input type=\"radio\" name=\"access\" value=\"read\"{read_checked}> Read only: see projects, types and entries (data:read)</label>\
             <label class=\"choice\"><input type=\"radio\" name=\"access\" value=\"write\"{write_checked}> Read and write: also create, change and delete entries (data:read data:write)</label>\
             <div class=\"buttons\"><button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
             <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button></div></form>",
            name = escape(view.client_name),
            host = escape(view.client_host),
            email = escape(view.user_email),
            redirect = escape(view.redirect_uri),
            request = escape(view.request),
            csrf = escape(view.csrf),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(
            escape("<script>\"x\"&'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;"
        );
    }
}
