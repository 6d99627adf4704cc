//! How a WeChat login of any mode finds its user, applies the connection's sign-up policy, and
//! records the login: the one place where a WeChat identity becomes a user of the pool.
//!
//! Matching is `unionid` first (the same person through another of the pool's WeChat apps: the
//! login then adds this app's identity to them), then (AppID, openid), then a verified phone
//! against a pre-provisioned user who has no WeChat identity yet. Someone still unknown is signed
//! up, or refused, as the connection's [`SignUpPolicy`] says.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{Ctx, audit::Auditor};
use crate::{
    Error, StoreError, ids,
    model::{
        AuditAction, Connection, IdentityKind, LinkedIdentity, LoginUpdate, SignUpPolicy, User,
        UserPool,
    },
    ports::{Clock, Random, UserRepo},
    wechat::WeChatError,
};

/// The profile a login brought: what becomes the user's nickname and avatar, and every field
/// kept in the user's `oauth` object under WeChat's own names.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LoginProfile {
    /// The nickname.
    pub(crate) nickname: Option<String>,
    /// The avatar URL.
    pub(crate) photo: Option<String>,
    /// WeChat's fields, under WeChat's names.
    pub(crate) fields: Vec<(&'static str, Value)>,
}

/// What one WeChat login learned about the person.
#[derive(Debug, Clone)]
pub(crate) struct WeChatLogin<'a> {
    /// The connection logged in through.
    pub(crate) connection: &'a Connection,
    /// The kind of identity (a multi-end app's Apple sign-in is not its WeChat login).
    pub(crate) kind: IdentityKind,
    /// The person's openid for the connection's app (WeCom: the corp user id).
    pub(crate) openid: &'a str,
    /// Their unionid, when WeChat gave one.
    pub(crate) unionid: Option<&'a str>,
    /// A phone number WeChat verified in this login.
    pub(crate) phone: Option<String>,
    /// Their profile, when this login brought one.
    pub(crate) profile: Option<LoginProfile>,
    /// How users who sign up through this login are marked (`oauth:wechat-website`…).
    pub(crate) register_method: &'static str,
    /// More identities the login proved (a multi-end app's): each finds the person too, and
    /// becomes theirs.
    pub(crate) also: Vec<OtherIdentity>,
}

/// An identity a login proved besides the one it went through.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OtherIdentity {
    /// Its kind.
    pub(crate) kind: IdentityKind,
    /// The app's id.
    pub(crate) app_id: String,
    /// The person's id for it.
    pub(crate) openid: String,
    /// The unionid WeChat gave with it.
    pub(crate) unionid: Option<String>,
}

