//! Where the CPU goes during a phase: the server's process, the database's and Redis's processes,
//! the WeChat simulator's threads and the rest of the harness (the load generator), read from
//! `/proc` at the start and end of the phase.

use std::fs;

/// Linux's `USER_HZ`: the unit of the times in `/proc/*/stat`.
const TICKS_PER_SECOND: f64 = 100.0;

/// The name of the simulator's threads (see `main`), so their CPU is told apart from the load
/// generator's.
pub(crate) const SIM_THREAD: &str = "wechat-sim";

/// The processes whose CPU a phase reports.
#[derive(Clone, Copy, Default)]
pub(crate) struct Processes {
    pub(crate) server: u32,
    /// PostgreSQL's postmaster: its backends are its children.
    pub(crate) postgres: Option<u32>,
    pub(crate) redis: Option<u32>,
}

/// CPU seconds used so far, per party.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub(crate) struct CpuUse {
    pub(crate) server: f64,
    pub(crate) postgres: f64,
    pub(crate) redis: f64,
    pub(crate) sim: f64,
    pub(crate) harness: f64,
}

impl CpuUse {
    /// What was used between `earlier` and `self`.
    pub(crate) fn since(self, earlier: Self) -> Self {
        Self {
            server: self.server - earlier.server,
            postgres: self.postgres - earlier.postgres,
            redis: self.redis - earlier.redis,
            sim: self.sim - earlier.sim,
            harness: self.harness - earlier.harness,
        }
    }
}

impl Processes {
    /// Reads the CPU seconds each party has used so far.
    pub(crate) fn sample(self) -> CpuUse {
        // The postmaster, its live backends, and (in its cutime/cstime) those that ended.
        let postgres = self.postgres.map_or(0.0, |pid| {
            let children = children_of(pid);
            process_seconds(pid)
                + reaped_children_seconds(pid)
                + children.into_iter().map(process_seconds).sum::<f64>()
        });
        let sim = thread_seconds(|name| name == SIM_THREAD);
        let own = process_seconds(std::process::id());
        CpuUse {
            server: process_seconds(self.server),
            postgres,
            redis: self.redis.map_or(0.0, process_seconds),
            sim,
            harness: own - sim,
        }
    }
}

/// User plus system time of `pid` (all its threads), in seconds; 0 when it is gone.
fn process_seconds(pid: u32) -> f64 {
    fs::read_to_string(format!("/proc/{pid}/stat")).ok().as_deref().map_or(0.0, stat_seconds)
}

/// cutime + cstime of `pid`: the CPU of its children that ended and were waited for.
fn reaped_children_seconds(pid: u32) -> f64 {
    fs::read_to_string(format!("/proc/{pid}/stat")).ok().as_deref().map_or(0.0, reaped_seconds)
}

/// cutime + cstime (fields 16 and 17 of proc(5)) in seconds.
fn reaped_seconds(stat: &str) -> f64 {
    pair_seconds(stat, 13)
}

/// The CPU seconds of this process's threads whose name `matches`.
fn thread_seconds(matches: impl Fn(&str) -> bool) -> f64 {
    let Ok(tasks) = fs::read_dir("/proc/self/task") else { return 0.0 };
    tasks
        .filter_map(|t| fs::read_to_string(t.ok()?.path().join("stat")).ok())
        .filter(|stat| comm(stat).is_some_and(&matches))
        .map(|stat| stat_seconds(&stat))
        .sum()
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| fields_after_comm(&stat).nth(1)?.parse::<u32>().ok())
                == Some(parent)
        })
        .collect()
}

/// The name between the parentheses of a `stat` line.
fn comm(stat: &str) -> Option<&str> {
    Some(&stat[stat.find('(')? + 1..stat.rfind(')')?])
}

/// The fields after `(comm)`: state, ppid, … (field 3 onwards of proc(5)).
fn fields_after_comm(stat: &str) -> impl Iterator<Item = &str> {
    stat.rfind(')').map_or("", |at| &stat[at + 1..]).split_whitespace()
}

/// utime + stime (fields 14 and 15 of proc(5)) in seconds.
fn stat_seconds(stat: &str) -> f64 {
    pair_seconds(stat, 11)
}

/// The sum, in seconds, of the two tick counts `skip` fields after `(comm)`.
fn pair_seconds(stat: &str, skip: usize) -> f64 {
    let ticks: u64 =
        fields_after_comm(stat).skip(skip).take(2).filter_map(|f| f.parse::<u64>().ok()).sum();
    ticks as f64 / TICKS_PER_SECOND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_time_after_a_name_with_spaces_and_parentheses() {
        let stat = "42 (a (b) c) S 7 42 42 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 1 0";
        assert_eq!(comm(stat), Some("a (b) c"));
        assert_eq!(fields_after_comm(stat).nth(1), Some("7"));
        assert!((stat_seconds(stat) - 3.8).abs() < 1e-9);
        let parent = "7 (postgres) S 1 7 7 0 -1 4194560 100 0 0 0 250 130 40 60 20 0 1 0";
        assert!((reaped_seconds(parent) - 1.0).abs() < 1e-9, "cutime + cstime");
    }

    #[test]
    fn this_process_uses_cpu() {
        let before = Processes { server: std::process::id(), ..Default::default() }.sample();
        let mut x = 0u64;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(80) {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        std::hint::black_box(x);
        let after = Processes { server: std::process::id(), ..Default::default() }.sample();
        assert!(after.since(before).server > 0.0, "{before:?} → {after:?}");
    }
}
