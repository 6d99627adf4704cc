//! The hosted pages of a pool's OpenID Provider: the login page the authorization endpoint
//! answers with, its error pages, and the page after signing out; plus their script and
//! stylesheet ([`asset_routes`]).
//!
//! Every text is rendered here, in the language [`negotiate`] chose, from the catalogs of
//! [`texts`]; the script (`assets/login.js`) only shows and hides what the page holds, so the
//! policy forbids inline scripts and styles and every third-party origin. Whatever comes from a
//! tenant or a request is HTML-escaped.

mod assets;
mod lang;
mod texts;

use poem::{
    Response,
    http::{HeaderValue, StatusCode, header},
};

use tessera_domain::{model::ConnectionKind, service::oidc::LoginMethod};

use self::texts::texts;
pub use self::{
    assets::{ASSETS_PATH, asset_routes},
    lang::{Lang, negotiate},
};

/// The Content-Security-Policy of every hosted page: its own script, stylesheet and images
/// (and the QR code as a `data:` image), requests to its own origin, forms to its own origin,
/// never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// What the login page is about.
#[derive(Debug, Clone, Copy)]
pub struct LoginPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The pool's name (shown, escaped).
    pub pool_name: &'a str,
    /// The name of the application the user signs in to (shown, escaped).
    pub application_name: &'a str,
    /// `/userpools/{id}`: the page's script calls `{base_path}/login/wxapp-qrcode` and
    /// `{base_path}/login/wxapp-qrcode/status`.
    pub base_path: &'a str,
    /// The opaque id of this authorization request, sent back with each of those calls.
    pub interaction: &'a str,
    /// The ways to sign in, in the pool's order.
    pub methods: &'a [LoginMethod],
}

/// Why an authorization request cannot go on: shown as a page, never redirected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPageKind {
    /// The `client_id` names no application of the pool.
    UnknownClient,
    /// The `redirect_uri` is not one the application registered.
    RedirectUriMismatch,
    /// Any other request that cannot be answered at the redirect URI.
    InvalidRequest,
    /// The authorization request outlived its lifetime.
    LoginExpired,
    /// The connection's sign-up policy refuses this person.
    SignupRefused,
    /// The person declined in WeChat.
    Declined,
    /// WeChat cannot be reached.
    WechatUnavailable,
    /// A failure of ours.
    ServerError,
}

