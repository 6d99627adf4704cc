//! How a mini program login finds its user (unionid, then AppID + openid, then a pre-provisioned
//! phone), signs up a new one, and what it records on them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::Profile;
use crate::{
    Error, StoreError, ids,
    model::{IdentityKind, LoginUpdate, User, UserPool},
    ports::{Clock, Random, UserRepo},
    wechat::WxSession,
};

/// How users who sign up through this flow are marked.
const REGISTER_METHOD: &str = "oauth:app2wxapp";

/// What one login learned about the user.
pub(super) struct LoginFacts<'a> {
    pub(super) app_id: &'a str,
    pub(super) session: &'a WxSession,
    pub(super) phone: Option<String>,
    pub(super) profile: Option<&'a Profile>,
    pub(super) ip: Option<String>,
}

/// The pool's users as the login sees them.
#[derive(Clone)]
pub(super) struct Identities {
    users: Arc<dyn UserRepo>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl Identities {
    pub(super) fn new(
        users: Arc<dyn UserRepo>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { users, clock, rng }
    }

    /// Finds the user and records this login, or signs them up when the pool allows it.
    pub(super) async fn upsert(
        &self,
        pool: &UserPool,
        facts: LoginFacts<'_>,
    ) -> Result<User, Error> {
        let now = self.clock.now();
        let phone = facts.phone.as_deref();
        if let Some(user) = self.find(pool, facts.app_id, facts.session, phone).await? {
            return self.record_login(user, &facts, now).await;
        }
        if !pool.settings.allow_sign_up {
            return Err(Error::SignupDisabled);
        }
        let mut user =
            User::new(ids::new_id(now, self.rng.as_ref()), &pool.id, REGISTER_METHOD, now);
        user.username = facts.profile.and_then(|p| p.nick_name.clone());
        apply_login(&mut user, &facts, now);
        match self.users.create(&user).await {
            Ok(()) => Ok(user),
            Err(StoreError::Conflict(what)) => {
                // Two logins of the same person at once: the other one signed them up.
                let existing = self
                    .find(pool, facts.app_id, facts.session, None)
                    .await?
                    .ok_or(Error::Conflict(what.into()))?;
                self.record_login(existing, &facts, now).await
            }
            Err(err) => Err(err.into()),
        }
    }

    /// unionid first (the same person through another of the pool's WeChat apps: the login then
    /// adds this app's identity to them), then AppID + openid, then a pre-provisioned user with
    /// this phone who has no WeChat identity yet.
    async fn find(
        &self,
        pool: &UserPool,
        app_id: &str,
        session: &WxSession,
        phone: Option<&str>,
    ) -> Result<Option<User>, Error> {
        if let Some(unionid) = &session.unionid
            && let Some(user) = self.users.find_by_unionid(&pool.id, unionid).await?
        {
            return Ok(Some(user));
        }
        if let Some(user) = self.users.find_by_openid(&pool.id, app_id, &session.openid).await? {
            return Ok(Some(user));
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
        facts: &LoginFacts<'_>,
        now: DateTime<Utc>,
    ) -> Result<User, Error> {
        let mut merged = user.clone();
        apply_login(&mut merged, facts, now);
        let login = LoginUpdate {
            kind: IdentityKind::MiniProgram,
            app_id: facts.app_id.to_owned(),
            openid: facts.session.openid.clone(),
            unionid: facts.session.unionid.clone(),
            identity_id: ids::new_id(now, self.rng.as_ref()),
            phone: facts.phone.clone(),
            nickname: facts.profile.and_then(|p| p.nick_name.clone()),
            photo: facts.profile.and_then(|p| p.avatar_url.clone()),
            oauth: merged.oauth.unwrap_or(Value::Null),
            ip: facts.ip.clone(),
            at: now,
        };
        self.users
            .record_login(&user.pool_id, &user.id, &login)
            .await?
            .ok_or(Error::Conflict("the user was deleted during the login".into()))
    }
}

/// Records a login on the user: WeChat identity, phone, profile, counters.
fn apply_login(user: &mut User, facts: &LoginFacts<'_>, now: DateTime<Utc>) {
    let session = facts.session;
    user.app_id = Some(facts.app_id.to_owned());
    user.openid = Some(session.openid.clone());
    if session.unionid.is_some() {
        user.unionid = session.unionid.clone();
    }
    if facts.phone.is_some() {
        user.phone = facts.phone.clone();
    }
    let mut oauth = match user.oauth.take() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Some(profile) = facts.profile {
        apply_profile(user, &mut oauth, profile);
    }
    oauth.insert("openid".into(), json!(session.openid));
    if let Some(unionid) = &user.unionid {
        oauth.insert("unionid".into(), json!(unionid));
    }
    if let Some(phone) = &user.phone {
        oauth.insert("phone".into(), json!(phone));
    }
    user.oauth = Some(Value::Object(oauth));
    user.logins_count += 1;
    user.last_login = Some(now);
    user.last_ip = facts.ip.clone();
    user.updated_at = now;
}

/// The profile's nickname and avatar become the user's; every field given is kept in `oauth`
/// under WeChat's name.
fn apply_profile(user: &mut User, oauth: &mut Map<String, Value>, p: &Profile) {
    if let Some(nick) = &p.nick_name {
        user.nickname = Some(nick.clone());
    }
    if let Some(avatar) = &p.avatar_url {
        user.photo = Some(avatar.clone());
    }
    for (key, value) in [
        ("nickName", p.nick_name.clone().map(Value::from)),
        ("avatarUrl", p.avatar_url.clone().map(Value::from)),
        ("gender", p.gender.map(Value::from)),
        ("city", p.city.clone().map(Value::from)),
        ("province", p.province.clone().map(Value::from)),
        ("country", p.country.clone().map(Value::from)),
        ("language", p.language.clone().map(Value::from)),
    ] {
        if let Some(value) = value {
            oauth.insert(key.to_owned(), value);
        }
    }
}
