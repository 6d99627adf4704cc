//! The scale run: a pool grown from empty through the API in batches (the sign-up rate must stay
//! flat as the table grows: prepared statements planned on a small table must not walk a large
//! one), then 10,000 pools and 1,000,000 users loaded in bulk, the logins and the exchange
//! measured again on them, and the admin list pages.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Result;
use tessera_testkit::DedicatedPostgres;
use tessera_wechat_sim::Simulator;

use crate::{
    Measured, Path, Tessera, create_pool,
    load::{Phase, Req, load},
    login_and_exchange, login_of,
    report::{label, phase_row, phase_table},
};

/// Pools and users of the large data set.
const POOLS: usize = 10_000;
const USERS: usize = 1_000_000;
/// Of the users, those of the measured pool (the rest are spread over the other pools).
const USERS_OF_MEASURED_POOL: usize = 200_000;
/// Sign-ups per batch of the growth phase, and the batches.
const BATCH: usize = 4_000;
const BATCHES: usize = 5;

pub(crate) struct Scaled {
    /// Sign-ups per second of each batch, the pool's users before it, and PostgreSQL's CPU per
    /// sign-up (µs).
    growth: Vec<(usize, Phase)>,
    /// What PostgreSQL spent its time on while the pool grew.
    growth_statements: String,
    /// The same for a new pool grown in the large table (after its statistics were taken, so
    /// they know nothing of this pool).
    late_growth: Vec<(usize, Phase)>,
    late_growth_statements: String,
    load_seconds: f64,
    measured: Vec<Measured>,
    lists: Vec<Phase>,
    statements: String,
}

pub(crate) async fn run(
    t: &Tessera,
    pg: &DedicatedPostgres,
    sim: &Simulator,
    concurrency: usize,
    window: Duration,
) -> Result<Scaled> {
    // Not pg_stat_reset(): the server would take the tables for new ones and analyze them.
    pg.query("SELECT pg_stat_statements_reset()")?;
    let mut indexes = index_reads(pg)?;
    let growth = grow(t, sim, "growth", concurrency).await?;
    let growth_statements = top_statements(pg, 8, &mut indexes)?;

    eprintln!("loading {POOLS} pools and {USERS} users …");
    let started = Instant::now();
    bulk_load(pg, &t.pool_id)?;
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!("loaded in {load_seconds:.0} s");
    pg.query("SELECT pg_stat_statements_reset()")?;
    let mut indexes = index_reads(pg)?;
    let late_growth = grow(t, sim, "late-growth", concurrency).await?;
    let late_growth_statements = top_statements(pg, 8, &mut indexes)?;
    pg.query("SELECT pg_stat_statements_reset()")?;

    let (measured, _) = login_and_exchange(t, sim, "scale-", concurrency, window).await;
    let lists = list_pages(t, concurrency, window).await;
    let statements = top_statements(pg, 8, &mut indexes)?;
    Ok(Scaled {
        growth,
        growth_statements,
        late_growth,
        late_growth_statements,
        load_seconds,
        measured,
        lists,
        statements,
    })
}

/// Signs users up in a new pool, batch after batch, through the API.
async fn grow(
    t: &Tessera,
    sim: &Simulator,
    name: &str,
    concurrency: usize,
) -> Result<Vec<(usize, Phase)>> {
    let target = &t.target;
    let (pool_id, _) = create_pool(target, &t.admin, name).await?;
    let url = format!("{}/oauth/app2wxapp/login/{pool_id}", target.base);
    let next = Arc::new(AtomicUsize::new(0));
    let mut batches = Vec::new();
    for batch in 0..BATCHES {
        let end = (batch + 1) * BATCH;
        let (s, url, counter, prefix) =
            (sim.clone(), url.clone(), next.clone(), format!("{name}-"));
        let signups =
            load(format!("{name}: sign-ups {}–{end}", batch * BATCH), target, move |_| {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                (i < end).then(|| login_of(&s, &url, &prefix, i))
            });
        // Long enough for the batch; the supply ends it.
        let phase = signups.closed(concurrency, Duration::from_secs(600)).await;
        next.store(end, Ordering::Relaxed);
        batches.push((batch * BATCH, phase));
    }
    Ok(batches)
}

