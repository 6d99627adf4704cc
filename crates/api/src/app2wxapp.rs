//! The public flow endpoints: `POST /oauth/app2wxapp/login/{userPoolId}` (the mini program) and
//! `POST /oauth/app2wxapp/auth/{userPoolId}` (the App backend's ticket exchange, compatible with
//! the hosted original: same path, body and response field names).

use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use serde_json::Value;
use tessera_domain::{
    Error,
    service::app2wxapp::{ExchangeRequest, Exchanged, LoginRequest, Profile},
};

use crate::{
    ApiTags,
    body::{JsonBody, OptionalJsonBody},
    caller::Client,
    constraints::has_control,
    error::ApiError,
    path::{Path, PoolId},
    time::iso,
};

/// The WeChat profile (`wx.getUserProfile`), optional.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct ProfileBody {
    /// Nickname.
    #[oai(validator(max_length = 128))]
    nick_name: Option<String>,
    /// Avatar URL (http or https).
    #[oai(validator(max_length = 1024, pattern = r"^https?://[^\u0000-\u001F\u007F-\u009F]*$"))]
    avatar_url: Option<String>,
    /// 0 unknown, 1 male, 2 female.
    #[oai(validator(minimum(value = "0"), maximum(value = "2")))]
    gender: Option<i64>,
    /// City.
    #[oai(validator(max_length = 64))]
    city: Option<String>,
    /// Province.
    #[oai(validator(max_length = 64))]
    province: Option<String>,
    /// Country.
    #[oai(validator(max_length = 64))]
    country: Option<String>,
    /// Language.
    #[oai(validator(max_length = 64))]
    language: Option<String>,
}

/// What the login mini program sends.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct LoginBody {
    /// The `wx.login` code.
    #[oai(validator(min_length = 1, max_length = 256, pattern = "^[!-~]+$"))]
    code: String,
    /// The code from `<button open-type="getPhoneNumber">`.
    #[oai(validator(min_length = 1, max_length = 256, pattern = "^[!-~]+$"))]
    phone_code: Option<String>,
    /// Legacy encrypted phone payload (decrypted with this login's session key).
    #[oai(validator(max_length = 16384))]
    encrypted_data: Option<String>,
    /// IV of `encryptedData`.
    #[oai(validator(max_length = 64))]
    iv: Option<String>,
    /// The WeChat profile.
    profile: Option<ProfileBody>,
    /// `true` or `1` when the App requires the phone number: without one the login answers
    /// `400 phone_required`.
    get_phone: Option<Value>,
    /// Binds the ticket to the App: base64url(SHA-256(verifier)).
    #[oai(validator(pattern = "^[A-Za-z0-9_-]{43}$"))]
    code_challenge: Option<String>,
    /// `S256` (the default and only method).
    #[oai(validator(pattern = "^S256$"))]
    code_challenge_method: Option<String>,
    /// The mini program's own AppID (`wx.getAccountInfoSync().miniProgram.appId`), when the
    /// pool has several mini program connections: the login goes through that one. Absent: the
    /// pool's app2wxapp connection.
    #[oai(validator(pattern = "^wx[A-Za-z0-9]{16}$"))]
    app_id: Option<String>,
}

/// A ticket for the App.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct LoginResponse {
    /// 200.
    code: u16,
    /// `ok`.
    message: String,
    /// The single-use ticket.
    ticket: String,
    /// Seconds the ticket stays valid.
    expires_in: i64,
    /// `code=200&message=ok&ticket=…`: the `app-parameter` of the mini program's `launchApp`
    /// button, which WeChat hands to the App as `extMsg`.
    ext_msg: String,
}

/// What the App backend sends to exchange a ticket.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct ExchangeBody {
    /// The ticket (may come as the `ticket` query parameter instead).
    #[oai(validator(max_length = 128))]
    ticket: Option<String>,
    /// The user pool secret (required when the pool's `requireSecret` is true).
    #[oai(validator(max_length = 256))]
    secret: Option<String>,
    /// The verifier of the login's `codeChallenge`, when one was given.
    #[oai(validator(max_length = 128))]
    code_verifier: Option<String>,
}

