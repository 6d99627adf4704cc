//! Turning database errors into [`StoreError`]: unreachable or timed-out databases are
//! `Unavailable`, uniqueness violations `Conflict` with the taken value's field named.

use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};
use tessera_domain::StoreError;

/// Maps a sea-orm error.
pub fn map_db_err(err: DbErr) -> StoreError {
    if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
        return StoreError::Conflict(conflict_message(&message));
    }
    match &err {
        DbErr::ConnectionAcquire(_) => StoreError::Unavailable(err.to_string()),
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime)
            if is_unreachable(runtime) =>
        {
            StoreError::Unavailable(err.to_string())
        }
        _ => StoreError::Other(err.to_string()),
    }
}

fn is_unreachable(err: &RuntimeErr) -> bool {
    match err {
        RuntimeErr::SqlxError(e) => {
            matches!(
                **e,
                sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Protocol(_)
            ) || is_server_shutdown(e)
        }
        _ => false,
    }
}

/// PostgreSQL answers `57P01` (admin shutdown) and friends to open connections when stopped.
fn is_server_shutdown(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code.starts_with("57P") || code == "08006" || code == "08003")
}

/// Names the field whose value is taken, from the index name or column list in the message
/// (`uq_users_pool_phone` on PostgreSQL and MySQL, `users.pool_id, users.phone` on SQLite). MySQL
/// quotes the duplicate value before the key's name (`Duplicate entry '…' for key '…'`): only the
/// name is looked at, so that a value cannot pass for another field.
fn conflict_message(message: &str) -> String {
    let key = message.rsplit_once(" for key ").map_or(message, |(_, key)| key);
    if key.contains("uq_wechat_connections_pool_app2wxapp")
        || key.contains("wechat_connections.app2wxapp")
    {
        return "app2wxapp: the user pool already has an app2wxapp connection".to_owned();
    }
    if key.contains("uq_wechat_connections_pool_kind_app_agent")
        || key.contains("wechat_connections.agent_id")
    {
        return "appId: the user pool already has a connection of this kind with this AppID \
                (and AgentId)"
            .to_owned();
    }
    let field = ["unionid", "openid", "phone", "email", "username"]
        .into_iter()
        .find(|field| key.contains(field));
    match field {
        Some(field) => format!("{field} is already taken in this user pool"),
        None => "a record with this id already exists".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_messages_name_the_field() {
        assert_eq!(
            conflict_message(
                "duplicate key value violates unique constraint \"uq_users_pool_phone\""
            ),
            "phone is already taken in this user pool"
        );
        assert_eq!(
            conflict_message("UNIQUE constraint failed: users.pool_id, users.app_id, users.openid"),
            "openid is already taken in this user pool"
        );
        assert_eq!(
            conflict_message("Duplicate entry 'x' for key 'PRIMARY'"),
            "a record with this id already exists"
        );
        assert_eq!(
            conflict_message("Duplicate entry 'p-email' for key 'uq_users_pool_phone'"),
            "phone is already taken in this user pool",
            "the value is not read as the key's name"
        );
    }

    #[test]
    fn connection_conflicts_say_which_rule() {
        let app2wxapp = "app2wxapp: the user pool already has an app2wxapp connection";
        let same_app = "appId: the user pool already has a connection of this kind with this \
                        AppID (and AgentId)";
        for (message, expected) in [
            (
                "duplicate key value violates unique constraint \
                 \"uq_wechat_connections_pool_app2wxapp\"",
                app2wxapp,
            ),
            (
                "UNIQUE constraint failed: wechat_connections.pool_id, \
                 wechat_connections.app2wxapp",
                app2wxapp,
            ),
            (
                "Duplicate entry 'p-1' for key 'wechat_connections.uq_wechat_connections_pool_app2wxapp'",
                app2wxapp,
            ),
            (
                "duplicate key value violates unique constraint \
                 \"uq_wechat_connections_pool_kind_app_agent\"",
                same_app,
            ),
            (
                "UNIQUE constraint failed: wechat_connections.pool_id, wechat_connections.kind, \
                 wechat_connections.app_id, wechat_connections.agent_id",
                same_app,
            ),
            (
                "Duplicate entry 'p-miniprogram-app2wxapp-' for key \
                 'uq_wechat_connections_pool_kind_app_agent'",
                same_app,
            ),
            (
                "duplicate key value violates unique constraint \"wechat_connections_pkey\"",
                "a record with this id already exists",
            ),
        ] {
            assert_eq!(conflict_message(message), expected, "{message}");
        }
    }
}
