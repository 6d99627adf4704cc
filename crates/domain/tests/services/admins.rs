//! Platform admins outside the API: the configured bootstrap password applied or reported, and
//! a forgotten password reset by the operator (the command line).

use tessera_domain::service::{BootstrapAdmin, Ctx};

use crate::support::{World, kind};

#[tokio::test]
async fn a_bootstrap_password_that_is_not_admins_is_reported_until_the_operator_applies_it() {
    let w = World::new().await;
    let (auth, admins) = (&w.services.auth, &w.services.admins);
    let first = auth.ensure_bootstrap_admin(Some("correct-horse-1")).await;
    assert!(matches!(first, Ok(BootstrapAdmin::Created)), "{first:?}");
    for unchanged in [Some("correct-horse-1"), None] {
        let again = auth.ensure_bootstrap_admin(unchanged).await;
        assert!(matches!(again, Ok(BootstrapAdmin::Existing)), "{unchanged:?}: {again:?}");
    }
    // The setting changed after the first start: not applied, and said so.
    let changed = auth.ensure_bootstrap_admin(Some("changed-horse-2")).await;
    assert!(matches!(changed, Ok(BootstrapAdmin::PasswordNotApplied)), "{changed:?}");
    assert_eq!(kind(&auth.admin_login("admin", "changed-horse-2", None).await), "unauthorized");

    // The operator applies it.
    let reset = admins.reset_password(&Ctx::operator(), "admin", "changed-horse-2".into()).await;
    assert_eq!(kind(&reset), "ok");
    let applied = auth.ensure_bootstrap_admin(Some("changed-horse-2")).await;
    assert!(matches!(applied, Ok(BootstrapAdmin::Existing)), "{applied:?}");
    assert_eq!(kind(&auth.admin_login("admin", "changed-horse-2", None).await), "ok");
    assert_eq!(kind(&auth.admin_login("admin", "correct-horse-1", None).await), "unauthorized");

    // Nobody else resets without a platform token; unknown accounts and short passwords named.
    let anonymous = admins.reset_password(&Ctx::anonymous(None), "admin", "x".repeat(20)).await;
    assert_eq!(kind(&anonymous), "unauthorized");
    let missing = admins.reset_password(&Ctx::operator(), "nobody", "y".repeat(20)).await;
    assert_eq!(kind(&missing), "not_found");
    let short = admins.reset_password(&Ctx::operator(), "admin", "short".into()).await;
    assert_eq!(kind(&short), "invalid_request");
    let generated = admins.generate_password();
    assert!(generated.len() >= 20 && generated != admins.generate_password(), "{generated}");
}

#[tokio::test]
async fn the_audit_retention_deletes_every_log_s_events_older_than_it_and_keeps_the_rest() {
    use std::time::Duration;

    use tessera_domain::{
        model::{AuditAction, AuditEvent, AuditFilter, Outcome, Page},
        ports::{AuditLog, AuditRepo},
    };
    let w = World::new().await;
    let page = Page::new(None, Some(100)).expect("page");
    let store = w.store.clone();
    let events = |log| {
        let store = store.clone();
        async move { store.list(log, &AuditFilter::default(), page).await.expect("list").total }
    };
    let pool = AuditLog::Pool { id: &w.pool_id, since: chrono::DateTime::UNIX_EPOCH };
    // A platform event beside the pool's (its creation).
    let planted = AuditEvent {
        id: "planted".into(),
        pool_id: None,
        actor: "operator".into(),
        action: AuditAction::AdminCreate,
        target: Some("ops".into()),
        ip: None,
        outcome: Outcome::Success,
        reason: None,
        created_at: tessera_domain::ports::Clock::now(w.clock.as_ref()),
    };
    w.store.record(&planted).await.expect("planted");
    let (pool_before, platform_before) = (events(pool).await, events(AuditLog::Platform).await);
    assert!(pool_before > 0 && platform_before == 1, "{pool_before} {platform_before}");
    let maintenance = &w.services.maintenance;
    let day = Duration::from_secs(86_400);
    assert_eq!(maintenance.delete_old_audit_events(day).await.expect("retention"), 0);

    // Two days on, a new event; a retention of one day deletes what came before.
    w.clock.advance(2 * day);
    let ticket = w.login("o-retained").await.expect("login").ticket;
    assert_eq!(kind(&w.exchange(&ticket).await), "ok");
    let pool_now = events(pool).await;
    let deleted = maintenance.delete_old_audit_events(day).await.expect("retention");
    assert_eq!(deleted, pool_before + platform_before, "every log's old events");
    assert_eq!(events(pool).await, pool_now - pool_before, "the new ones are kept");
    assert_eq!(events(AuditLog::Platform).await, 0);
}
