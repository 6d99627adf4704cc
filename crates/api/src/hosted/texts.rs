//! Every text of the hosted pages, one catalog per language. The catalogs are values of one
//! struct, so a text missing from either is a compile error; the tests check that no text is
//! empty, that each language names the same placeholders, and that Chinese is really Chinese.
//!
//! A `{app}` or `{pool}` in a text is replaced by the (escaped) application or pool name.

use super::Lang;

macro_rules! catalog {
    ($($(#[doc = $doc:literal])* $key:ident,)*) => {
        /// The texts of the hosted pages in one language.
        pub(crate) struct Texts {
            $($(#[doc = $doc])* pub(crate) $key: &'static str,)*
        }

        impl Texts {
            /// Every text with its key, in declaration order.
            #[cfg(test)]
            pub(crate) fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

catalog! {
    /// The `<title>` and heading of the login page.
    sign_in_to_app,
    /// Says which pool (organisation) the sign-in is for.
    pool_label,
    /// The heading of the QR code's section.
    scan_heading,
    /// The QR image's alternative text.
    qr_alt,
    /// Shown while the first code is fetched.
    state_loading,
    /// Shown with the code, waiting for a scan.
    state_pending,
    /// The code was scanned; the user must confirm in the mini program.
    state_scanned,
    /// Confirmed; the browser is on its way back to the application.
    state_confirmed,
    /// The user cancelled in the mini program.
    state_cancelled,
    /// The QR code expired.
    state_expired,
    /// The whole authorization request expired: start again from the application.
    state_login_expired,
    /// The server cannot be reached or is busy; the page retries by itself.
    state_offline,
    /// Something else went wrong fetching or checking the code.
    state_failed,
    /// The button that fetches a new code.
    renew,
    /// A hint for phones, where the code is on the screen that would scan it.
    phone_hint,
    /// Shown when scripts are disabled.
    needs_script,
    /// The title of every error page.
    error_title,
    /// The error page's heading: an unknown `client_id`.
    error_unknown_client,
    /// The error page's heading: a `redirect_uri` the application did not register.
    error_redirect_uri_mismatch,
    /// The error page's heading: any other malformed authorization request.
    error_invalid_request,
    /// The error page's heading: the sign-in took too long.
    error_login_expired,
    /// The error page's heading: our failure.
    error_server_error,
    /// What to do after an error the application caused (first two kinds).
    advice_contact_app,
    /// What to do after a malformed request or an expired sign-in.
    advice_start_again,
    /// What to do after a failure of ours.
    advice_try_later,
    /// Introduces the error's detail (e.g. the offending parameter).
    detail_label,
    /// The title and heading of the page after signing out.
    logged_out_title,
    /// The heading of the page that asks before signing out.
    logout_confirm_title,
    /// What signing out does.
    logout_confirm_body,
    /// The button that signs out.
    logout_confirm_button,
    /// The text below it.
    logged_out_body,
    /// The button of a website app's QR login (WeChat's own QR page).
    method_website,
    /// The button of an official account's login, inside WeChat's browser.
    method_official_account,
    /// The button of a WeCom app's login (employees).
    method_wecom,
    /// The heading of the other ways to sign in, below the QR code.
    other_methods,
    /// Shown when the pool offers this application no way to sign in.
    no_methods,
    /// The error page's heading: the person is not one the connection signs in.
    error_signup_refused,
    /// What to do then.
    advice_ask_admin,
    /// The error page's heading: the person declined in WeChat.
    error_declined,
    /// The error page's heading: WeChat cannot be reached.
    error_wechat_unavailable,
}

/// Simplified Chinese.
const ZH_CN: Texts = Texts {
    sign_in_to_app: "登录{app}",
    pool_label: "由{pool}提供",
    scan_heading: "使用微信扫码登录",
    qr_alt: "登录二维码：请使用微信扫一扫",
    state_loading: "正在获取二维码…",
    state_pending: "请使用微信扫描二维码",
    state_scanned: "已扫码，请在微信中确认登录",
    state_confirmed: "已确认，正在返回应用…",
    state_cancelled: "你已在微信中取消登录",
    state_expired: "二维码已过期",
    state_login_expired: "本次登录已超时，请返回应用重新发起登录。",
    state_offline: "暂时无法连接服务器，正在重试…",
    state_failed: "暂时无法获取二维码，请稍后再试。",
    renew: "获取新的二维码",
    phone_hint: "在手机上？请截屏保存二维码，再在微信“扫一扫”中从相册选取。",
    needs_script: "此页面需要启用 JavaScript 才能显示登录二维码。",
    error_title: "无法登录",
    error_unknown_client: "找不到要登录的应用",
    error_redirect_uri_mismatch: "应用的回调地址未登记",
    error_invalid_request: "登录请求无效",
    error_login_expired: "本次登录已超时",
    error_server_error: "服务暂时出现问题",
    advice_contact_app: "这是应用的配置问题，请联系应用的提供方。",
    advice_start_again: "请返回应用重新发起登录。",
    advice_try_later: "请稍后再试。",
    detail_label: "详细信息：",
    logged_out_title: "你已退出登录",
    logout_confirm_title: "退出登录？",
    logout_confirm_body: "你将在此浏览器中退出 {pool} 的登录。",
    logout_confirm_button: "退出登录",
    logged_out_body: "现在可以关闭此页面。",
    method_website: "微信扫码登录（网站应用）",
    method_official_account: "微信授权登录",
    method_wecom: "企业微信登录",
    other_methods: "其他登录方式",
    no_methods: "此应用尚未配置登录方式，请联系应用的提供方。",
    error_signup_refused: "此微信账号无法登录",
    advice_ask_admin: "只有已开通的账号才能登录，请联系管理员为你开通。",
    error_declined: "你已在微信中拒绝授权",
    error_wechat_unavailable: "暂时无法连接微信",
};

/// English.
const EN: Texts = Texts {
    sign_in_to_app: "Sign in to {app}",
    pool_label: "Provided by {pool}",
    scan_heading: "Sign in with WeChat",
    qr_alt: "Sign-in QR code: scan it with WeChat",
    state_loading: "Getting a QR code…",
    state_pending: "Scan with WeChat",
    state_scanned: "Scanned: confirm in WeChat",
    state_confirmed: "Confirmed: returning to the application…",
    state_cancelled: "You cancelled in WeChat",
    state_expired: "The QR code expired",
    state_login_expired: "This sign-in expired. Go back to the application and start again.",
    state_offline: "Cannot reach the server, retrying…",
    state_failed: "A QR code cannot be shown right now. Please try again later.",
    renew: "Get a new code",
    phone_hint: "On a phone? Take a screenshot of the code, then choose it from your album in \
                 WeChat's Scan.",
    needs_script: "This page needs JavaScript to show the sign-in QR code.",
    error_title: "Cannot sign in",
    error_unknown_client: "The application is not known",
    error_redirect_uri_mismatch: "The application's return address is not registered",
    error_invalid_request: "The sign-in request is not valid",
    error_login_expired: "This sign-in expired",
    error_server_error: "Something went wrong on our side",
    advice_contact_app: "The application is misconfigured: please tell its provider.",
    advice_start_again: "Go back to the application and start again.",
    advice_try_later: "Please try again in a moment.",
    detail_label: "Details:",
    logged_out_title: "You are signed out",
    logout_confirm_title: "Sign out?",
    logout_confirm_body: "You will be signed out of {pool} in this browser.",
    logout_confirm_button: "Sign out",
    logged_out_body: "You can close this page now.",
    method_website: "Sign in with WeChat (QR code)",
    method_official_account: "Sign in with WeChat",
    method_wecom: "Sign in with WeCom",
    other_methods: "Other ways to sign in",
    no_methods: "This application offers no way to sign in yet: please tell its provider.",
    error_signup_refused: "This WeChat account cannot sign in here",
    advice_ask_admin: "Only accounts given access can sign in: ask your administrator.",
    error_declined: "You declined in WeChat",
    error_wechat_unavailable: "WeChat cannot be reached right now",
};

/// The catalog of `lang`.
pub(crate) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::En => &EN,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{Lang, texts};

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.match_indices('{')
            .filter_map(|(at, _)| text[at..].find('}').map(|end| &text[at..=at + end]))
            .collect()
    }

    #[test]
    fn both_catalogs_have_the_same_keys_and_placeholders() {
        let zh = texts(Lang::ZhCn).entries();
        let en = texts(Lang::En).entries();
        let keys =
            |entries: &[(&'static str, &str)]| entries.iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(keys(&zh), keys(&en));
        assert!(zh.len() >= 20, "every text of the pages is in the catalog");
        for ((key, zh), (_, en)) in zh.iter().zip(&en) {
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{key} is empty");
            assert_eq!(placeholders(zh), placeholders(en), "{key}: placeholders differ");
            for placeholder in placeholders(zh) {
                assert!(["{app}", "{pool}"].contains(&placeholder), "{key}: {placeholder}");
            }
        }
    }

    #[test]
    fn chinese_texts_are_chinese_and_english_texts_are_not() {
        let cjk = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for (key, text) in texts(Lang::ZhCn).entries() {
            assert!(cjk(text), "zh-CN {key} is not translated: {text}");
        }
        for (key, text) in texts(Lang::En).entries() {
            assert!(!cjk(text), "en {key} holds Chinese: {text}");
        }
    }

    #[test]
    fn the_script_visible_states_say_what_the_brief_asks() {
        let en = texts(Lang::En);
        assert_eq!(en.state_pending, "Scan with WeChat");
        assert_eq!(en.state_scanned, "Scanned: confirm in WeChat");
        assert_eq!(en.state_cancelled, "You cancelled in WeChat");
        assert_eq!(en.state_expired, "The QR code expired");
        assert_eq!(en.renew, "Get a new code");
    }
}
