//! The user repository decorator that tells every replica when a user changes.
//!
//! Introspection and userinfo keep the users they read in memory ([`Caches::users`]), each with
//! the user's *version*: a random value in the state store (Redis, shared by the replicas),
//! replaced by every change of the user. A request reads the version in the round trip it
//! already makes to the state store (its token's revocation) and uses the user held in memory
//! only if it was read at that version. So a blocked, changed or deleted user is seen at once by
//! every replica, as when each request read the database.
//!
//! The order is what makes it right: a reader reads the version *before* the user, a writer
//! stores a new version *after* its write. A user read before the write carries a version older
//! than the one stored after it, and is not used again. A version lives longer than a user is
//! held ([`USER_VERSION_LIFETIME`]), so that the absence of a version also means that the user
//! held did not change; the state store must not evict keys before they expire (Redis's
//! default `noeviction` policy).

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Caches, USER_LIFETIME};
use crate::{
    model::{
        Identity, IdentityKind, LinkedIdentity, LoginUpdate, Merged, Page, Paged, User,
        UserChanges, UserFilter,
    },
    ports::{Random, StateKey, StateKind, StateStore, StoreResult, UserRepo},
};

/// How long a user's version stays in the state store after its last change: longer than any
/// replica holds a user, so that a user held while its version was replaced is dropped before
/// that version can expire. A held user is thus still the stored one when no version is stored
/// (an expired version was not replaced while the user was held). Only the users changed in
/// the last minute have a version stored.
pub const USER_VERSION_LIFETIME: Duration = Duration::from_secs(60);

const _: () = assert!(USER_VERSION_LIFETIME.as_secs() >= 2 * USER_LIFETIME.as_secs());

/// Wraps the user repository: reads pass through; every change stores a new version of the users
/// it touched (and forgets them in this process), whatever its outcome, since a write that
/// failed may have landed. A write method added to [`UserRepo`] must be implemented here too
/// (the compiler says so), which is where its announcement is decided.
pub struct Versioned {
    inner: Arc<dyn UserRepo>,
    caches: Arc<Caches>,
    state: Arc<dyn StateStore>,
    rng: Arc<dyn Random>,
}

impl Versioned {
    /// `inner`, announcing its changes through `state` and forgetting them in `caches`.
    pub fn new(
        inner: Arc<dyn UserRepo>,
        caches: Arc<Caches>,
        state: Arc<dyn StateStore>,
        rng: Arc<dyn Random>,
    ) -> Arc<Self> {
        Arc::new(Self { inner, caches, state, rng })
    }

    /// Stores a new version of each of `users`.
    async fn announce(&self, pool_id: &str, users: &[&str]) -> StoreResult<()> {
        let mut version = [0u8; 16];
        self.rng.fill(&mut version);
        for user_id in users {
            self.caches.forget_user(pool_id, user_id);
            let key = StateKey::new(StateKind::UserVersion, pool_id, user_id);
            self.state.put(&key, &version, USER_VERSION_LIFETIME).await?;
        }
        Ok(())
    }

    /// Runs an administrator's change of `users`, announced before and after. Before: nothing is
    /// written when the state store cannot be told (the change is answered 503 and can be
    /// retried), and no replica uses a user read before the change once it is written. After: a
    /// user read while the change ran is not used either. Should the second announcement fail,
    /// only a user read in that moment can be used, for [`USER_LIFETIME`] at most.
    async fn change<T>(
        &self,
        pool_id: &str,
        users: &[&str],
        write: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        self.announce(pool_id, users).await?;
        self.announced_after(pool_id, users, write.await).await
    }

    /// What a change of `users` gave, once their new version is stored: whatever the change's
    /// outcome, since a write that failed may have landed. The change's error comes first.
    async fn announced_after<T>(
        &self,
        pool_id: &str,
        users: &[&str],
        written: StoreResult<T>,
    ) -> StoreResult<T> {
        let announced = self.announce(pool_id, users).await;
        let value = written?;
        announced?;
        Ok(value)
    }
}

#[async_trait]
impl UserRepo for Versioned {
    /// Not announced: no replica holds a user that does not exist yet (a missing user is never
    /// kept in memory), and a new user's id is new.
    async fn create_with_identity(
        &self,
        user: &User,
        kind: IdentityKind,
        also: &[LinkedIdentity],
    ) -> StoreResult<()> {
        self.inner.create_with_identity(user, kind, also).await
    }
    async fn get(&self, pool_id: &str, id: &str) -> StoreResult<Option<User>> {
        self.inner.get(pool_id, id).await
    }
    async fn list(
        &self,
        pool_id: &str,
        filter: &UserFilter,
        page: Page,
    ) -> StoreResult<Paged<User>> {
        self.inner.list(pool_id, filter, page).await
    }
    async fn update(
        &self,
        pool_id: &str,
        id: &str,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        self.change(pool_id, &[id], self.inner.update(pool_id, id, changes, now)).await
    }
    /// Announced after the write only, to spare a login a round trip: a login changes what
    /// userinfo shows (nickname, picture, phone, the identity seen), never whether the user may
    /// use a token. If the state store cannot be told, the login fails (its ticket could not be
    /// stored either).
    async fn record_login(
        &self,
        pool_id: &str,
        id: &str,
        login: &LoginUpdate,
    ) -> StoreResult<Option<User>> {
        let written = self.inner.record_login(pool_id, id, login).await;
        self.announced_after(pool_id, &[id], written).await
    }
    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        self.change(pool_id, &[id], self.inner.delete(pool_id, id)).await
    }
    async fn find_by_unionid(&self, pool_id: &str, unionid: &str) -> StoreResult<Option<User>> {
        self.inner.find_by_unionid(pool_id, unionid).await
    }
    async fn find_by_openid(
        &self,
        pool_id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>> {
        self.inner.find_by_openid(pool_id, app_id, openid).await
    }
    async fn find_by_phone(&self, pool_id: &str, phone: &str) -> StoreResult<Option<User>> {
        self.inner.find_by_phone(pool_id, phone).await
    }
    async fn get_for_app(
        &self,
        pool_id: &str,
        id: &str,
        app_id: &str,
    ) -> StoreResult<Option<User>> {
        self.inner.get_for_app(pool_id, id, app_id).await
    }
    async fn blocked(&self, pool_id: &str, id: &str) -> StoreResult<Option<bool>> {
        self.inner.blocked(pool_id, id).await
    }
    async fn get_through(
        &self,
        pool_id: &str,
        id: &str,
        app_id: &str,
        openid: &str,
    ) -> StoreResult<Option<User>> {
        self.inner.get_through(pool_id, id, app_id, openid).await
    }
    async fn identities(&self, pool_id: &str, user_id: &str) -> StoreResult<Vec<Identity>> {
        self.inner.identities(pool_id, user_id).await
    }
    async fn unlink_identity(
        &self,
        pool_id: &str,
        user_id: &str,
        identity_id: &str,
    ) -> StoreResult<bool> {
        let unlink = self.inner.unlink_identity(pool_id, user_id, identity_id);
        self.change(pool_id, &[user_id], unlink).await
    }
    async fn merge(
        &self,
        pool_id: &str,
        into: &str,
        from: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Merged>> {
        self.change(pool_id, &[into, from], self.inner.merge(pool_id, into, from, now)).await
    }
}
