//! WeChat's multi-end apps (多端应用, "donut"): one app built from a mini program that also runs
//! as an iOS and Android App. Its sign-ins (`wx.weixinAppLogin` in the App,
//! `wx.weixinMiniProgramLogin` in the mini program, `wx.phoneSmsLogin`, the phone's one-tap
//! number, `wx.appleLogin`) each hand the App a code, which the server exchanges with
//! `donut/code2verifyinfo` for [`MultiEndInfo`]: every identity WeChat knows of that user.

/// How the user signed in (`login_info.type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultiEndLogin {
    /// `weixinApp`: WeChat login in the App (`wx.weixinAppLogin`): the mobile app identity.
    WeixinApp,
    /// `weixinMiniProgram`: inside the mini program (`wx.weixinMiniProgramLogin`).
    WeixinMiniProgram,
    /// `phoneSms`: a text message code (`wx.phoneSmsLogin`).
    PhoneSms,
    /// `phoneOneClick`: the phone's own number, confirmed by the carrier.
    PhoneOneClick,
    /// `apple`: Sign in with Apple (`wx.appleLogin`).
    Apple,
    /// A way WeChat added since (its spelling, at most 32 letters, digits, `-` or `_`; empty
    /// when the answer named none).
    Other(String),
}

impl MultiEndLogin {
    /// Parses WeChat's spelling; anything else is kept as [`Self::Other`], cut to its first 32
    /// letters, digits, `-` or `_`.
    pub fn parse(text: &str) -> Self {
        match text {
            "weixinApp" => Self::WeixinApp,
            "weixinMiniProgram" => Self::WeixinMiniProgram,
            "phoneSms" => Self::PhoneSms,
            "phoneOneClick" => Self::PhoneOneClick,
            "apple" => Self::Apple,
            other => Self::Other(
                other
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .take(32)
                    .collect(),
            ),
        }
    }

    /// WeChat's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::WeixinApp => "weixinApp",
            Self::WeixinMiniProgram => "weixinMiniProgram",
            Self::PhoneSms => "phoneSms",
            Self::PhoneOneClick => "phoneOneClick",
            Self::Apple => "apple",
            Self::Other(other) => other,
        }
    }
}

/// A WeChat identity of a multi-end user: of the mobile app (`openapp_info`) or of the mini
/// program (`miniprogram_info`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultiEndWeChat {
    /// The AppID of the mobile app or the mini program (not the multi-end app's).
    pub app_id: String,
    /// The user's openid for that AppID.
    pub openid: String,
    /// The user's unionid, when that app is bound to an Open Platform account.
    pub unionid: Option<String>,
    /// The nickname (the mobile app only; at most 64 characters kept).
    pub nickname: Option<String>,
    /// The avatar's `http(s)` URL (the mobile app only).
    pub headimgurl: Option<String>,
}

/// An Apple identity of a multi-end user (`apple_info`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultiEndApple {
    /// The App's bundle id (`bundleid`).
    pub bundle_id: String,
    /// Apple's stable user identifier (`apple_user_id`, the `sub` of Apple's identity token).
    pub user_id: String,
    /// The user's email at Apple, when WeChat gives one (`apple_email`).
    pub email: Option<String>,
    /// Whether Apple verified that email (`is_apple_email_verified`).
    pub email_verified: bool,
    /// Whether that email is Apple's private relay (`is_apple_email_private`).
    pub email_private: bool,
}

/// A Huawei identity of a multi-end user (`huawei_info`, HarmonyOS Apps).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultiEndHuawei {
    /// The Huawei app's `client_id`.
    pub client_id: String,
    /// The user's `open_id` for that app (`huawei_open_id`).
    pub open_id: String,
    /// The user's `union_id` across the developer's apps (`huawei_union_id`), when given.
    pub union_id: Option<String>,
}

