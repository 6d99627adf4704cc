//! The login request's checks, at the edge of the flow: every field is named in the error.

use super::LoginRequest;
use crate::Error;

/// The longest `encryptedData` accepted (a phone payload is a few hundred bytes).
const MAX_ENCRYPTED_DATA: usize = 16 * 1024;

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
    if r.encrypted_data.as_deref().is_some_and(|d| d.len() > MAX_ENCRYPTED_DATA) {
        return Err(Error::invalid("encryptedData", "is too long"));
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

fn validate_profile(r: &LoginRequest) -> Result<(), Error> {
    let Some(p) = &r.profile else { return Ok(()) };
    if p.nick_name.as_deref().is_some_and(|n| n.chars().count() > 128) {
        return Err(Error::invalid("profile.nickName", "must be at most 128 characters"));
    }
    let bad_url =
        |u: &str| u.len() > 1024 || !(u.starts_with("https://") || u.starts_with("http://"));
    if p.avatar_url.as_deref().is_some_and(bad_url) {
        return Err(Error::invalid(
            "profile.avatarUrl",
            "must be an http(s) URL of at most 1024 characters",
        ));
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