/// The pool's users as logins see them.
#[derive(Clone)]
pub(crate) struct SignIns {
    users: Arc<dyn UserRepo>,
    audit: Auditor,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl SignIns {
    pub(crate) fn new(
        users: Arc<dyn UserRepo>,
        audit: Auditor,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { users, audit, clock, rng }
    }

    /// Finds the user and records this login, or signs them up as the pool and the connection
    /// allow. The answer is the user as this login sees them (`app_id`/`openid` of this
    /// identity); a blocked user is `user_blocked`.
    pub(crate) async fn sign_in(
        &self,
        pool: &UserPool,
        login: &WeChatLogin<'_>,
        ctx: &Ctx,
    ) -> Result<User, Error> {
        let mut user = self.upsert(pool, login, ctx).await?;
        if user.blocked {
            return Err(Error::UserBlocked);
        }
        // A person may hold several openids of one app: the answer names the one that logged in.
        user.app_id = Some(login.connection.app_id.clone());
        user.openid = Some(login.openid.to_owned());
        Ok(user)
    }

    async fn upsert(
        &self,
        pool: &UserPool,
        login: &WeChatLogin<'_>,
        ctx: &Ctx,
    ) -> Result<User, Error> {
        let now = self.clock.now();
        let phone = login.phone.as_deref();
        if let Some(user) = self.find(pool, login, phone).await? {
            return self.record_login(user, login, ctx, now).await;
        }
        if !pool.settings.allow_sign_up {
            return Err(Error::SignupDisabled);
        }
        if login.connection.sign_up != SignUpPolicy::Create {
            // `linkOnly`, or `linkByPhone` without a pre-provisioned user of that phone.
            let target = Some(login.connection.id.as_str());
            let reason = login.connection.sign_up.as_str();
            let action = AuditAction::UserSignupRefused;
            self.audit.failure(ctx, Some(&pool.id), action, target, reason).await;
            return Err(Error::SignupDisabled);
        }
        let mut user =
            User::new(ids::new_id(now, self.rng.as_ref()), &pool.id, login.register_method, now);
        user.username = login.profile.as_ref().and_then(|p| p.nickname.clone());
        apply_login(&mut user, login, ctx, now);
        let also = self.linked(login, now);
        match self.users.create_with_identity(&user, login.kind, &also).await {
            Ok(()) => Ok(user),
            Err(StoreError::Conflict(what)) => {
                // Two logins of the same person at once: the other one signed them up.
                let existing =
                    self.find(pool, login, None).await?.ok_or(Error::Conflict(what.into()))?;
                self.record_login(existing, login, ctx, now).await
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn find(
        &self,
        pool: &UserPool,
        login: &WeChatLogin<'_>,
        phone: Option<&str>,
    ) -> Result<Option<User>, Error> {
        if let Some(unionid) = login.unionid
            && let Some(user) = self.users.find_by_unionid(&pool.id, unionid).await?
        {
            return Ok(Some(user));
        }
        let app_id = &login.connection.app_id;
        if let Some(user) = self.users.find_by_openid(&pool.id, app_id, login.openid).await? {
            return Ok(Some(user));
        }
        for other in &login.also {
            let found = self.users.find_by_openid(&pool.id, &other.app_id, &other.openid).await?;
            if let Some(user) = found {
                return Ok(Some(user));
            }
        }
        let Some(phone) = phone else { return Ok(None) };
        match self.users.find_by_phone(&pool.id, phone).await? {
            Some(user) if user.openid.is_none() && user.unionid.is_none() => Ok(Some(user)),
            Some(_) => Err(Error::Conflict(
                "this phone number belongs to another user of this pool".into(),
            )),
            None => Ok(None),
        }
    }

    /// Records this login on the user: only the columns a login owns are written, so an admin's
    /// concurrent block or change is never undone.
    async fn record_login(
        &self,
        user: User,
        login: &WeChatLogin<'_>,
        ctx: &Ctx,
        now: DateTime<Utc>,
    ) -> Result<User, Error> {
        let mut merged = user.clone();
        apply_login(&mut merged, login, ctx, now);
        let profile = login.profile.as_ref();
        let update = LoginUpdate {
            kind: login.kind,
            app_id: login.connection.app_id.clone(),
            openid: login.openid.to_owned(),
            unionid: login.unionid.map(str::to_owned),
            identity_id: ids::new_id(now, self.rng.as_ref()),
            also: self.linked(login, now),
            phone: login.phone.clone(),
            nickname: profile.and_then(|p| p.nickname.clone()),
            photo: profile.and_then(|p| p.photo.clone()),
            oauth: merged.oauth.unwrap_or(Value::Null),
            ip: ctx.ip.clone(),
            at: now,
        };
        self.users
            .record_login(&user.pool_id, &user.id, &update)
            .await?
            .ok_or(Error::Conflict("the user was deleted during the login".into()))
    }
}

impl SignIns {
    /// The login's other identities, as the store keeps them.
    fn linked(&self, login: &WeChatLogin<'_>, now: DateTime<Utc>) -> Vec<LinkedIdentity> {
        login
            .also
            .iter()
            .map(|other| LinkedIdentity {
                id: ids::new_id(now, self.rng.as_ref()),
                kind: other.kind,
                app_id: other.app_id.clone(),
                openid: other.openid.clone(),
                unionid: other.unionid.clone(),
            })
            .collect()
    }
}

/// Records a login on the user: WeChat identity, phone, profile, counters.
fn apply_login(user: &mut User, login: &WeChatLogin<'_>, ctx: &Ctx, now: DateTime<Utc>) {
    user.app_id = Some(login.connection.app_id.clone());
    user.openid = Some(login.openid.to_owned());
    if let Some(unionid) = login.unionid {
        user.unionid = Some(unionid.to_owned());
    }
    if login.phone.is_some() {
        user.phone.clone_from(&login.phone);
    }
    let mut oauth = match user.oauth.take() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Some(profile) = &login.profile {
        if let Some(nickname) = &profile.nickname {
            user.nickname = Some(nickname.clone());
        }
        if let Some(photo) = &profile.photo {
            user.photo = Some(photo.clone());
        }
        for (key, value) in &profile.fields {
            oauth.insert((*key).to_owned(), value.clone());
        }
    }
    oauth.insert("openid".into(), json!(login.openid));
    if let Some(unionid) = &user.unionid {
        oauth.insert("unionid".into(), json!(unionid));
    }
    if let Some(phone) = &user.phone {
        oauth.insert("phone".into(), json!(phone));
    }
    user.oauth = Some(Value::Object(oauth));
    user.logins_count += 1;
    user.last_login = Some(now);
    user.last_ip.clone_from(&ctx.ip);
    user.updated_at = now;
}

/// WeChat's failures in the flows' public terms.
pub(crate) fn wechat_error(err: WeChatError) -> Error {
    match err {
        WeChatError::CodeInvalid(_) => Error::WechatCodeInvalid,
        WeChatError::RateLimited => Error::RateLimited { retry_after: 60 },
        WeChatError::RiskyUser => Error::Forbidden("WeChat refused this user as high risk".into()),
        WeChatError::AppRejected(errcode) => Error::WechatUnavailable(format!(
            "WeChat rejected the connection's AppID or secret (errcode {errcode})"
        )),
        WeChatError::DecryptFailed(why) => Error::invalid("encryptedData", why),
        WeChatError::WxaCodeRefused(problem) => {
            Error::WechatUnavailable(format!("WeChat cannot make the mini program code: {problem}"))
        }
        WeChatError::Unavailable(cause) => Error::WechatUnavailable(cause),
        WeChatError::CacheUnavailable(cause) => Error::Unavailable(cause),
    }
}
