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