/// Copies the measured pool `pool_id` into [`POOLS`] pools, and one of its users (with its
/// identity) into [`USERS`] users, in SQL: columns the copies must not share are given their own
/// values, the others are copied from the template row, so the load follows the schema.
fn bulk_load(pg: &DedicatedPostgres, pool_id: &str) -> Result<()> {
    let user = pg.query(&format!("SELECT id FROM users WHERE pool_id = '{pool_id}' LIMIT 1"))?;
    let user = user.trim();
    anyhow::ensure!(!user.is_empty(), "the measured pool has no user to copy");
    let pool_of = |g: &str| format!("substr(md5('scale-pool-' || {g}), 1, 24)");
    let others = USERS - USERS_OF_MEASURED_POOL;
    // The user's pool: the measured one for the first users, one of the others for the rest.
    let user_pool = format!(
        "CASE WHEN g <= {USERS_OF_MEASURED_POOL} THEN '{pool_id}' ELSE {} END",
        pool_of(&format!("(g % {POOLS})"))
    );
    let user_id = "substr(md5('scale-user-' || g), 1, 24)";
    let sql = [
        copy_rows(
            pg,
            "user_pools",
            &format!("id = '{pool_id}'"),
            POOLS,
            &[("id", pool_of("(g - 1)")), ("name", "'scale ' || g".into())],
        )?,
        copy_rows(
            pg,
            "users",
            &format!("id = '{user}'"),
            USERS,
            &[
                ("id", user_id.into()),
                ("pool_id", user_pool.clone()),
                ("unionid", "'u-scale-bulk-' || g".into()),
                ("phone", "NULL".into()),
                ("email", "NULL".into()),
                ("username", "NULL".into()),
                ("signed_up", "now() - g * interval '1 second'".into()),
            ],
        )?,
        copy_rows(
            pg,
            "user_identities",
            &format!("user_id = '{user}'"),
            USERS,
            &[
                ("id", user_id.into()),
                ("user_id", user_id.into()),
                ("pool_id", user_pool),
                ("openid", "'o-scale-bulk-' || g".into()),
                ("unionid", "'u-scale-bulk-' || g".into()),
            ],
        )?,
        "ANALYZE".to_owned(),
    ];
    eprintln!("({others} users spread over the other pools)");
    for statement in sql {
        pg.query(&statement)?;
    }
    Ok(())
}

/// `INSERT INTO table SELECT …` of `n` copies of the row `template`, with `overrides` (column,
/// SQL expression of the series number `g`).
fn copy_rows(
    pg: &DedicatedPostgres,
    table: &str,
    template: &str,
    n: usize,
    overrides: &[(&str, String)],
) -> Result<String> {
    let columns = pg.query(&format!(
        "SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' \
         AND table_schema = current_schema() ORDER BY ordinal_position"
    ))?;
    let columns: Vec<&str> = columns.lines().map(str::trim).filter(|c| !c.is_empty()).collect();
    anyhow::ensure!(!columns.is_empty(), "no table {table} to copy into");
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            overrides
                .iter()
                .find(|(o, _)| o == c)
                .map_or_else(|| format!("t.{c}"), |(_, e)| e.clone())
        })
        .collect();
    Ok(format!(
        "INSERT INTO {table} ({}) SELECT {} FROM (SELECT * FROM {table} WHERE {template} LIMIT 1) t, \
         generate_series(1, {n}) g",
        columns.join(", "),
        values.join(", ")
    ))
}

/// The admin list pages on the large data set: pools, and users of the measured pool (first
/// page, and pages spread through the whole list).
async fn list_pages(t: &Tessera, concurrency: usize, window: Duration) -> Vec<Phase> {
    let base = &t.target.base;
    let mut phases = Vec::new();
    for (name, path, total) in [
        ("admin: list pools", "/api/v1/userpools".to_owned(), POOLS),
        (
            "admin: list users of the large pool",
            format!("/api/v1/userpools/{}/users", t.pool_id),
            USERS_OF_MEASURED_POOL,
        ),
    ] {
        let (url, admin) = (format!("{base}{path}"), t.admin.clone());
        let pages = (total / 20).max(1);
        let list = load(name, &t.target, move |i| {
            // Every 7th request the first page, the others spread over all pages.
            let page = if i % 7 == 0 { 1 } else { (i * 7919) % pages + 1 };
            Some(Req::Bearer(format!("{url}?page={page}&limit=20"), admin.clone()))
        });
        // An administrator's pages, two at a time: a latency goal, not a load test.
        phases.push(list.closed(concurrency.min(2), window).await);
    }
    phases
}

/// Scans and tuples read so far, per index (`table.index`).
pub(crate) type IndexReads = std::collections::HashMap<String, (i64, i64)>;

/// Every index's scans and tuples read so far.
pub(crate) fn index_reads(pg: &DedicatedPostgres) -> Result<IndexReads> {
    let rows = pg.query(
        "SELECT relname || '|' || indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes",
    )?;
    Ok(rows
        .lines()
        .filter_map(|line| {
            let mut cols = line.rsplitn(3, '|');
            let read = cols.next()?.parse().ok()?;
            let scans = cols.next()?.parse().ok()?;
            Some((cols.next()?.to_owned(), (scans, read)))
        })
        .collect())
}

