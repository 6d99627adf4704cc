//! The login request's checks, at the edge of the flow: every field is named in the error.

use super::{LoginRequest, Profile};
use crate::{Error, service::fields::plain_text};

/// The longest `encryptedData` accepted, in characters as the API publishes it (base64: one
/// byte each; a phone payload is a few hundred).
const MAX_ENCRYPTED_DATA: usize = 16 * 1024;
/// The longest `iv` accepted (base64 of 16 bytes is 24 characters).
const MAX_IV: usize = 64;
/// The longest nickname (the user's `nickname`, and `username` at sign-up).
const MAX_NICKNAME: usize = 128;
/// The longest avatar URL.
const MAX_URL: usize = 1024;
/// The longest city, province, country or language.
const MAX_PLACE: usize = 64;

/// Checks a login request before anything is asked of WeChat.
pub(super) fn validate_login(r: &LoginRequest) -> Result<(), Error> {
    let code_ok =
        |c: &str| !c.is_empty() && c.len() <= 256 && c.bytes().all(|b| b.is_ascii_graphic());
    if !code_ok(&r.code) {
        return Err(Error::invalid("code", "must be the wx.login code"));
    }
    if r.phone_code.as_deref().is_some_and(|c| !code_ok(c)) {
        return Err(Error::invalid("phoneCode", "must be the getPhoneNumber code"));
    }
    if r.encrypted_data.is_some() != r.iv.is_some() {
        return Err(Error::invalid("iv", "encryptedData and iv go together"));
    }
    if r.encrypted_data.as_deref().is_some_and(|d| d.chars().count() > MAX_ENCRYPTED_DATA) {
        return Err(Error::invalid("encryptedData", "is too long"));
    }
    if let Some(iv) = &r.iv {
        plain_text("iv", iv, MAX_IV)?;
    }
    validate_challenge(r.code_challenge.as_deref(), r.code_challenge_method.as_deref())?;
    validate_profile(r)
}

