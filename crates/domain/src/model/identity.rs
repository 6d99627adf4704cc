//! A user's WeChat identities: the same person seen by each WeChat app of the pool.

use chrono::{DateTime, Utc};

spelled_enum! {
    /// Which kind of WeChat app an identity belongs to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum IdentityKind {
        /// A mini program (`jscode2session`).
        MiniProgram = "miniprogram",
        /// An Open Platform website app (website QR login).
        Website = "website",
        /// An official account (login inside WeChat's browser).
        OfficialAccount = "official_account",
        /// An Open Platform mobile App (OpenSDK `SendAuth`).
        Mobile = "mobile",
        /// A multi-end app's WeChat login (`donut/code2verifyinfo`).
        MultiEnd = "multiend",
        /// Sign in with Apple inside a multi-end app: the Apple user id, under the app's AppID.
        Apple = "apple",
        /// A WeCom employee: the corp user id, under the corp id.
        WeCom = "wecom",
    }
}

/// One WeChat identity of a user: unique in its pool by (AppID, openid).
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// Generated id.
    pub id: String,
    /// The owning pool.
    pub pool_id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// The kind of WeChat app.
    pub kind: IdentityKind,
    /// The WeChat app's AppID.
    pub app_id: String,
    /// The user's openid for that app.
    pub openid: String,
    /// The unionid WeChat gave with it (the person across the Open Platform account's apps).
    pub unionid: Option<String>,
    /// When it was first seen.
    pub created_at: DateTime<Utc>,
    /// Its last login.
    pub last_login: Option<DateTime<Utc>>,
}

/// What an admin's merge of one user into another moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The target user after the merge.
    pub user: super::User,
    /// How many identities moved to the target.
    pub identities_moved: u64,
}
