//! Rate limits: counted per pool (or name) and client IP, refused with the seconds to wait, and
//! lifted when the window has passed (the clock is moved, nothing sleeps).

use std::time::Duration;

use tessera_domain::{Error, service::FlowLimits};

use crate::support::{World, kind};

fn limits() -> FlowLimits {
    FlowLimits {
        logins_per_minute: 2,
        failed_exchanges_per_minute: 3,
        failed_admin_logins_per_minute: 2,
        window: Duration::from_secs(60),
    }
}

fn retry_after<T>(result: Result<T, Error>) -> u64 {
    match result {
        Err(Error::RateLimited { retry_after }) => retry_after,
        Err(other) => panic!("expected rate_limited, got {other}"),
        Ok(_) => panic!("expected rate_limited, got a success"),
    }
}

#[tokio::test]
async fn logins_are_limited_per_window() {
    let w = World::with_limits(limits()).await;
    w.login("o-1").await.expect("first");
    w.clock.advance(Duration::from_secs(20));
    w.login("o-1").await.expect("second");
    assert_eq!(retry_after(w.login("o-1").await), 40, "until the window that began first ends");
    w.clock.advance(Duration::from_secs(40));
    w.login("o-1").await.expect("a new window");
}

#[tokio::test]
async fn failed_exchanges_are_limited_and_the_ticket_survives() {
    let w = World::with_limits(limits()).await;
    let ticket = w.login("o-1").await.expect("login").ticket;
    for _ in 0..3 {
        assert_eq!(kind(&w.exchange_with(&ticket, Some("wrong"), None).await), "secret_invalid");
    }
    assert_eq!(retry_after(w.exchange(&ticket).await), 60, "even the right secret waits");
    w.clock.advance(Duration::from_secs(60));
    assert_eq!(kind(&w.exchange(&ticket).await), "ok", "allowed again, ticket intact");
}

#[tokio::test]
async fn failed_admin_logins_are_limited_per_username() {
    let w = World::with_limits(limits()).await;
    let auth = &w.services.auth;
    auth.ensure_bootstrap_admin(Some("correct-horse")).await.expect("admin");
    let ip = || Some(crate::support::IP.to_owned());
    for _ in 0..2 {
        let refused = auth.admin_login("admin", "wrong password", ip()).await;
        assert_eq!(kind(&refused), "unauthorized");
    }
    assert_eq!(retry_after(auth.admin_login("admin", "correct-horse", ip()).await), 60);
    let other = auth.admin_login("someone-else", "wrong password", ip()).await;
    assert_eq!(kind(&other), "unauthorized", "other names are counted apart");
    w.clock.advance(Duration::from_secs(60));
    let token = auth.admin_login("admin", "correct-horse", ip()).await.expect("allowed again");
    let principal = auth.authenticate(&token.token).await.expect("valid token");
    assert!(matches!(principal, tessera_domain::service::Principal::Platform { .. }));
    w.clock.advance(Duration::from_secs(3600 + 5));
    let expired = auth.authenticate(&token.token).await;
    assert_eq!(kind(&expired), "unauthorized", "an hour later, by the injected clock");
}
