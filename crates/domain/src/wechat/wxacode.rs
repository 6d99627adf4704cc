//! Mini program codes (`getwxacodeunlimit`): what is asked for, the image WeChat answers, and the
//! rules WeChat puts on a request, checked before calling so that a bad request never reaches it.

use std::fmt;

/// The most characters a `scene` may have.
pub const SCENE_MAX_CHARS: usize = 32;

/// The characters besides ASCII letters and digits that a `scene` may hold.
pub const SCENE_PUNCTUATION: &str = "!#$&'()*+,/:;=?@-._~";

/// The narrowest code WeChat draws, in pixels.
pub const WIDTH_MIN: u32 = 280;

/// The widest code WeChat draws, in pixels.
pub const WIDTH_MAX: u32 = 1280;

/// The mini program versions a code can open (`env_version`).
pub const ENV_VERSIONS: [&str; 3] = ["release", "trial", "develop"];

/// The longest `page` accepted (WeChat's page paths are short; this only bounds the request).
pub const PAGE_MAX_CHARS: usize = 128;

/// Whether `scene` is one WeChat accepts: 1 to 32 characters, each an ASCII letter or digit or
/// one of [`SCENE_PUNCTUATION`] (no `%`, so no URL encoding, and no spaces).
pub fn valid_scene(scene: &str) -> bool {
    !scene.is_empty()
        && scene.len() <= SCENE_MAX_CHARS
        && scene.chars().all(|c| c.is_ascii_alphanumeric() || SCENE_PUNCTUATION.contains(c))
}

/// What to make a mini program code of (`POST /wxa/getwxacodeunlimit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WxaCodeRequest {
    /// What the opened page receives as `options.scene` (URL-encoded by WeChat): see
    /// [`valid_scene`].
    pub scene: String,
    /// The page the code opens, like `pages/qrlogin/index`: no leading `/` and no query (the
    /// parameters go in `scene`). Empty opens the mini program's home page.
    pub page: String,
    /// Whether WeChat checks that `page` exists in the published mini program (`41030` when it
    /// does not). Off, a code can open a page not published yet (for `trial` or `develop`).
    pub check_path: bool,
    /// The version of the mini program the code opens: one of [`ENV_VERSIONS`].
    pub env_version: String,
    /// The width of the code in pixels, [`WIDTH_MIN`]`..=`[`WIDTH_MAX`] (WeChat's default: 430).
    pub width: u32,
}

impl WxaCodeRequest {
    /// Checks the request against WeChat's rules, naming the first rule it breaks.
    pub fn check(&self) -> Result<(), WxaCodeProblem> {
        if !valid_scene(&self.scene) {
            return Err(WxaCodeProblem::InvalidScene);
        }
        let page_ok = self.page.len() <= PAGE_MAX_CHARS
            && !self.page.starts_with('/')
            && self.page.chars().all(|c| c.is_ascii_graphic() && c != '?' && c != '#');
        let env_ok = ENV_VERSIONS.contains(&self.env_version.as_str());
        let width_ok = (WIDTH_MIN..=WIDTH_MAX).contains(&self.width);
        if page_ok && env_ok && width_ok { Ok(()) } else { Err(WxaCodeProblem::InvalidArguments) }
    }
}

