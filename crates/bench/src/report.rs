//! The Markdown the harness prints: every phase, then each goal with what was measured.

use crate::{Measured, Path, load::Phase, scale::Scaled};

pub(crate) struct Report<'a> {
    pub(crate) measured: &'a [Measured],
    pub(crate) peer: Option<&'a [Measured]>,
    pub(crate) scaled: Option<&'a Scaled>,
    pub(crate) idle_rss: f64,
    /// The statements PostgreSQL spent most time on (pg_stat_statements).
    pub(crate) statements: &'a str,
}

/// A ratio goal: Tessera's `path` against the peer's `peer_path`.
struct RatioGoal {
    path: Path,
    peer_path: Path,
    at_least: f64,
}

const RATIO_GOALS: &[RatioGoal] = &[
    RatioGoal { path: Path::Exchange, peer_path: Path::ClientCredentials, at_least: 1.5 },
    RatioGoal { path: Path::TokenExchange, peer_path: Path::ClientCredentials, at_least: 1.5 },
    RatioGoal { path: Path::ClientCredentials, peer_path: Path::ClientCredentials, at_least: 2.0 },
    RatioGoal { path: Path::Refresh, peer_path: Path::Refresh, at_least: 1.5 },
    RatioGoal { path: Path::AuthorizationCode, peer_path: Path::AuthorizationCode, at_least: 1.5 },
    RatioGoal { path: Path::Introspection, peer_path: Path::Introspection, at_least: 2.0 },
    RatioGoal { path: Path::Userinfo, peer_path: Path::Userinfo, at_least: 2.0 },
];

/// The latency goal at half the maximum rate, in milliseconds.
const PACED_P99_MS: f64 = 25.0;

pub(crate) fn print(r: &Report<'_>) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("\n## Tessera\n");
    phase_table(r.measured);
    if let Some(peer) = r.peer {
        println!("\n## node-oidc-provider (the peer)\n");
        phase_table(peer);
    }

    println!("\n## Goals\n");
    println!("| goal | measured | met |");
    println!("|---|---|---|");
    let find =
        |set: &[Measured], path: Path| set.iter().find(|m| m.path == path).map(|m| m.max.rate());
    for goal in RATIO_GOALS {
        let ours = find(r.measured, goal.path);
        let theirs = r.peer.and_then(|p| find(p, goal.peer_path));
        let (measured, met) = match (ours, theirs) {
            (Some(o), Some(t)) if t > 0.0 => (
                format!("{o:.0} / {t:.0} req/s = **{:.2}×**", o / t),
                verdict(o / t >= goal.at_least),
            ),
            (Some(o), _) => (format!("{o:.0} req/s (peer not measured)"), "–"),
            _ => ("not measured".to_owned(), "–"),
        };
        println!(
            "| {} ≥ {}× the peer's {} | {measured} | {met} |",
            label(goal.path),
            goal.at_least,
            label(goal.peer_path)
        );
    }
    for (path, at_least) in [(Path::LoginReturning, 3_000.0), (Path::LoginNew, 1_500.0)] {
        if let Some(m) = r.measured.iter().find(|m| m.path == path) {
            let share = m.max.cpu.sim / (m.max.elapsed.as_secs_f64() * cores as f64);
            let without_sim = m.max.rate() / (1.0 - share).max(0.01);
            println!(
                "| {} ≥ {at_least:.0} req/s | {:.0} req/s; {without_sim:.0} with the simulator's \
                 {:.0}% of the CPU subtracted | {} |",
                label(path),
                m.max.rate(),
                share * 100.0,
                verdict(without_sim >= at_least)
            );
        }
    }
    let paced: Vec<&Phase> =
        r.measured.iter().filter_map(|m| m.paced.as_ref()).filter(|p| p.requests > 0).collect();
    let worst = paced.iter().max_by(|a, b| a.percentile(0.99).total_cmp(&b.percentile(0.99)));
    if let Some(worst) = worst {
        println!(
            "| p99 at half the maximum rate ≤ {PACED_P99_MS} ms, every path | worst: {:.2} ms ({}) | {} |",
            worst.percentile(0.99),
            worst.name,
            verdict(worst.percentile(0.99) <= PACED_P99_MS)
        );
    }
    let peak = r
        .measured
        .iter()
        .flat_map(|m| [Some(&m.max), m.paced.as_ref()])
        .flatten()
        .map(|p| p.rss_mib);
    let peak = peak.fold(0.0f64, f64::max);
    println!(
        "| idle RSS ≤ 30 MB | {:.1} MiB | {} |",
        r.idle_rss,
        verdict(r.idle_rss * 1.048_576 <= 30.0)
    );
    println!(
        "| peak RSS under load ≤ 150 MB | {peak:.1} MiB | {} |",
        verdict(peak * 1.048_576 <= 150.0)
    );
    if let Some(s) = r.scaled {
        s.print_goals(r.measured);
    }

    println!("\n## Where PostgreSQL spent its time (small data set)\n");
    println!("{}", r.statements);
    if let Some(s) = r.scaled {
        s.print_details();
    }
    println!("\n{cores} cores; CPU per request in µs, by process.");
}

fn verdict(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

pub(crate) fn label(path: Path) -> &'static str {
    match path {
        Path::Live => "GET /health/live",
        Path::Jwks => "JWKS",
        Path::LoginNew => "login, new users",
        Path::LoginReturning => "login, returning users",
        Path::Exchange => "ticket exchange",
        Path::ClientCredentials => "client_credentials",
        Path::TokenExchange => "token exchange grant",
        Path::Refresh => "refresh_token (rotated)",
        Path::Authorize => "authorize (SSO redirect)",
        Path::AuthorizationCode => "authorization_code",
        Path::Introspection => "introspection",
        Path::Userinfo => "userinfo",
    }
}

/// One row per phase: rate, latency, errors, the CPU each party spent per request, RSS.
pub(crate) fn phase_table(measured: &[Measured]) {
    println!(
        "| phase | req/s | p50 ms | p99 ms | errors | CPU µs/req: server | PostgreSQL | Redis | \
         simulator | load generator | RSS MiB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for phase in measured.iter().flat_map(|m| [Some(&m.max), m.paced.as_ref()]).flatten() {
        phase_row(phase);
    }
}

pub(crate) fn phase_row(p: &Phase) {
    println!(
        "| {} | {:.0} | {:.2} | {:.2} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} |",
        p.name,
        p.rate(),
        p.percentile(0.5),
        p.percentile(0.99),
        p.errors,
        p.micros_per_request(|c| c.server),
        p.micros_per_request(|c| c.postgres),
        p.micros_per_request(|c| c.redis),
        p.micros_per_request(|c| c.sim),
        p.micros_per_request(|c| c.harness),
        p.rss_mib
    );
}