/// The statements PostgreSQL spent most time on since its statistics were reset, and the
/// indexes that returned the most tuples per scan since `since` (which becomes now), as Markdown.
pub(crate) fn top_statements(
    pg: &DedicatedPostgres,
    n: usize,
    since: &mut IndexReads,
) -> Result<String> {
    let statements = pg.query(&format!(
        "SELECT calls, round(total_exec_time::numeric, 0), round(mean_exec_time::numeric, 3), \
         round(rows::numeric / greatest(calls, 1), 2), \
         left(regexp_replace(query, '\\s+', ' ', 'g'), 160) \
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT {n}"
    ))?;
    let now = index_reads(pg)?;
    let mut walked: Vec<(&String, i64, i64)> = now
        .iter()
        .map(|(index, (scans, read))| {
            let (s0, r0) = since.get(index).copied().unwrap_or((0, 0));
            (index, scans - s0, read - r0)
        })
        .filter(|(_, scans, _)| *scans > 0)
        .collect();
    walked.sort_by(|a, b| (b.2 as f64 / b.1 as f64).total_cmp(&(a.2 as f64 / a.1 as f64)));
    let mut out = String::from(
        "| calls | total ms | mean ms | rows/call | statement |\n|---:|---:|---:|---:|---|\n",
    );
    for line in statements.lines() {
        let cols: Vec<&str> = line.splitn(5, '|').collect();
        if let [calls, total, mean, rows, query] = cols[..] {
            let query = query.replace('|', "\\|");
            out.push_str(&format!("| {calls} | {total} | {mean} | {rows} | `{query}` |\n"));
        }
    }
    out.push_str(
        "\n| table | index | scans | tuples read | per scan |\n|---|---|---:|---:|---:|\n",
    );
    for (index, scans, read) in walked.into_iter().take(6) {
        let (table, name) = index.split_once('|').unwrap_or((index, ""));
        let per_scan = read as f64 / scans as f64;
        out.push_str(&format!("| {table} | {name} | {scans} | {read} | {per_scan:.1} |\n"));
    }
    *since = now;
    Ok(out)
}

impl Scaled {
    pub(crate) fn print_goals(&self, small: &[Measured]) {
        for path in [Path::LoginNew, Path::LoginReturning, Path::Exchange] {
            let rate = |set: &[Measured]| set.iter().find(|m| m.path == path).map(|m| m.max.rate());
            if let (Some(before), Some(after)) = (rate(small), rate(&self.measured)) {
                let ratio = after / before;
                println!(
                    "| {} at scale within 10% | {after:.0} vs {before:.0} req/s ({:+.0}%) | {} |",
                    label(path),
                    (ratio - 1.0) * 100.0,
                    if ratio >= 0.9 { "yes" } else { "**no**" }
                );
            }
        }
        for (what, growth) in [
            ("a pool grows from empty", &self.growth),
            ("a new pool grows in the large table", &self.late_growth),
        ] {
            let rates: Vec<f64> = growth.iter().map(|(_, p)| p.rate()).collect();
            let slowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
            let fastest = rates.iter().copied().fold(0.0, f64::max);
            if !rates.is_empty() {
                let shown: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
                println!(
                    "| sign-up rate flat as {what} (slowest batch within 10% of the fastest) | \
                     {}/s | {} |",
                    shown.join(", "),
                    if slowest >= 0.9 * fastest { "yes" } else { "**no**" }
                );
            }
        }
        for list in &self.lists {
            let p99 = list.percentile(0.99);
            println!(
                "| {} p99 ≤ 50 ms | {p99:.2} ms | {} |",
                list.name,
                if p99 <= 50.0 && list.errors == 0 { "yes" } else { "**no**" }
            );
        }
    }

    pub(crate) fn print_details(&self) {
        for (what, growth, statements) in [
            ("a pool grown from empty", &self.growth, &self.growth_statements),
            (
                "a new pool grown in the large table",
                &self.late_growth,
                &self.late_growth_statements,
            ),
        ] {
            println!("\n## Scale: {what} through the API, {BATCH} sign-ups a batch\n");
            println!(
                "| users before | sign-ups/s | p99 ms | PostgreSQL CPU µs per sign-up | server CPU µs |"
            );
            println!("|---:|---:|---:|---:|---:|");
            for (before, p) in growth {
                println!(
                    "| {before} | {:.0} | {:.2} | {:.0} | {:.0} |",
                    p.rate(),
                    p.percentile(0.99),
                    p.micros_per_request(|c| c.postgres),
                    p.micros_per_request(|c| c.server)
                );
            }
            println!("\nWhat PostgreSQL spent its time on meanwhile:\n");
            println!("{statements}");
        }
        println!(
            "\n## Scale: {POOLS} pools and {USERS} users (loaded in {:.0} s)\n",
            self.load_seconds
        );
        phase_table(&self.measured);
        for list in &self.lists {
            phase_row(list);
        }
        println!("\n## Where PostgreSQL spent its time (large data set)\n");
        println!("{}", self.statements);
    }
}