/// The login page (`200 text/html`): the pool's and the application's names, the QR code the
/// script fetches, and one element per state of the login that the script shows in turn.
pub fn login_page(page: &LoginPage<'_>) -> Response {
    let t = texts(page.lang);
    let names = Names { app: page.application_name, pool: page.pool_name };
    let states = [
        ("loading", t.state_loading),
        ("pending", t.state_pending),
        ("scanned", t.state_scanned),
        ("confirmed", t.state_confirmed),
        ("cancelled", t.state_cancelled),
        ("expired", t.state_expired),
        ("login_expired", t.state_login_expired),
        ("offline", t.state_offline),
        ("failed", t.state_failed),
    ];
    let mut status = String::new();
    for (state, text) in states {
        let hidden = if state == "loading" { "" } else { " hidden" };
        status.push_str(&format!(
            "\n        <span data-state=\"{state}\"{hidden}>{}</span>",
            escape(text)
        ));
    }
    let qr = page.methods.iter().find(|m| m.kind == ConnectionKind::MiniProgram);
    let qr_section = qr.map(|_| {
        format!(
            r#"
    <section class="qr" aria-labelledby="scan-heading">
      <h2 id="scan-heading">{scan_heading}</h2>
      <div class="qr-frame">
        <img id="qr-image" class="qr-image" alt="{qr_alt}" width="240" height="240" hidden>
        <span class="qr-placeholder" aria-hidden="true"></span>
      </div>
      <p id="status" class="status" role="status" aria-live="polite" aria-atomic="true" tabindex="-1">{status}
      </p>
      <button type="button" id="renew" class="button" hidden>{renew}</button>
      <p class="hint">{phone_hint}</p>
      <noscript><p class="status">{needs_script}</p></noscript>
    </section>"#,
            scan_heading = escape(t.scan_heading),
            qr_alt = escape(t.qr_alt),
            renew = escape(t.renew),
            phone_hint = escape(t.phone_hint),
            needs_script = escape(t.needs_script),
        )
    });
    let buttons: String = page
        .methods
        .iter()
        .filter_map(|m| {
            let label = match m.kind {
                ConnectionKind::Website => t.method_website,
                ConnectionKind::OfficialAccount => t.method_official_account,
                ConnectionKind::WeCom => t.method_wecom,
                _ => return None,
            };
            let href = format!(
                "{}/login/wechat?interaction={}&connection={}",
                page.base_path, page.interaction, m.connection
            );
            Some(format!(
                "\n        <li><a class=\"button method\" data-kind=\"{kind}\" href=\"{href}\">{label}</a></li>",
                kind = m.kind.as_str(),
                href = escape(&href),
                label = escape(m.name.as_deref().unwrap_or(label)),
            ))
        })
        .collect();
    let buttons_first = page.methods.first().is_some_and(|m| m.kind != ConnectionKind::MiniProgram);
    let others = if buttons.is_empty() {
        String::new()
    } else {
        // "Other ways" only below the QR code: above it, the buttons speak for themselves.
        let heading = if qr.is_some() && !buttons_first {
            format!("\n      <h2>{}</h2>", escape(t.other_methods))
        } else {
            String::new()
        };
        format!(
            "\n    <nav class=\"methods\">{heading}\n      <ul>{buttons}\n      </ul>\n    </nav>"
        )
    };
    let none = if page.methods.is_empty() {
        format!("\n    <p class=\"status\">{}</p>", escape(t.no_methods))
    } else {
        String::new()
    };
    let qr_section = qr_section.unwrap_or_default();
    let connection =
        qr.map(|m| format!(r#" data-connection="{}""#, escape(&m.connection))).unwrap_or_default();
    let body = format!(
        r#"<main class="card" id="login" data-state="loading" data-base="{base}" data-interaction="{interaction}"{connection}>
    <header>
      <p class="pool">{pool_label}</p>
      <h1>{heading}</h1>
    </header>{first}{second}{none}
  </main>"#,
        base = escape(page.base_path),
        interaction = escape(page.interaction),
        heading = fill(t.sign_in_to_app, names, true),
        pool_label = fill(t.pool_label, names, true),
        // In the tenant's order: the buttons first when one of them comes before the QR code.
        first = if buttons_first { others.as_str() } else { qr_section.as_str() },
        second = if buttons_first { qr_section.as_str() } else { others.as_str() },
    );
    let script = format!(r#"<script src="{}" defer></script>"#, assets::login_js());
    let title = fill(t.sign_in_to_app, names, false);
    html(page.lang, StatusCode::OK, &title, &script, &body)
}

/// An error page in `lang`, with `status`: what went wrong, what to do, and `detail` (e.g. the
/// offending parameter; shown escaped, and never holding a secret) when given.
pub fn error_page(
    lang: Lang,
    kind: ErrorPageKind,
    detail: Option<&str>,
    status: StatusCode,
) -> Response {
    let t = texts(lang);
    let (heading, advice) = match kind {
        ErrorPageKind::UnknownClient => (t.error_unknown_client, t.advice_contact_app),
        ErrorPageKind::RedirectUriMismatch => (t.error_redirect_uri_mismatch, t.advice_contact_app),
        ErrorPageKind::InvalidRequest => (t.error_invalid_request, t.advice_start_again),
        ErrorPageKind::LoginExpired => (t.error_login_expired, t.advice_start_again),
        ErrorPageKind::SignupRefused => (t.error_signup_refused, t.advice_ask_admin),
        ErrorPageKind::Declined => (t.error_declined, t.advice_start_again),
        ErrorPageKind::WechatUnavailable => (t.error_wechat_unavailable, t.advice_try_later),
        ErrorPageKind::ServerError => (t.error_server_error, t.advice_try_later),
    };
    let detail = detail
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            format!(
                "\n    <p class=\"detail\">{} <bdi>{}</bdi></p>",
                escape(t.detail_label),
                escape(d)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<main class=\"card\" id=\"error\">\n    <h1>{}</h1>\n    <p>{}</p>{detail}\n  </main>",
        escape(heading),
        escape(advice)
    );
    html(lang, status, t.error_title, "", &body)
}

/// The page after RP-initiated logout when the application gave no (valid) address to return
/// to.
pub fn logged_out_page(lang: Lang) -> Response {
    let t = texts(lang);
    let body = format!(
        "<main class=\"card\" id=\"logged-out\">\n    <h1>{}</h1>\n    <p>{}</p>\n  </main>",
        escape(t.logged_out_title),
        escape(t.logged_out_body)
    );
    html(lang, StatusCode::OK, t.logged_out_title, "", &body)
}

/// The page that asks before signing out, when the logout request cannot show which
/// application sent it (no valid `id_token_hint`): a form that posts `fields` back to `action`
/// with `confirm=yes`. Another site cannot submit it for the user: the session cookie is
/// `SameSite=Lax`, so it is not sent with a cross-site POST.
pub fn logout_confirm_page(
    lang: Lang,
    pool_name: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Response {
    let t = texts(lang);
    let names = Names { app: "", pool: pool_name };
    let hidden: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "\n      <input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let body = format!(
        "<main class=\"card\" id=\"logout-confirm\">\n    <h1>{}</h1>\n    <p>{}</p>\n    \
         <form method=\"post\" action=\"{}\">{hidden}\n      \
         <input type=\"hidden\" name=\"confirm\" value=\"yes\">\n      \
         <button type=\"submit\">{}</button>\n    </form>\n  </main>",
        escape(t.logout_confirm_title),
        fill(t.logout_confirm_body, names, true),
        escape(action),
        escape(t.logout_confirm_button),
    );
    html(lang, StatusCode::OK, t.logout_confirm_title, "", &body)
}

/// A whole page: `title` (plain text, escaped here), the stylesheet, `head_extra` (trusted
/// markup: the script's tag) and `body` (markup, already escaped), with the headers every
/// hosted page carries.
fn html(lang: Lang, status: StatusCode, title: &str, head_extra: &str, body: &str) -> Response {
    let tag = lang.tag();
    let page = format!(
        r#"<!doctype html>
<html lang="{tag}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <meta name="color-scheme" content="light dark">
  <title>{title}</title>
  <link rel="stylesheet" href="{css}">
  {head_extra}
</head>
<body>
  {body}
</body>
</html>
"#,
        title = escape(title),
        css = assets::login_css(),
    );
    let mut response = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::PRAGMA, "no-cache")
        .header(header::REFERRER_POLICY, "no-referrer")
        .header(header::X_FRAME_OPTIONS, "DENY")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(page);
    response.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(tag));
    response
}

/// The names a text's placeholders stand for.
#[derive(Clone, Copy)]
struct Names<'a> {
    app: &'a str,
    pool: &'a str,
}

