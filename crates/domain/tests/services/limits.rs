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
        key_rotations_per_minute: 2,
        window: Duration::from_secs(60),
        ..FlowLimits::default()
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
    let guess = w.exchange_with(&ticket, Some("wrong"), None).await;
    assert_eq!(retry_after(guess), 60, "guessing waits for the window");
    assert_eq!(kind(&w.exchange(&ticket).await), "ok", "the pool secret is never locked out");
    w.clock.advance(Duration::from_secs(60));
    let ticket = w.login("o-1").await.expect("login").ticket;
    assert_eq!(kind(&w.exchange_with(&ticket, Some("wrong"), None).await), "secret_invalid");
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

#[tokio::test]
async fn stale_tickets_of_an_authenticated_backend_never_lock_it_out() {
    let w = World::with_limits(limits()).await;
    for i in 0..10 {
        let stale = w.exchange(&format!("used-or-expired-{i}")).await;
        assert_eq!(kind(&stale), "ticket_invalid", "attempt {i} is answered, never 429");
    }
    let ticket = w.login("o-1").await.expect("login").ticket;
    assert_eq!(kind(&w.exchange(&ticket).await), "ok");
}

#[tokio::test]
async fn concurrent_wrong_passwords_are_counted_before_any_is_checked() {
    let w = World::with_limits(limits()).await;
    w.services.auth.ensure_bootstrap_admin(Some("correct-horse")).await.expect("admin");
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let auth = w.services.auth.clone();
        let ip = Some(crate::support::IP.to_owned());
        tasks.push(tokio::spawn(async move {
            kind(&auth.admin_login("admin", "wrong password", ip).await)
        }));
    }
    let mut tried = 0;
    for task in tasks {
        match task.await.expect("task") {
            "unauthorized" => tried += 1,
            "rate_limited" => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(tried, 2, "exactly the limit was checked; the rest were refused unchecked");
}

#[tokio::test]
async fn failed_logins_are_also_limited_per_network_and_in_all() {
    let limits = FlowLimits {
        failed_admin_logins_per_minute: 100,
        failed_logins_per_network_per_minute: 3,
        failed_logins_per_minute: 5,
        ..limits()
    };
    let w = World::with_limits(limits).await;
    let auth = &w.services.auth;
    let from = |ip: &str| Some(ip.to_owned());
    for name in ["a", "b", "c"] {
        let tried = auth.admin_login(name, "wrong", from("2001:db8:1:2::10")).await;
        assert_eq!(kind(&tried), "unauthorized");
    }
    let same_64 = auth.admin_login("d", "wrong", from("2001:db8:1:2:ffff::99")).await;
    assert_eq!(kind(&same_64), "rate_limited", "every name from one /64 counts together");
    let other_64 = auth.admin_login("e", "wrong", from("2001:db8:1:3::10")).await;
    assert_eq!(kind(&other_64), "unauthorized", "another network has its own count");
    let sixth = auth.admin_login("f", "wrong", from("198.51.100.1")).await;
    assert_eq!(kind(&sixth), "rate_limited", "the circuit breaker counts every network");
    w.clock.advance(Duration::from_secs(60));
    assert_eq!(kind(&auth.admin_login("g", "wrong", from("198.51.100.1")).await), "unauthorized");
}

#[tokio::test]
async fn key_rotations_are_limited_per_pool() {
    let w = World::with_limits(limits()).await;
    let keys = &w.services.keys;
    keys.rotate(&w.admin, &w.pool_id).await.expect("first");
    keys.rotate(&w.admin, &w.pool_id).await.expect("second");
    assert_eq!(retry_after(keys.rotate(&w.admin, &w.pool_id).await), 60);
    w.clock.advance(Duration::from_secs(60));
    keys.rotate(&w.admin, &w.pool_id).await.expect("a new window");
}
