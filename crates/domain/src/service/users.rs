//! End users as admins see them: list, pre-provision, change, block, delete; their WeChat
//! identities listed and unlinked; two users merged.

use std::sync::Arc;

use super::{
    Ctx,
    audit::Auditor,
    fields::{MAX_FILTER, filter_texts, plain_text, text_field},
    visible_pool,
};
use crate::{
    Error, ids,
    model::{AuditAction, Identity, Merged, Page, Paged, User, UserChanges, UserFilter},
    ports::{Clock, PoolRepo, Random, RefreshTokenRepo, UserRepo},
};

/// A user created by an admin (e.g. pre-provisioned by phone, so that a pool without sign-up can
/// still let them in).
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Username.
    pub username: Option<String>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Avatar URL.
    pub photo: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Free-form JSON object.
    pub metadata: Option<serde_json::Value>,
}

/// User management within a pool.
pub struct UserService {
    pools: Arc<dyn PoolRepo>,
    users: Arc<dyn UserRepo>,
    refresh_tokens: Arc<dyn RefreshTokenRepo>,
    audit: Auditor,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl UserService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        users: Arc<dyn UserRepo>,
        refresh_tokens: Arc<dyn RefreshTokenRepo>,
        audit: Auditor,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { pools, users, refresh_tokens, audit, clock, rng }
    }

    /// Users of the pool matching `filter`.
    pub async fn list(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        filter: UserFilter,
        page: Page,
    ) -> Result<Paged<User>, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        validate_filter(&filter)?;
        Ok(self.users.list(pool_id, &filter, page).await?)
    }

    /// One user of the pool.
    pub async fn get(&self, ctx: &Ctx, pool_id: &str, user_id: &str) -> Result<User, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        self.users.get(pool_id, user_id).await?.ok_or(Error::NotFound("user"))
    }

    /// Creates a user in the pool; at least a phone, email or username is needed.
    pub async fn create(&self, ctx: &Ctx, pool_id: &str, new: NewUser) -> Result<User, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        if new.phone.is_none() && new.email.is_none() && new.username.is_none() {
            return Err(Error::invalid("phone", "one of phone, email or username is required"));
        }
        let now = self.clock.now();
        let mut user =
            User::new(ids::new_id(now, self.rng.as_ref()), pool_id, "admin:provision", now);
        user.username = opt(new.username.as_deref(), |v| text_field("username", v, 128))?;
        user.nickname = opt(new.nickname.as_deref(), |v| text_field("nickname", v, 128))?;
        user.photo = opt(new.photo.as_deref(), validate_photo)?;
        user.phone = opt(new.phone.as_deref(), validate_phone)?;
        user.email = opt(new.email.as_deref(), validate_email)?;
        user.company = opt(new.company.as_deref(), |v| text_field("company", v, 128))?;
        user.metadata = validate_metadata(new.metadata)?;
        self.users.create(&user).await?;
        self.audit.success(ctx, Some(pool_id), AuditAction::UserCreate, Some(&user.id)).await;
        Ok(user)
    }

    /// Changes a user: the fields `patch` gives, each checked (`None` keeps a field, `Some(None)`
    /// clears a nullable one), and nothing else. Blocking a user revokes their refresh tokens.
    pub async fn update(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        user_id: &str,
        patch: UserChanges,
    ) -> Result<User, Error> {
        let was_blocked = self.get(ctx, pool_id, user_id).await?.blocked;
        let changes = UserChanges {
            phone: checked(patch.phone, validate_phone)?,
            email: checked(patch.email, validate_email)?,
            username: checked(patch.username, |v| text_field("username", v, 128))?,
            nickname: checked(patch.nickname, |v| text_field("nickname", v, 128))?,
            photo: checked(patch.photo, validate_photo)?,
            company: checked(patch.company, |v| text_field("company", v, 128))?,
            email_verified: patch.email_verified,
            metadata: patch.metadata.map(|m| validate_metadata(Some(m))).transpose()?,
            blocked: patch.blocked,
        };
        let now = self.clock.now();
        let user = self
            .users
            .update(pool_id, user_id, &changes, now)
            .await?
            .ok_or(Error::NotFound("user"))?;
        if changes.blocked == Some(true) {
            // After the block is written: a refresh that read the user before it may still store
            // a token, and a refresh checks `blocked` again before it answers.
            self.refresh_tokens.revoke_user(pool_id, user_id).await?;
        }
        let action = match (was_blocked, user.blocked) {
            (false, true) => AuditAction::UserBlock,
            (true, false) => AuditAction::UserUnblock,
            _ => AuditAction::UserUpdate,
        };
        self.audit.success(ctx, Some(pool_id), action, Some(user_id)).await;
        Ok(user)
    }

    /// Deletes a user, their personal data and their refresh tokens.
    pub async fn delete(&self, ctx: &Ctx, pool_id: &str, user_id: &str) -> Result<(), Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        // The store deletes them with the user too; revoking first leaves none behind a delete
        // that fails half way.
        self.refresh_tokens.revoke_user(pool_id, user_id).await?;
        if !self.users.delete(pool_id, user_id).await? {
            return Err(Error::NotFound("user"));
        }
        self.audit.success(ctx, Some(pool_id), AuditAction::UserDelete, Some(user_id)).await;
        Ok(())
    }

    /// The user's WeChat identities, oldest first.
    pub async fn identities(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        user_id: &str,
    ) -> Result<Vec<Identity>, Error> {
        self.get(ctx, pool_id, user_id).await?;
        Ok(self.users.identities(pool_id, user_id).await?)
    }

    /// Removes one of the user's WeChat identities: that app's next login of the person is no
    /// longer theirs (and, when no identity left carries it, neither is their unionid).
    pub async fn unlink_identity(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        user_id: &str,
        identity_id: &str,
    ) -> Result<(), Error> {
        self.get(ctx, pool_id, user_id).await?;
        if !self.users.unlink_identity(pool_id, user_id, identity_id).await? {
            return Err(Error::NotFound("identity"));
        }
        let action = AuditAction::UserIdentityUnlink;
        self.audit.success(ctx, Some(pool_id), action, Some(user_id)).await;
        Ok(())
    }

    /// Merges the user `from` into `into` in one transaction: identities, the phone when `into`
    /// has none, the metadata keys `into` lacks; `from` is deleted (and its refresh tokens
    /// revoked). Audited as `user.merge` of `into` and `user.delete` of `from`.
    pub async fn merge(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        into: &str,
        from: &str,
    ) -> Result<Merged, Error> {
        ids::validate_id("from", from)?;
        if into == from {
            return Err(Error::invalid("from", "must name another user than the target"));
        }
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        self.users.get(pool_id, into).await?.ok_or(Error::NotFound("user"))?;
        if self.users.get(pool_id, from).await?.is_none() {
            return Err(Error::invalid("from", "names no user of this pool"));
        }
        let now = self.clock.now();
        // Either user may still go meanwhile: the merge itself answers None then.
        let merged =
            self.users.merge(pool_id, into, from, now).await?.ok_or(Error::NotFound("user"))?;
        // After the merge: the source's tokens die with it (the store deletes them too).
        self.refresh_tokens.revoke_user(pool_id, from).await?;
        self.audit.success(ctx, Some(pool_id), AuditAction::UserMerge, Some(into)).await;
        self.audit.success(ctx, Some(pool_id), AuditAction::UserDelete, Some(from)).await;
        Ok(merged)
    }
}