/// What `donut/code2verifyinfo` answers for a code: how the user signed in, and each identity
/// WeChat knows of them. Which identities come depends on the way of signing in and on what
/// the user bound to their multi-end account (`wx.miniapp.bindPhone`, `bindWeixin`, …): a
/// WeChat login in the App gives at least [`Self::mobile_app`], a mini program login at least
/// [`Self::mini_program`], a phone login at least [`Self::phone`], an Apple login at least
/// [`Self::apple`] (the client refuses an answer lacking the identity its login names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiEndInfo {
    /// How the user signed in.
    pub login: MultiEndLogin,
    /// The multi-end app's own id of the user (`user_id`), when given.
    pub user_id: Option<String>,
    /// The WeChat identity of the mobile app (`openapp_info`).
    pub mobile_app: Option<MultiEndWeChat>,
    /// The WeChat identity of the mini program (`miniprogram_info`).
    pub mini_program: Option<MultiEndWeChat>,
    /// A phone number WeChat verified (`phone_info.phone`): digits, with a leading `+` for
    /// numbers outside mainland China.
    pub phone: Option<String>,
    /// The Apple identity (`apple_info`).
    pub apple: Option<MultiEndApple>,
    /// The Huawei identity (`huawei_info`).
    pub huawei: Option<MultiEndHuawei>,
}

impl MultiEndInfo {
    /// An answer of that login with no identity yet.
    pub fn new(login: MultiEndLogin) -> Self {
        Self {
            login,
            user_id: None,
            mobile_app: None,
            mini_program: None,
            phone: None,
            apple: None,
            huawei: None,
        }
    }

    /// Whether the identity the way of signing in names is there (any identity for
    /// [`MultiEndLogin::Other`]).
    pub fn has_login_identity(&self) -> bool {
        match self.login {
            MultiEndLogin::WeixinApp => self.mobile_app.is_some(),
            MultiEndLogin::WeixinMiniProgram => self.mini_program.is_some(),
            MultiEndLogin::PhoneSms | MultiEndLogin::PhoneOneClick => self.phone.is_some(),
            MultiEndLogin::Apple => self.apple.is_some(),
            MultiEndLogin::Other(_) => {
                self.mobile_app.is_some()
                    || self.mini_program.is_some()
                    || self.phone.is_some()
                    || self.apple.is_some()
                    || self.huawei.is_some()
            }
        }
    }
}

/// The longest phone number accepted, in digits.
pub const PHONE_MAX_DIGITS: usize = 20;

/// Whether `phone` looks like a number WeChat verified: 5 to [`PHONE_MAX_DIGITS`] ASCII
/// digits, with an optional leading `+`.
pub fn valid_phone(phone: &str) -> bool {
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    (5..=PHONE_MAX_DIGITS).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_kinds_round_trip_and_unknown_ones_are_bounded() {
        for text in ["weixinApp", "weixinMiniProgram", "phoneSms", "phoneOneClick", "apple"] {
            assert_eq!(MultiEndLogin::parse(text).as_str(), text);
        }
        assert_eq!(MultiEndLogin::parse("huawei"), MultiEndLogin::Other("huawei".into()));
        assert_eq!(MultiEndLogin::parse("a<b>\n").as_str(), "ab");
        assert_eq!(MultiEndLogin::parse(&"x".repeat(100)).as_str().len(), 32);
    }

    #[test]
    fn the_identity_of_the_login_must_be_there() {
        let mut info = MultiEndInfo::new(MultiEndLogin::WeixinApp);
        info.phone = Some("13800138000".into());
        assert!(!info.has_login_identity(), "a WeChat login without the app's identity");
        info.mobile_app = Some(MultiEndWeChat::default());
        assert!(info.has_login_identity());
        let mut phone = MultiEndInfo::new(MultiEndLogin::PhoneOneClick);
        assert!(!phone.has_login_identity());
        phone.phone = Some("13800138000".into());
        assert!(phone.has_login_identity());
        let mut other = MultiEndInfo::new(MultiEndLogin::Other("huawei".into()));
        assert!(!other.has_login_identity());
        other.huawei = Some(MultiEndHuawei::default());
        assert!(other.has_login_identity());
    }

    #[test]
    fn phones_are_digits_with_an_optional_plus() {
        assert!(valid_phone("13800138000") && valid_phone("+85291234567"));
        for bad in ["", "+", "1234", "138 0013 8000", "138-0013-8000", "++8613800138000", "x1380"] {
            assert!(!valid_phone(bad), "{bad:?}");
        }
        assert!(valid_phone(&"1".repeat(20)) && !valid_phone(&"1".repeat(21)));
    }
}
