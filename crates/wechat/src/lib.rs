//! `tessera-wechat`: everything Tessera says to WeChat. (The simulator of WeChat that tests and
//! `tessera demo` talk to lives apart, in `tessera-wechat-sim`.)
//!
//! [`WeChatClient`] implements the domain's [`tessera_domain::wechat::WeChat`] port over WeChat's
//! real HTTP API (`wechat.api_base_url`), with connect and total timeouts on every call. The
//! pitfalls it handles:
//!
//! - **Login codes are single use.** A `wx.login` code is accepted once, for five minutes, so
//!   `jscode2session` is never retried, not even after a timeout: the user taps again and the mini
//!   program calls `wx.login` anew. `40029` (invalid) and `40163` (already used) both become
//!   [`WeChatError::CodeInvalid`].
//! - **Success has no `errcode`.** A successful `jscode2session` answers only `openid`,
//!   `session_key` and maybe `unionid`; a missing `errcode` means 0.
//! - **The `session_key` never leaves the server.** It is returned inside the domain's
//!   [`tessera_domain::wechat::SessionKey`], whose `Debug` hides it, is used at once to decrypt
//!   that login's legacy payload ([`decrypt`]), and is never stored or returned.
//! - **Access tokens are shared and invalidated by others.** `getuserphonenumber` needs an access
//!   token from `stable_token`. Tokens are cached per AppID in an
//!   [`tessera_domain::wechat::AccessTokenCache`] (Redis in a cluster: every replica uses the same
//!   token), refreshed five minutes before expiry by one caller at a time under a lock that
//!   expires by itself. When WeChat answers 40001, 40014 or 42001 the token was invalidated
//!   (another server forced a refresh, or it expired early): the cached token is dropped only if
//!   it is still the one that failed, so a replica never throws away a token another replica has
//!   just fetched, and the call is retried once.
//! - **WeChat's URLs and bodies carry secrets.** The AppSecret and the login code travel in
//!   `jscode2session`'s query, the AppSecret in `stable_token`'s body, the access token in
//!   `getuserphonenumber`'s and `getwxacodeunlimit`'s queries, and the HTTP client's errors print
//!   the URL. So a failure is never the HTTP client's error: it is a fixed text naming the API
//!   and what happened
//!   (`"jscode2session: connection refused"`, `"… HTTP 502"`), and nothing logs a URL or a body.
//!   Redirects are not followed (a redirect would send the secrets elsewhere) and an answer is
//!   read up to [`MAX_BODY`] bytes.
//! - **A mini program code is an image, or else a JSON error.** `getwxacodeunlimit` answers the
//!   image itself on success and WeChat's JSON error otherwise, so the answer is told apart by its
//!   `Content-Type`: an `image/*` is read up to [`MAX_IMAGE`] bytes, anything else must be a JSON
//!   error within [`MAX_BODY`]. Its access token is handled as for the phone (40001, 40014, 42001:
//!   dropped if still cached, one retry), and a request breaking WeChat's rules (a `scene` of more
//!   than 32 characters or outside `0-9A-Za-z!#$&'()*+,/:;=?@-._~`, a bad page, version or
//!   width) is refused before calling, as [`WeChatError::WxaCodeRefused`], like WeChat's own
//!   refusals (41030 page not published, 40097, 40129, 40169).
//! - **Web authorization codes are single use too.** The code of a website QR login, an official
//!   account login or a mobile App's `SendAuth` goes through `sns/oauth2/access_token` once and
//!   is never retried; `40029`, `40163`, `41008` and `42003` are
//!   [`WeChatError::CodeInvalid`]. The user's access token it gives reads `sns/userinfo` and is
//!   wrapped in [`tessera_domain::wechat::SnsToken`], hidden from `Debug` like the session key;
//!   an access token WeChat no longer accepts (`40001`, `40014`, `42001`, `42007`) means the
//!   user authorizes again, and `48001` (a `snsapi_base` grant asked for the profile) is a
//!   misconfigured connection. The `openid`s and `unionid`s of the answers are checked
//!   ([`tessera_domain::wechat::valid_wechat_id`]), the profile's texts bounded.
//! - **Multi-end apps and WeCom follow the same rules.** A multi-end app's code (`wx.weixinAppLogin`,
//!   `wx.weixinMiniProgramLogin`, phone or Apple sign-in) goes through `donut/code2verifyinfo`
//!   once, with the multi-end app's own access token (`stable_token`, cached like the others):
//!   `10001000`/`10001001` are [`WeChatError::CodeInvalid`], `10001002`, `10001003` and
//!   `10001005` [`WeChatError::AppRejected`], and each identity of the answer (mobile app and
//!   mini program openids, a verified phone, Apple and Huawei ids) is checked before it is
//!   kept. A WeCom app's code goes through `cgi-bin/auth/getuserinfo` once, under
//!   `wechat.work_base_url` ([`ClientConfig::work_base_url`]), with the app's token from
//!   `cgi-bin/gettoken`, cached per corp id and AgentId; WeCom's `40014`/`42001` drop the
//!   token if still cached and retry once, `40029` is [`WeChatError::CodeInvalid`], a wrong
//!   corp id or Secret (`40013`, `40001`) or an address outside the app's trusted IPs
//!   (`60020`) [`WeChatError::AppRejected`].
//! - **Errors mean different things to the user.** 45011 and 45009 → rate limited, 40226 → risky user
//!   refused, 40013/40125 → the tenant's credentials are wrong, -1 / timeouts / 5xx / garbage →
//!   WeChat unavailable. Each becomes a [`WeChatError`] the flow turns into its public error.

mod client;
pub mod decrypt;
mod multiend;
mod sns;
mod tokens;
mod transport;
mod wecom;

pub use client::{APIS, ClientConfig, WORK_BASE_URL, WeChatClient};
pub use tessera_domain::wechat::WeChatError;
pub use tokens::{AccessTokens, TokenPolicy};
pub use transport::{MAX_BODY, MAX_IMAGE, OUTCOMES};