/// The user, with the hosted original's field names, and a signed token.
#[derive(Debug, Object)]
pub struct ExchangedUser {
    /// User id.
    #[oai(rename = "_id")]
    id: String,
    /// Username.
    username: String,
    /// Nickname.
    nickname: String,
    /// Avatar URL.
    photo: String,
    /// Phone number.
    phone: String,
    /// Email address.
    email: String,
    /// Whether the email address is verified.
    #[oai(rename = "emailVerified")]
    email_verified: bool,
    /// Company.
    company: String,
    /// WeChat openid.
    openid: String,
    /// WeChat unionid.
    unionid: String,
    /// Number of logins.
    #[oai(rename = "loginsCount")]
    logins_count: i64,
    /// Last login (ISO-8601 UTC with milliseconds).
    #[oai(rename = "lastLogin")]
    last_login: Option<String>,
    /// Last login IP.
    #[oai(rename = "lastIP")]
    last_ip: String,
    /// Sign-up time (ISO-8601 UTC with milliseconds).
    #[oai(rename = "signedUp")]
    signed_up: String,
    /// `oauth:app2wxapp` for users signed up through this flow.
    #[oai(rename = "registerMethod")]
    register_method: String,
    /// Always false here: blocked users get `403 user_blocked`.
    blocked: bool,
    /// Always false.
    #[oai(rename = "isDeleted")]
    is_deleted: bool,
    /// The WeChat profile with openid, unionid and phone, as a JSON string.
    oauth: String,
    /// The user's metadata, as a JSON string.
    metadata: String,
    /// A JWT signed with the pool's active key (verify it with the pool's JWKS).
    token: String,
    /// When `token` expires (ISO-8601 UTC with milliseconds).
    #[oai(rename = "tokenExpiredAt")]
    token_expired_at: String,
}

impl From<Exchanged> for ExchangedUser {
    fn from(e: Exchanged) -> Self {
        let u = e.user;
        let text = |v: Option<String>| v.unwrap_or_default();
        Self {
            id: u.id,
            username: text(u.username),
            nickname: text(u.nickname),
            photo: text(u.photo),
            phone: text(u.phone),
            email: text(u.email),
            email_verified: u.email_verified,
            company: text(u.company),
            openid: text(u.openid),
            unionid: text(u.unionid),
            logins_count: u.logins_count,
            last_login: u.last_login.map(iso),
            last_ip: text(u.last_ip),
            signed_up: iso(u.signed_up),
            register_method: u.register_method,
            blocked: u.blocked,
            is_deleted: false,
            oauth: u.oauth.map(|o| o.to_string()).unwrap_or_default(),
            metadata: u.metadata.to_string(),
            token: e.token,
            token_expired_at: iso(e.token_expires_at),
        }
    }
}

/// `true`, `1`, `"1"` and `"true"` ask for the phone; absent, `false`, `0` do not.
fn wants_phone(value: Option<&Value>) -> Result<bool, Error> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
        Some(Value::String(s)) if s == "1" || s == "true" => Ok(true),
        Some(Value::String(s)) if s.is_empty() || s == "0" || s == "false" => Ok(false),
        Some(_) => Err(Error::invalid("getPhone", "must be true, false, 1 or 0")),
    }
}

/// `code=200&message=ok&ticket=…`, each value URL-encoded.
fn ext_msg(ticket: &str) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!("code=200&message=ok&ticket={}", encode(ticket))
}

#[derive(Default)]
pub struct App2WxappApi;

#[OpenApi(prefix_path = "/oauth/app2wxapp", tag = "ApiTags::App2Wxapp")]
impl App2WxappApi {
    /// Log in from the mini program
    ///
    /// Called by the login mini program with its `wx.login` code (and optionally the phone
    /// button's code, or the legacy encrypted payload, and the profile). Matches the user by
    /// unionid, then by AppID and openid; signs them up when the pool allows it (or matches a
    /// user pre-provisioned with the same phone). Answers a single-use ticket for the App.
    #[oai(path = "/login/:userPoolId", method = "post", operation_id = "app2wxappLogin")]
    async fn login(
        &self,
        client: Client<'_>,
        /// User pool id.
        #[oai(name = "userPoolId")]
        user_pool_id: Path<PoolId>,
        body: JsonBody<LoginBody>,
    ) -> Result<Json<LoginResponse>, ApiError> {
        let JsonBody(b) = body;
        let request = LoginRequest {
            get_phone: wants_phone(b.get_phone.as_ref())?,
            code: b.code,
            app_id: b.app_id,
            phone_code: b.phone_code,
            encrypted_data: b.encrypted_data,
            iv: b.iv,
            profile: b.profile.map(|p| Profile {
                nick_name: p.nick_name,
                avatar_url: p.avatar_url,
                gender: p.gender,
                city: p.city,
                province: p.province,
                country: p.country,
                language: p.language,
            }),
            code_challenge: b.code_challenge,
            code_challenge_method: b.code_challenge_method,
        };
        let issued = client.services().login.login(&user_pool_id, request, client.ip).await?;
        Ok(Json(LoginResponse {
            code: 200,
            message: "ok".to_owned(),
            ext_msg: ext_msg(&issued.ticket),
            ticket: issued.ticket,
            expires_in: issued.expires_in,
        }))
    }