fn opt(
    value: Option<&str>,
    check: impl Fn(&str) -> Result<String, Error>,
) -> Result<Option<String>, Error> {
    value.map(check).transpose()
}

/// A checked change of a nullable field: `None` keeps it, `Some(None)` clears it.
fn checked(
    change: Option<Option<String>>,
    check: impl Fn(&str) -> Result<String, Error>,
) -> Result<Option<Option<String>>, Error> {
    change.map(|value| opt(value.as_deref(), check)).transpose()
}

/// A phone number: an optional `+` and 5 to 20 digits (WeChat gives `purePhoneNumber` digits).
fn validate_phone(phone: &str) -> Result<String, Error> {
    let phone = phone.trim();
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    if (5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(phone.to_owned())
    } else {
        Err(Error::invalid("phone", "must be 5 to 20 digits, optionally starting with '+'"))
    }
}

/// [`filter_texts`] of a user filter's phone, openid and unionid.
fn validate_filter(filter: &UserFilter) -> Result<(), Error> {
    let UserFilter { phone, openid, unionid } = filter;
    filter_texts(&[
        ("phone", phone, 21),
        ("openid", openid, MAX_FILTER),
        ("unionid", unionid, MAX_FILTER),
    ])
}

fn validate_email(email: &str) -> Result<String, Error> {
    let email = email.trim();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        });
    if valid {
        Ok(email.to_lowercase())
    } else {
        Err(Error::invalid("email", "must be an email address"))
    }
}

fn validate_photo(url: &str) -> Result<String, Error> {
    let url = url.trim();
    plain_text("photo", url, 1024)?;
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url.to_owned())
    } else {
        Err(Error::invalid("photo", "must be an http(s) URL of at most 1024 characters"))
    }
}

fn validate_metadata(value: Option<serde_json::Value>) -> Result<serde_json::Value, Error> {
    let value = value.unwrap_or_else(|| serde_json::Value::Object(Default::default()));
    if !value.is_object() {
        return Err(Error::invalid("metadata", "must be a JSON object"));
    }
    if value.to_string().len() > 16 * 1024 {
        return Err(Error::invalid("metadata", "must be at most 16 KiB"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_validation() {
        assert_eq!(validate_phone(" 13800138000 ").unwrap(), "13800138000");
        assert!(validate_phone("+8613800138000").is_ok());
        assert!(validate_phone("1380013800a").is_err());
        assert!(validate_phone("123").is_err());
        assert_eq!(validate_email("A@Example.com").unwrap(), "a@example.com");
        assert!(validate_email("no-at.example.com").is_err());
        assert!(validate_email("a@nodot").is_err());
        assert!(validate_photo("javascript:alert(1)").is_err());
        assert!(validate_metadata(Some(serde_json::json!([1]))).is_err());
        assert!(validate_metadata(None).unwrap().is_object());
    }

    #[test]
    fn no_stored_or_compared_text_holds_a_control_character() {
        for bad in ["\u{0}", "\u{1b}", "\u{7f}", "\u{85}"] {
            let email = format!("a{bad}b@example.com");
            assert!(validate_email(&email).is_err(), "{email:?}");
            let photo = format!("https://example.com/{bad}.png");
            assert_eq!(
                validate_photo(&photo).unwrap_err().to_string(),
                "photo: must not contain control characters"
            );
            assert!(validate_phone(&format!("138{bad}00138000")).is_err());
            let openid = UserFilter { openid: Some(format!("o{bad}")), ..Default::default() };
            assert!(validate_filter(&openid).is_err_and(|e| e.to_string().starts_with("openid:")));
        }
        assert!(validate_photo(&format!("https://{}", "é".repeat(1016))).is_ok());
        assert!(validate_photo(&format!("https://{}", "é".repeat(1017))).is_err());
        let long = UserFilter { unionid: Some("u".repeat(129)), ..Default::default() };
        assert!(validate_filter(&long).is_err_and(|e| e.to_string().starts_with("unionid:")));
        assert!(validate_filter(&UserFilter::default()).is_ok());
    }
}
