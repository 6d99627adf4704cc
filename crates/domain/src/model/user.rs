use chrono::{DateTime, Utc};

/// An end user of a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Generated id (24 hex characters, like the original's `_id`).
    pub id: String,
    /// The owning pool.
    pub pool_id: String,
    /// Login or display name.
    pub username: Option<String>,
    /// Nickname (from the WeChat profile on sign-up).
    pub nickname: Option<String>,
    /// Avatar URL.
    pub photo: Option<String>,
    /// Phone number, unique in the pool.
    pub phone: Option<String>,
    /// Email address, unique in the pool.
    pub email: Option<String>,
    /// Whether the email address was verified.
    pub email_verified: bool,
    /// Company.
    pub company: Option<String>,
    /// The AppID of the WeChat identity this user is seen through: the app of the login being
    /// answered, else the identity used last (identities live in their own table; see
    /// [`super::Identity`]).
    pub app_id: Option<String>,
    /// The openid of that identity.
    pub openid: Option<String>,
    /// WeChat unionid (per Open Platform account), unique in the pool.
    pub unionid: Option<String>,
    /// The WeChat profile as a JSON object (the original returns it as a JSON string).
    pub oauth: Option<serde_json::Value>,
    /// Free-form tenant data, a JSON object.
    pub metadata: serde_json::Value,
    /// Number of logins.
    pub logins_count: i64,
    /// Last login time.
    pub last_login: Option<DateTime<Utc>>,
    /// Last login IP.
    pub last_ip: Option<String>,
    /// When the user signed up (or was provisioned).
    pub signed_up: DateTime<Utc>,
    /// How the user came to be: `oauth:app2wxapp`, `admin:provision`.
    pub register_method: String,
    /// Blocked users cannot obtain tokens.
    pub blocked: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// A user with no profile, identity or history yet, signed up `now` by `register_method`
    /// (`oauth:app2wxapp`, `admin:provision`).
    pub fn new(id: String, pool_id: &str, register_method: &str, now: DateTime<Utc>) -> Self {
        Self {
            id,
            pool_id: pool_id.to_owned(),
            username: None,
            nickname: None,
            photo: None,
            phone: None,
            email: None,
            email_verified: false,
            company: None,
            app_id: None,
            openid: None,
            unionid: None,
            oauth: None,
            metadata: serde_json::Value::Object(serde_json::Map::new()),
            logins_count: 0,
            last_login: None,
            last_ip: None,
            signed_up: now,
            register_method: register_method.to_owned(),
            blocked: false,
            updated_at: now,
        }
    }
}

/// An admin's change to a user, written column by column: `None` leaves a column alone (and a
/// concurrent login or block untouched); `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChanges {
    /// Phone number.
    pub phone: Option<Option<String>>,
    /// Email address.
    pub email: Option<Option<String>>,
    /// Whether the email address is verified.
    pub email_verified: Option<bool>,
    /// Username.
    pub username: Option<Option<String>>,
    /// Nickname.
    pub nickname: Option<Option<String>>,
    /// Avatar URL.
    pub photo: Option<Option<String>>,
    /// Company.
    pub company: Option<Option<String>>,
    /// Free-form JSON object (replaces the old one).
    pub metadata: Option<serde_json::Value>,
    /// Blocked users cannot obtain tokens.
    pub blocked: Option<bool>,
}

/// What a WeChat login records on an existing user. It never writes what admins own (`blocked`,
/// `metadata`, email, company…), and the login count is incremented by the store, not written.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginUpdate {
    /// The kind of WeChat app logged in to.
    pub kind: super::IdentityKind,
    /// The WeChat app's AppID.
    pub app_id: String,
    /// The user's openid for it.
    pub openid: String,
    /// The unionid, when WeChat gave one (kept otherwise).
    pub unionid: Option<String>,
    /// A new identity's id, used when (AppID, openid) is not yet one of the user's identities.
    pub identity_id: String,
    /// More identities the same login proved (a multi-end app's mini program, mobile app or
    /// Apple identities): each becomes the user's when it is not yet; one of another user is a
    /// `Conflict`.
    pub also: Vec<LinkedIdentity>,
    /// A phone number obtained in this login (kept otherwise).
    pub phone: Option<String>,
    /// The profile's nickname (kept otherwise).
    pub nickname: Option<String>,
    /// The profile's avatar URL (kept otherwise).
    pub photo: Option<String>,
    /// The WeChat profile as a JSON object, merged with what was known.
    pub oauth: serde_json::Value,
    /// The client's address.
    pub ip: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Filters of the admin user list; all given ones must match.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Exact phone number.
    pub phone: Option<String>,
    /// Exact openid.
    pub openid: Option<String>,
    /// Exact unionid.
    pub unionid: Option<String>,
}

/// An identity a login proved besides the one it went through.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedIdentity {
    /// Its id, used when it is new.
    pub id: String,
    /// Its kind.
    pub kind: super::IdentityKind,
    /// The app's id (AppID, an Apple bundle id…).
    pub app_id: String,
    /// The person's id for that app.
    pub openid: String,
    /// The unionid WeChat gave with it.
    pub unionid: Option<String>,
}
