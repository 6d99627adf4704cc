//! A Sentinel failover under traffic: workers put and take tickets in a loop while the master
//! stops, or while the sentinel is told to fail over with the master still running (the old
//! master then takes writes for seconds, until the sentinel demotes it: a split brain). Every
//! answer must be a right one or `Unavailable`, a ticket is never taken twice, and once the
//! failover is over the store works again within a bound.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use tessera_domain::{
    StoreError,
    ports::{TicketKey, TicketRecord, TicketStore},
};
use tessera_testkit::SentinelGroup;

/// How the master goes away.
#[derive(Debug, Clone, Copy)]
enum Failover {
    /// It stops (SIGTERM): the sentinel sees it down and promotes the replica.
    MasterStops,
    /// `SENTINEL FAILOVER` while it runs: the replica is promoted at once, the old master
    /// demoted only when the sentinel next looks at it (about ten seconds later).
    Forced,
}

/// Concurrent workers. Each first issues `EARLY` tickets, which are replicated before the
/// failover, then runs rounds of at most one every `PACE`: a new ticket put and taken, and one of
/// its early tickets taken (while any is left), so that takes of replicated tickets straddle the
/// failover.
const WORKERS: usize = 4;
const EARLY: usize = 1_000;
const PACE: Duration = Duration::from_millis(5);
/// Bounds of the loop: rounds per worker and time.
const MAX_ROUNDS: usize = 10_000;
const MAX_TIME: Duration = Duration::from_secs(60);
/// Rounds in a row that must succeed once the failover is over.
const RECOVERED_AFTER: usize = 100;
/// The longest the store may keep failing once the failover is over.
const RECOVERY_BOUND: Duration = Duration::from_secs(10);

/// What one worker saw.
#[derive(Default)]
struct Seen {
    rounds: usize,
    unavailable: usize,
    /// Tickets taken (their record came back): they must never come back again.
    taken: Vec<TicketKey>,
    /// New tickets whose put was acknowledged and whose take found nothing.
    lost: usize,
    /// Early tickets whose take found nothing (refused as older than the failover, or lost).
    early_refused: usize,
    /// Early tickets left untaken.
    early_left: Vec<TicketKey>,
    /// When the last failure happened.
    last_failure: Option<Instant>,
    /// Whether the worker ended on `RECOVERED_AFTER` good rounds after the failover was over.
    recovered: bool,
}

fn record(worker: usize, n: usize) -> TicketRecord {
    TicketRecord {
        pool_id: "p".into(),
        user_id: format!("u{worker}-{n}"),
        app_id: None,
        openid: None,
        code_challenge: None,
        issued_at_ms: 1,
        expires_at_ms: 2,
        ip: None,
    }
}

fn new_ticket(worker: usize, round: usize) -> (TicketKey, TicketRecord) {
    (TicketKey::new("p", &format!("w{worker}-{round}")), record(worker, round))
}

fn early_ticket(worker: usize, n: usize) -> (TicketKey, TicketRecord) {
    (TicketKey::new("p", &format!("early-w{worker}-{n}")), record(worker, EARLY * 100 + n))
}

/// A failure must be `Unavailable`, never another error.
fn only_unavailable<T>(how: Failover, result: &Result<T, StoreError>) {
    if let Err(e) = result {
        assert!(matches!(e, StoreError::Unavailable(_)), "{how:?}: {e}");
    }
}

/// Takes `key`: the record must be `expected` if anything comes back. Answers whether the take
/// failed, and records a success in `seen`.
async fn take(
    how: Failover,
    store: &dyn TicketStore,
    key: &TicketKey,
    expected: &TicketRecord,
    seen: &mut Seen,
) -> Result<bool, ()> {
    let taken = store.take(key).await;
    only_unavailable(how, &taken);
    match taken {
        Ok(Some(got)) => {
            assert_eq!(&got, expected, "{how:?}: another ticket's record");
            seen.taken.push(key.clone());
            Ok(true)
        }
        Ok(None) => Ok(false),
        Err(_) => Err(()),
    }
}