/// `text` with `{app}` and `{pool}` replaced by the names, in one pass (a name holding
/// `{pool}` stays as it is). As `markup`, the text is escaped and each name is escaped and
/// isolated from the sentence around it (`<bdi>`: a right-to-left name cannot reorder it);
/// otherwise the result is plain text, for a `<title>`, which [`html`] escapes.
fn fill(text: &str, names: Names<'_>, markup: bool) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let plain = |out: &mut String, s: &str| {
        if markup { out.push_str(&escape(s)) } else { out.push_str(s) }
    };
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        plain(&mut out, &rest[..at]);
        let tail = &rest[at..];
        let (name, len) = if tail.starts_with("{app}") {
            (Some(names.app), "{app}".len())
        } else if tail.starts_with("{pool}") {
            (Some(names.pool), "{pool}".len())
        } else {
            (None, 1)
        };
        match name {
            Some(name) if markup => out.push_str(&format!("<bdi>{}</bdi>", escape(name))),
            Some(name) => out.push_str(name),
            None => out.push('{'),
        }
        rest = &tail[len..];
    }
    plain(&mut out, rest);
    out
}

/// HTML-escapes text for an element's content or a quoted attribute value.
pub(crate) fn escape(text: &str) -> String {
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

#[cfg(test)]
mod tests;
