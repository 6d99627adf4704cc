//! The repository decorator that keeps the caches coherent with this process's own writes.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Caches;
use crate::{
    model::{
        Application, ApplicationChanges, Connection, ConnectionChanges, NewKeys, Page, Paged,
        PoolChanges, PoolUpdated, SigningKey, UserPool,
    },
    ports::{ApplicationRepo, ConnectionRepo, KeyRepo, PoolRepo, Rotated, StoreResult},
};

/// Wraps a pool, connection, key or application repository: reads pass through, and every write, whatever
/// its outcome, drops what [`Caches`] holds about the pool it touched. A write method added to
/// one of these ports must be implemented here too (the compiler says so), which is where its
/// invalidation is decided.
pub struct Invalidating<R: ?Sized> {
    inner: Arc<R>,
    caches: Arc<Caches>,
}

impl<R: ?Sized> Invalidating<R> {
    /// `inner`, forgetting a pool's entries in `caches` after each write to it.
    pub fn new(inner: Arc<R>, caches: Arc<Caches>) -> Arc<Self> {
        Arc::new(Self { inner, caches })
    }

    /// Runs a write, then forgets the pool (also on failure: the write may have landed).
    async fn write<T>(
        &self,
        pool_id: &str,
        write: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        let result = write.await;
        self.caches.forget_pool(pool_id);
        result
    }

    /// Runs a write to one application, then forgets it (also on failure).
    async fn write_application<T>(
        &self,
        pool_id: &str,
        client_id: &str,
        write: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        let result = write.await;
        self.caches.forget_application(pool_id, client_id);
        result
    }
}

#[async_trait]
impl PoolRepo for Invalidating<dyn PoolRepo> {
    async fn create(&self, pool: &UserPool, keys: &NewKeys) -> StoreResult<()> {
        self.write(&pool.id, self.inner.create(pool, keys)).await
    }
    async fn get(&self, id: &str) -> StoreResult<Option<UserPool>> {
        self.inner.get(id).await
    }
    async fn list(&self, page: Page) -> StoreResult<Paged<UserPool>> {
        self.inner.list(page).await
    }
    async fn update(
        &self,
        id: &str,
        changes: &PoolChanges,
        new_keys: Option<&NewKeys>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PoolUpdated>> {
        self.write(id, self.inner.update(id, changes, new_keys, now)).await
    }
    async fn set_secret_hash(
        &self,
        id: &str,
        hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(id, self.inner.set_secret_hash(id, hash, now)).await
    }
    async fn delete(&self, id: &str) -> StoreResult<bool> {
        self.write(id, self.inner.delete(id)).await
    }
}

#[async_trait]
impl ConnectionRepo for Invalidating<dyn ConnectionRepo> {
    async fn list(&self, pool_id: &str) -> StoreResult<Vec<Connection>> {
        self.inner.list(pool_id).await
    }
    async fn create(&self, connection: &Connection) -> StoreResult<()> {
        self.write(&connection.pool_id, self.inner.create(connection)).await
    }
    async fn update(
        &self,
        pool_id: &str,
        id: &str,
        changes: &ConnectionChanges,
    ) -> StoreResult<Option<Connection>> {
        self.write(pool_id, self.inner.update(pool_id, id, changes)).await
    }
    async fn reseal_secret(
        &self,
        pool_id: &str,
        id: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        self.write(pool_id, self.inner.reseal_secret(pool_id, id, old, new)).await
    }
    async fn delete(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        self.write(pool_id, self.inner.delete(pool_id, id)).await
    }
    async fn all(&self) -> StoreResult<Vec<Connection>> {
        self.inner.all().await
    }
}

#[async_trait]
impl KeyRepo for Invalidating<dyn KeyRepo> {
    async fn active(&self, pool_id: &str) -> StoreResult<Option<SigningKey>> {
        self.inner.active(pool_id).await
    }
    async fn next(&self, pool_id: &str) -> StoreResult<Option<SigningKey>> {
        self.inner.next(pool_id).await
    }
    async fn published(&self, pool_id: &str, now: DateTime<Utc>) -> StoreResult<Vec<SigningKey>> {
        self.inner.published(pool_id, now).await
    }
    async fn rotate(
        &self,
        pool_id: &str,
        new_next: &SigningKey,
        active_if_no_next: Option<&SigningKey>,
        now: DateTime<Utc>,
    ) -> StoreResult<Rotated> {
        let write = self.inner.rotate(pool_id, new_next, active_if_no_next, now);
        self.write(pool_id, write).await
    }
    async fn add_next(&self, key: &SigningKey, now: DateTime<Utc>) -> StoreResult<bool> {
        // The JWKS cached for the pool lacks the new key.
        self.write(&key.pool_id, self.inner.add_next(key, now)).await
    }
    async fn pools_without_next(&self) -> StoreResult<Vec<String>> {
        self.inner.pools_without_next().await
    }
    async fn all_with_private_keys(&self) -> StoreResult<Vec<SigningKey>> {
        self.inner.all_with_private_keys().await
    }
    async fn reseal_private_key(
        &self,
        pool_id: &str,
        kid: &str,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        self.write(pool_id, self.inner.reseal_private_key(pool_id, kid, old, new)).await
    }
}

#[async_trait]
impl ApplicationRepo for Invalidating<dyn ApplicationRepo> {
    async fn create(&self, app: &Application) -> StoreResult<()> {
        // A read of this client id may have cached its absence.
        self.write_application(&app.pool_id, &app.client_id, self.inner.create(app)).await
    }
    async fn get(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<Application>> {
        self.inner.get(pool_id, client_id).await
    }
    async fn list(&self, pool_id: &str, page: Page) -> StoreResult<Paged<Application>> {
        self.inner.list(pool_id, page).await
    }
    async fn update(
        &self,
        pool_id: &str,
        client_id: &str,
        changes: &ApplicationChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Application>> {
        let write = self.inner.update(pool_id, client_id, changes, now);
        self.write_application(pool_id, client_id, write).await
    }
    async fn set_secret_hash(
        &self,
        pool_id: &str,
        client_id: &str,
        hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let write = self.inner.set_secret_hash(pool_id, client_id, hash, now);
        self.write_application(pool_id, client_id, write).await
    }
    async fn delete(&self, pool_id: &str, client_id: &str) -> StoreResult<bool> {
        self.write_application(pool_id, client_id, self.inner.delete(pool_id, client_id)).await
    }
}