/// A mini program code, as WeChat draws it: an image.
#[derive(Clone, PartialEq, Eq)]
pub struct WxaCode {
    /// The image's media type, without parameters (`image/png`, `image/jpeg`).
    pub content_type: String,
    /// The image.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for WxaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WxaCode")
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Why WeChat will not make a mini program code of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WxaCodeProblem {
    /// `41030`: the page is not a page of the published mini program (or its path is wrong):
    /// the operator must publish the version that has the page, or the code must be asked for
    /// with `check_path` off.
    PageNotPublished,
    /// `40129`, `40169`, or refused before calling: the scene breaks WeChat's rules.
    InvalidScene,
    /// `40097`, `85096`, or refused before calling: another argument is invalid (`page`,
    /// `env_version`, `width`).
    InvalidArguments,
}

impl WxaCodeProblem {
    /// The problem an `errcode` of `getwxacodeunlimit` names, if it names one.
    pub fn of_errcode(errcode: i64) -> Option<Self> {
        match errcode {
            41030 => Some(Self::PageNotPublished),
            40129 | 40169 => Some(Self::InvalidScene),
            40097 | 85096 => Some(Self::InvalidArguments),
            _ => None,
        }
    }
}

impl fmt::Display for WxaCodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PageNotPublished => {
                "the page is not in the published mini program (errcode 41030): publish the \
                 version that has it"
            }
            Self::InvalidScene => {
                "the scene is not 1 to 32 characters of 0-9A-Za-z!#$&'()*+,/:;=?@-._~"
            }
            Self::InvalidArguments => {
                "the page, env_version or width is invalid (page without a leading / or a query, \
                 env_version release, trial or develop, width 280 to 1280)"
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(scene: &str) -> WxaCodeRequest {
        WxaCodeRequest {
            scene: scene.into(),
            page: "pages/qrlogin/index".into(),
            check_path: true,
            env_version: "release".into(),
            width: 430,
        }
    }

    #[test]
    fn scenes_follow_wechats_rules() {
        assert!(valid_scene("a"));
        assert!(valid_scene(&"Z".repeat(32)));
        assert!(valid_scene("09azAZ!#$&'()*+,/:;=?@-._~"));
        assert!(!valid_scene(""));
        assert!(!valid_scene(&"Z".repeat(33)));
        for bad in ["a b", "a%20", "a\"", "a<", "a>", "a\\", "a^", "a`", "a{", "a|", "a}", "é"] {
            assert!(!valid_scene(bad), "{bad:?}");
        }
    }

    #[test]
    fn requests_are_checked_before_calling() {
        assert_eq!(request("q-1").check(), Ok(()));
        assert_eq!(request("").check(), Err(WxaCodeProblem::InvalidScene));
        assert_eq!(request("a b").check(), Err(WxaCodeProblem::InvalidScene));
        let with = |f: fn(&mut WxaCodeRequest)| {
            let mut r = request("q-1");
            f(&mut r);
            r.check()
        };
        assert_eq!(with(|r| r.page = String::new()), Ok(()));
        assert_eq!(with(|r| r.width = WIDTH_MIN), Ok(()));
        assert_eq!(with(|r| r.width = WIDTH_MAX), Ok(()));
        assert_eq!(with(|r| r.env_version = "develop".into()), Ok(()));
        let invalid = Err(WxaCodeProblem::InvalidArguments);
        assert_eq!(with(|r| r.page = "/pages/qrlogin/index".into()), invalid);
        assert_eq!(with(|r| r.page = "pages/qrlogin/index?x=1".into()), invalid);
        assert_eq!(with(|r| r.page = "pages/qr login".into()), invalid);
        assert_eq!(with(|r| r.page = "p".repeat(129)), invalid);
        assert_eq!(with(|r| r.env_version = "prod".into()), invalid);
        assert_eq!(with(|r| r.width = WIDTH_MIN - 1), invalid);
        assert_eq!(with(|r| r.width = WIDTH_MAX + 1), invalid);
    }

    #[test]
    fn errcodes_name_their_problem() {
        assert_eq!(WxaCodeProblem::of_errcode(41030), Some(WxaCodeProblem::PageNotPublished));
        assert_eq!(WxaCodeProblem::of_errcode(40129), Some(WxaCodeProblem::InvalidScene));
        assert_eq!(WxaCodeProblem::of_errcode(40169), Some(WxaCodeProblem::InvalidScene));
        assert_eq!(WxaCodeProblem::of_errcode(40097), Some(WxaCodeProblem::InvalidArguments));
        assert_eq!(WxaCodeProblem::of_errcode(45009), None);
        assert_eq!(WxaCodeProblem::of_errcode(-1), None);
    }

    #[test]
    fn an_image_is_not_printed() {
        let code = WxaCode { content_type: "image/png".into(), bytes: vec![7; 1000] };
        assert_eq!(format!("{code:?}"), r#"WxaCode { content_type: "image/png", bytes: 1000 }"#);
    }
}