async fn worker(
    how: Failover,
    id: usize,
    store: Arc<dyn TicketStore>,
    issued: Arc<tokio::sync::Barrier>,
    over: Arc<AtomicBool>,
) -> Seen {
    let mut seen = Seen::default();
    for n in 0..EARLY {
        let (key, record) = early_ticket(id, n);
        store.put(&key, &record, Duration::from_secs(120)).await.expect("early ticket");
    }
    issued.wait().await;

    let started = Instant::now();
    let mut early = 0..EARLY;
    let mut in_a_row = 0;
    for round in 0..MAX_ROUNDS {
        if started.elapsed() > MAX_TIME {
            break;
        }
        seen.rounds += 1;
        let pace = tokio::time::sleep(PACE);
        let (key, expected) = new_ticket(id, round);
        let put = store.put(&key, &expected, Duration::from_secs(120)).await;
        only_unavailable(how, &put);
        let mut failed = put.is_err();
        if !failed {
            match take(how, store.as_ref(), &key, &expected, &mut seen).await {
                Ok(true) => {}
                Ok(false) => seen.lost += 1,
                Err(()) => failed = true,
            }
        }
        if let Some(n) = early.next() {
            let (key, expected) = early_ticket(id, n);
            match take(how, store.as_ref(), &key, &expected, &mut seen).await {
                Ok(true) => {}
                Ok(false) => seen.early_refused += 1,
                Err(()) => {
                    seen.early_left.push(key);
                    failed = true;
                }
            }
        }
        if failed {
            seen.unavailable += 1;
            seen.last_failure = Some(Instant::now());
            in_a_row = 0;
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        in_a_row += 1;
        if over.load(Ordering::Acquire) && in_a_row >= RECOVERED_AFTER {
            seen.recovered = true;
            break;
        }
        pace.await;
    }
    seen.early_left.extend(early.map(|n| early_ticket(id, n).0));
    seen
}

/// Traffic through a failover of a group that is TLS-only if `tls`, and whose sentinel has a
/// password of its own if `sentinel_password` (none otherwise).
async fn traffic_through(how: Failover, tls: bool, sentinel_password: bool) {
    let group = SentinelGroup::start(tls, sentinel_password).expect("Sentinel group");
    let group = Arc::new(group);
    let store = super::tickets::connect("failover", &group.redis, Duration::from_millis(500)).await;
    let store: Arc<dyn TicketStore> = Arc::new(store);
    let issued = Arc::new(tokio::sync::Barrier::new(WORKERS + 1));
    let over = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..WORKERS)
        .map(|id| tokio::spawn(worker(how, id, store.clone(), issued.clone(), over.clone())))
        .collect();

    // Once the early tickets are out (and replicated), let traffic run, take the master away
    // and wait until the sentinel names another (and, forced, has demoted the old one).
    issued.wait().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (old, new, at) = {
        let group = group.clone();
        tokio::task::spawn_blocking(move || {
            let old = group.master_port().expect("master");
            match how {
                Failover::MasterStops => drop(group.stop_master().expect("stop")),
                Failover::Forced => group.force_failover().expect("SENTINEL FAILOVER"),
            }
            let new = group.wait_for_master_other_than(old).expect("a new master");
            if let Failover::Forced = how {
                group.wait_for_replica(old).expect("the old master demoted");
            }
            (old, new, Instant::now())
        })
        .await
        .expect("failover")
    };
    over.store(true, Ordering::Release);

    let mut all = Vec::new();
    for w in workers {
        all.push(w.await.expect("worker"));
    }
    for (id, seen) in all.iter().enumerate() {
        eprintln!(
            "{how:?}, master {old} -> {new}, worker {id}: {} rounds, {} unavailable, {} taken, \
             {} new tickets lost, {} early tickets refused, last failure {:?} after the failover",
            seen.rounds,
            seen.unavailable,
            seen.taken.len(),
            seen.lost,
            seen.early_refused,
            seen.last_failure.map(|t| t.saturating_duration_since(at)),
        );
        assert!(seen.recovered, "{how:?}: worker {id} did not recover");
        if let Some(last) = seen.last_failure {
            let after = last.saturating_duration_since(at);
            assert!(after < RECOVERY_BOUND, "{how:?}: worker {id} failed {after:?} after");
        }
    }
    // A ticket taken once is never taken again, failover or not; one whose take failed may be
    // taken now, once.
    for seen in &all {
        for key in &seen.taken {
            let again = store.take(key).await.expect("take after the failover");
            assert_eq!(again, None, "{how:?}: {key:?} was taken twice");
        }
        for key in &seen.early_left {
            store.take(key).await.expect("take after the failover");
            assert_eq!(store.take(key).await.expect("again"), None, "{how:?}: {key:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_that_stops_under_traffic_is_replaced_without_a_wrong_answer() {
    traffic_through(Failover::MasterStops, true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_failover_under_traffic_gives_no_wrong_answer() {
    traffic_through(Failover::Forced, false, false).await;
}