/// A code challenge is base64url(SHA-256(verifier)); `S256` is the only method.
fn validate_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<(), Error> {
    let well_formed = |c: &str| {
        c.len() == 43 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match (challenge, method) {
        (Some(c), None | Some("S256")) if well_formed(c) => Ok(()),
        (Some(_), None | Some("S256")) => Err(Error::invalid(
            "codeChallenge",
            "must be base64url(SHA-256(verifier)), 43 characters",
        )),
        (Some(_), Some(_)) => Err(Error::invalid("codeChallengeMethod", "only S256 is supported")),
        (None, Some(_)) => {
            Err(Error::invalid("codeChallenge", "is required with codeChallengeMethod"))
        }
        (None, None) => Ok(()),
    }
}

/// Every profile field is stored (the nickname and avatar on the user, all of them in its
/// `oauth`): each is capped and free of control characters, `gender` is 0, 1 or 2.
fn validate_profile(r: &LoginRequest) -> Result<(), Error> {
    let Some(p) = &r.profile else { return Ok(()) };
    let Profile { nick_name, avatar_url, gender, city, province, country, language } = p;
    let fields = [
        ("profile.nickName", nick_name, MAX_NICKNAME),
        ("profile.avatarUrl", avatar_url, MAX_URL),
        ("profile.city", city, MAX_PLACE),
        ("profile.province", province, MAX_PLACE),
        ("profile.country", country, MAX_PLACE),
        ("profile.language", language, MAX_PLACE),
    ];
    for (field, value, max) in fields {
        if let Some(value) = value {
            plain_text(field, value, max)?;
        }
    }
    let http = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    if avatar_url.as_deref().is_some_and(|u| !http(u)) {
        return Err(Error::invalid("profile.avatarUrl", "must be an http(s) URL"));
    }
    if gender.is_some_and(|g| !(0..=2).contains(&g)) {
        return Err(Error::invalid("profile.gender", "must be 0, 1 or 2"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{b64url, sha256};

    #[test]
    fn login_requests_are_validated() {
        let ok = LoginRequest { code: "abc".into(), ..Default::default() };
        assert!(validate_login(&ok).is_ok());
        // The cap counts characters, as the API's published maxLength does.
        let wide = LoginRequest {
            encrypted_data: Some("é".repeat(MAX_ENCRYPTED_DATA)),
            iv: Some("x".into()),
            ..ok.clone()
        };
        assert!(validate_login(&wide).is_ok());
        let challenge = b64url(&sha256(b"verifier"));
        for (bad, field) in [
            (LoginRequest { code: String::new(), ..ok.clone() }, "code"),
            (LoginRequest { code: "a b".into(), ..ok.clone() }, "code"),
            (LoginRequest { phone_code: Some(String::new()), ..ok.clone() }, "phoneCode"),
            (LoginRequest { iv: Some("x".into()), ..ok.clone() }, "iv"),
            (
                LoginRequest {
                    encrypted_data: Some("x".repeat(MAX_ENCRYPTED_DATA + 1)),
                    iv: Some("x".into()),
                    ..ok.clone()
                },
                "encryptedData",
            ),
            (LoginRequest { code_challenge: Some("short".into()), ..ok.clone() }, "codeChallenge"),
            (
                LoginRequest {
                    code_challenge: Some(challenge.clone()),
                    code_challenge_method: Some("plain".into()),
                    ..ok.clone()
                },
                "codeChallengeMethod",
            ),
            (
                LoginRequest { code_challenge_method: Some("S256".into()), ..ok.clone() },
                "codeChallenge",
            ),
            (
                LoginRequest {
                    profile: Some(super::super::Profile {
                        avatar_url: Some("javascript:alert(1)".into()),
                        ..Default::default()
                    }),
                    ..ok.clone()
                },
                "profile.avatarUrl",
            ),
        ] {
            let err = validate_login(&bad).expect_err(field);
            assert!(err.to_string().starts_with(&format!("{field}:")), "{err}");
        }
        let bound = LoginRequest { code_challenge: Some(challenge), ..ok };
        assert!(validate_login(&bound).is_ok());
    }

    fn with_profile(profile: Profile) -> LoginRequest {
        LoginRequest { code: "abc".into(), profile: Some(profile), ..Default::default() }
    }

    /// The field an error names (what precedes the first `:`).
    fn field_of(r: &LoginRequest) -> String {
        let err = validate_login(r).expect_err("refused").to_string();
        err.split(':').next().unwrap_or_default().to_owned()
    }

    #[test]
    fn every_profile_field_is_capped_and_free_of_control_characters() {
        let full = Profile {
            nick_name: Some("😀".repeat(MAX_NICKNAME)),
            avatar_url: Some(format!("https://{}", "a".repeat(MAX_URL - 8))),
            gender: Some(2),
            city: Some("深".repeat(MAX_PLACE)),
            province: Some(String::new()),
            country: Some("China".into()),
            language: Some("zh_CN".into()),
        };
        assert!(validate_login(&with_profile(full.clone())).is_ok());
        let huge = "x".repeat(1024 * 1024);
        type Set = fn(&mut Profile, String);
        let setters: [(&str, Set); 6] = [
            ("profile.nickName", |p, v| p.nick_name = Some(v)),
            ("profile.avatarUrl", |p, v| p.avatar_url = Some(format!("https://{v}"))),
            ("profile.city", |p, v| p.city = Some(v)),
            ("profile.province", |p, v| p.province = Some(v)),
            ("profile.country", |p, v| p.country = Some(v)),
            ("profile.language", |p, v| p.language = Some(v)),
        ];
        for (field, set) in setters {
            for bad in [huge.clone(), "a\u{0}b".into(), "a\nb".into(), "\u{85}".into()] {
                let mut profile = full.clone();
                set(&mut profile, bad);
                assert_eq!(field_of(&with_profile(profile)), field);
            }
        }
        for gender in [-1, 3, i64::MAX] {
            let profile = Profile { gender: Some(gender), ..full.clone() };
            assert_eq!(field_of(&with_profile(profile)), "profile.gender");
        }
        let iv = LoginRequest {
            encrypted_data: Some("x".into()),
            iv: Some("a\u{0}".into()),
            ..Default::default()
        };
        assert_eq!(field_of(&LoginRequest { code: "abc".into(), ..iv }), "iv");
    }

    proptest::proptest! {
        #[test]
        fn any_login_request_is_judged_without_panic_and_refusals_name_a_field(
            code in "\\PC{0,300}",
            phone_code in proptest::option::of("\\PC{0,300}"),
            encrypted_data in proptest::option::of("\\PC{0,100}"),
            iv in proptest::option::of("\\PC{0,30}"),
            challenge in proptest::option::of("\\PC{0,60}"),
            method in proptest::option::of("\\PC{0,10}"),
            nick in proptest::option::of("\\PC{0,200}"),
            avatar in proptest::option::of("\\PC{0,60}"),
        ) {
            let request = LoginRequest {
                code,
                phone_code,
                encrypted_data,
                iv,
                profile: Some(super::super::Profile {
                    nick_name: nick,
                    avatar_url: avatar,
                    ..Default::default()
                }),
                code_challenge: challenge,
                code_challenge_method: method,
                ..Default::default()
            };
            if let Err(err) = validate_login(&request) {
                let fields = [
                    "code", "phoneCode", "iv", "encryptedData", "codeChallenge",
                    "codeChallengeMethod", "profile.nickName", "profile.avatarUrl",
                ];
                let text = err.to_string();
                proptest::prop_assert!(fields.iter().any(|f| text.starts_with(&format!("{f}:"))), "{}", text);
            }
        }
    }
}
