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
/// (`uq_users_pool_phone` on PostgreSQL and MySQL, `users.pool_id, users.phone` on SQLite).
fn conflict_message(message: &str) -> String {
    let field = ["unionid", "openid", "phone", "email", "username"]
        .into_iter()
        .find(|field| message.contains(field));
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
    }
}