    /// Exchange a ticket for the user and a token
    ///
    /// Called by the App's backend with the ticket the mini program handed to the App. The pool
    /// secret is required when the pool's `requireSecret` is true, and is checked before the
    /// ticket is consumed. A ticket works once: of concurrent exchanges exactly one succeeds.
    /// Compatible with the hosted original: same path, body and response fields.
    #[oai(path = "/auth/:userPoolId", method = "post", operation_id = "app2wxappExchange")]
    async fn exchange(
        &self,
        client: Client<'_>,
        /// User pool id.
        #[oai(name = "userPoolId")]
        user_pool_id: Path<PoolId>,
        /// The ticket, when not in the body.
        #[oai(validator(max_length = 128))]
        ticket: Query<Option<String>>,
        body: OptionalJsonBody<ExchangeBody>,
    ) -> Result<Json<ExchangedUser>, ApiError> {
        let b = body.0.unwrap_or(ExchangeBody { ticket: None, secret: None, code_verifier: None });
        let ticket = b.ticket.filter(|t| !t.is_empty()).or(ticket.0);
        if ticket.as_deref().is_some_and(has_control) {
            return Err(Error::invalid("ticket", "must not contain control characters").into());
        }
        let services = client.services();
        let request = ExchangeRequest {
            pool_id: user_pool_id.into_inner(),
            ticket,
            secret: b.secret,
            code_verifier: b.code_verifier,
            ip: client.ip,
        };
        let done = services.exchange.exchange(request).await?;
        Ok(Json(done.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ext_msg_encodes_each_value() {
        assert_eq!(ext_msg("abc-_XYZ09"), "code=200&message=ok&ticket=abc-_XYZ09");
        assert_eq!(ext_msg("a+b/c=&"), "code=200&message=ok&ticket=a%2Bb%2Fc%3D%26");
    }

    #[test]
    fn get_phone_accepts_the_originals_spellings() {
        for (value, want) in [
            (serde_json::json!(true), true),
            (serde_json::json!(1), true),
            (serde_json::json!("1"), true),
            (serde_json::json!(false), false),
            (serde_json::json!(0), false),
            (serde_json::json!("0"), false),
        ] {
            assert_eq!(wants_phone(Some(&value)).unwrap(), want, "{value}");
        }
        assert!(wants_phone(None).is_ok_and(|v| !v));
        assert!(wants_phone(Some(&serde_json::json!("maybe"))).is_err());
    }

    proptest::proptest! {
        #[test]
        fn ext_msg_is_url_safe_and_decodes_to_the_ticket(ticket in "\\PC{0,64}") {
            let msg = ext_msg(&ticket);
            let encoded = msg.strip_prefix("code=200&message=ok&ticket=").expect("prefix");
            proptest::prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            let mut decoded = Vec::new();
            let bytes = encoded.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
                    decoded.push(u8::from_str_radix(hex, 16).expect("hex"));
                    i += 3;
                } else {
                    decoded.push(bytes[i]);
                    i += 1;
                }
            }
            proptest::prop_assert_eq!(String::from_utf8(decoded).expect("utf-8"), ticket);
        }

        #[test]
        fn get_phone_is_judged_without_panic(text in "\\PC{0,10}", n in proptest::prelude::any::<i64>()) {
            let _ = wants_phone(Some(&serde_json::json!(text)));
            let answer = wants_phone(Some(&serde_json::json!(n)));
            proptest::prop_assert_eq!(answer.is_ok(), n == 0 || n == 1);
        }
    }
}
