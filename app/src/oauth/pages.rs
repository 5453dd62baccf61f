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

/// One stylesheet, inline (the CSP allows no other). Phone first: one column, 16 px text (no
/// zoom on focus in iOS), 44 px tap targets; wider screens get more air around the card.
const STYLE: &str = "*,*::before,*::after{box-sizing:border-box}html{-webkit-text-size-adjust:100%}\
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:1rem;line-height:1.5;background:#f5f6f8;color:#1d2330;margin:0;padding:1rem}\
main{max-width:32rem;margin:.5rem auto;background:#fff;border-radius:12px;padding:1.5rem 1.25rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}\
@media (min-width:40rem){body{padding:2rem}main{margin-top:2.5rem;padding:2rem}}\
.brand{margin:0 0 .75rem;font-size:.8rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:#5b6475}\
h1{font-size:1.35rem;line-height:1.3;margin:0 0 1rem;text-wrap:balance}p{margin:0 0 1rem}\
label{display:block;margin:0 0 .35rem;font-weight:600}\
input[type=email],input[type=text],select{display:block;width:100%;min-height:2.9rem;padding:.6rem .75rem;font:inherit;color:inherit;background:#fff;border:1px solid #a9b0bc;border-radius:8px}\
input:focus-visible,button:focus-visible{outline:3px solid rgba(36,87,214,.4);outline-offset:1px}input[type=email]:focus{border-color:#2457d6}\
h2{font-size:1.1rem;margin:2rem 0 .75rem}.new-token fieldset,.new-token fieldset+label{margin-top:1rem}\
.secret{margin:0 0 1rem;padding:.75rem 1rem;background:#fff8e6;border:1px solid #e0b44c;border-radius:8px}.secret code{display:block;user-select:all;font-size:.95rem}\
.facts{margin:0 0 1rem;padding:.5rem 1rem;background:#f5f6f8;border-radius:8px}\
.facts div{display:grid;grid-template-columns:minmax(0,1fr);padding:.4rem 0}.facts div+div{border-top:1px solid #e3e6eb}\
.facts dt{color:#5b6475;font-size:.85rem}.facts dd{margin:0;font-weight:600;min-width:0;overflow-wrap:anywhere}\
@media (min-width:40rem){.facts div{grid-template-columns:8rem minmax(0,1fr);column-gap:.75rem}.facts dt{font-size:1rem}}\
fieldset{border:0;margin:0;padding:0;min-width:0}legend{font-weight:600;padding:0;margin:0 0 .5rem}\
.choice{display:flex;gap:.75rem;align-items:flex-start;margin:0 0 .5rem;padding:.75rem .9rem;border:1px solid #c5cad3;border-radius:10px;font-weight:400;cursor:pointer}\
.choice:has(input:checked){border-color:#2457d6;background:#f0f4fe;box-shadow:inset 0 0 0 1px #2457d6}\
.choice input{flex:none;width:1.25rem;height:1.25rem;margin:.15rem 0 0;accent-color:#2457d6}\
.choice strong{display:block}.choice .scope{display:block;margin-top:.15rem;color:#5b6475;font-size:.85rem}\
.projects{margin:.25rem 0 .75rem 2rem}.project{display:flex;gap:.6rem;align-items:center;margin:.35rem 0;font-weight:400}.project input{width:1.1rem;height:1.1rem;accent-color:#2457d6}\
.buttons{display:flex;gap:.75rem;margin:1.25rem 0 0}\
.connections{list-style:none;padding:0;margin:1rem 0 0}.connection{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 0;border-top:1px solid #e3e6eb}.connection>div{flex:1;min-width:0}.connection button{flex:none}\
.writes{flex:1 1 100%;min-width:0}.writes summary{padding:.6rem 0;font-weight:600;color:#2457d6;cursor:pointer}\
.writes ol{list-style:none;margin:0;padding:0}.writes li{padding:.5rem 0;border-top:1px solid #e3e6eb;overflow-wrap:anywhere}.when{white-space:nowrap;font-variant-numeric:tabular-nums}\
button{flex:1;min-height:2.9rem;padding:.6rem 1rem;font:inherit;font-weight:600;color:#1d2330;background:#fff;border:1px solid #a9b0bc;border-radius:8px;cursor:pointer}\
button:hover{background:#f0f2f5}button.primary{color:#fff;background:#2457d6;border-color:#2457d6}button.primary:hover{background:#1d47b0}\
.muted{color:#5b6475;font-size:.875rem}.muted:last-child{margin:1.25rem 0 0}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}.error{color:#b42318}";

/// The product's name, above every page's heading.
const BRAND: &str = "<p class=\"brand\">Business Platform</p>";

/// A full page with the security headers every page carries.
#[must_use]
pub fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Business Platform</title><style>{STYLE}</style></head>\
         <body><main>{BRAND}{body}</main></body></html>",
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
            "<h1>This sign-in cannot continue</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p class=\"muted\">Go back to your application and connect again. Error code: <code>{}</code>.</p>",
            escape(description),
            escape(code)
        ),
    )
}

/// The dev login form: one email field.
#[must_use]
pub fn login(request: &str, csrf: &str, client_name: &str, problem: Option<&str>) -> HttpResponse {
    let problem = problem.map_or(String::new(), |p| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(p))
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
             <input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" autocapitalize=\"none\" spellcheck=\"false\" placeholder=\"name@example.com\" required autofocus>\
             <div class=\"buttons\"><button class=\"primary\" type=\"submit\">Continue</button></div></form>\
             <p class=\"muted\">Development sign-in, without a password: use the email of a person added with <code>platform-mcp&nbsp;admin user&nbsp;add</code>.</p>",
            escape(client_name),
            escape(request),
            escape(csrf)
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
