//! Private Redis Sentinel groups: a master, replicas (except in the plain group) and one
//! sentinel watching the master as `tessera`. Three groups are shared by every test of the
//! process: plain, with a password (which the sentinel requires too), and TLS-only with a
//! password. A [`SentinelGroup`] of one test's own may lose its master to a failover.

use std::{path::PathBuf, process::Command};

use anyhow::{Context, Result, bail};

use crate::{
    process::{
        Shared, free_port, prints, private_dir, spawn_with_lifeline, unique_name, wait_until,
    },
    redis::{Access, TestRedis, serve_redis, stop_server},
    tls::TestTls,
};

/// The process's private plain Sentinel group (a master and a sentinel), as a
/// `redis+sentinel://` URL, with a fresh key prefix.
pub fn redis_sentinel() -> Result<TestRedis> {
    static GROUP: Shared<TestRedis> = Shared::new();
    let setup = Setup { tls: false, password: false, sentinel: Lock::SameAsData, replicas: 0 };
    Ok(GROUP.get_or_start(|| Ok(SentinelGroup::with(setup)?.redis))?.with_fresh_prefix())
}

/// The process's private Sentinel group whose master and replica require a password, and whose
/// sentinel requires the same one: `redis+sentinel://:password@…/tessera`, fresh key prefix.
pub fn redis_sentinel_auth() -> Result<TestRedis> {
    static GROUP: Shared<TestRedis> = Shared::new();
    let setup = Setup { tls: false, password: true, sentinel: Lock::SameAsData, replicas: 1 };
    Ok(GROUP.get_or_start(|| Ok(SentinelGroup::with(setup)?.redis))?.with_fresh_prefix())
}

/// The process's private TLS-only Sentinel group (master, replica and sentinel require TLS with
/// a client certificate and the same password): `rediss+sentinel://:password@…/tessera` with
/// the files a client needs, and a fresh key prefix.
pub fn redis_sentinel_tls() -> Result<TestRedis> {
    static GROUP: Shared<TestRedis> = Shared::new();
    let setup = Setup { tls: true, password: true, sentinel: Lock::SameAsData, replicas: 1 };
    Ok(GROUP.get_or_start(|| Ok(SentinelGroup::with(setup)?.redis))?.with_fresh_prefix())
}

/// What a group is made of.
#[derive(Debug, Clone, Copy)]
struct Setup {
    /// TLS only, everywhere.
    tls: bool,
    /// The master and the replicas require a password.
    password: bool,
    /// What the sentinel requires.
    sentinel: Lock,
    /// Replicas besides the master.
    replicas: usize,
}

/// What a sentinel requires of its clients.
#[derive(Debug, Clone, Copy)]
enum Lock {
    /// The password of the master and the replicas (none if they have none).
    SameAsData,
    /// A password of its own.
    Own,
    /// No password.
    Open,
}

/// A Sentinel group of one test's own: a master and a replica requiring a password, and a
/// sentinel (requiring another password, or none) watching them as `tessera`. The test may stop the master or force
/// a failover; the sentinel promotes the replica within seconds.
pub struct SentinelGroup {
    /// `redis+sentinel://:password@127.0.0.1:PORT/tessera` (or `rediss+sentinel://`), the
    /// sentinel's own password and, for TLS, the files a client needs.
    pub redis: TestRedis,
    /// The folders of the master and the replicas, by port.
    nodes: Vec<(u16, PathBuf)>,
    /// How the master and the replicas are reached.
    access: Access,
    sentinel_port: u16,
    /// How the sentinel is reached.
    sentinel_access: Access,
}

impl SentinelGroup {
    /// Starts a group (TLS-only if `tls`) whose sentinel has a password of its own if
    /// `sentinel_password`, and none otherwise. [`TestRedis::sentinel_password`] says which
    /// (empty for none).
    pub fn start(tls: bool, sentinel_password: bool) -> Result<Self> {
        let sentinel = if sentinel_password { Lock::Own } else { Lock::Open };
        Self::with(Setup { tls, password: true, sentinel, replicas: 1 })
    }

    fn with(setup: Setup) -> Result<Self> {
        let dir = private_dir()?;
        let tls = if setup.tls { Some(TestTls::make(&dir)?) } else { None };
        let password = setup.password.then(|| format!("redis-pass-{}", unique_name()));
        let access = Access { tls: tls.clone(), password: password.clone() };

        let master = free_port()?;
        serve_redis(&dir, master, "", &access)?;
        let mut nodes = vec![(master, dir)];
        for _ in 0..setup.replicas {
            let dir = private_dir()?;
            let port = free_port()?;
            serve_redis(&dir, port, &format!("--replicaof 127.0.0.1 {master}"), &access)?;
            let mut info = access.cli(port)?;
            info.args(["info", "replication"]);
            wait_until("the Redis replica", || {
                prints(&mut info, |out| out.contains("master_link_status:up"))
            })?;
            nodes.push((port, dir));
        }

        // What the client is told about the sentinel's password (nothing: the same as the URL's).
        let (own_password, sentinel_password) = match setup.sentinel {
            Lock::SameAsData => (None, password.clone()),
            Lock::Own => {
                let own = format!("sentinel-pass-{}", unique_name());
                (Some(own.clone()), Some(own))
            }
            Lock::Open => (Some(String::new()), None),
        };
        let sentinel_access = Access { tls: tls.clone(), password: sentinel_password };
        let sentinel_port = free_port()?;
        start_sentinel(sentinel_port, master, password.as_deref(), &sentinel_access)?;

        let scheme = if setup.tls { "rediss" } else { "redis" };
        let auth = password.as_ref().map(|p| format!(":{p}@")).unwrap_or_default();
        let url = format!("{scheme}+sentinel://{auth}127.0.0.1:{sentinel_port}/tessera");
        let redis = TestRedis { sentinel_password: own_password, ..TestRedis::at(url, tls) };
        let group = Self { redis, nodes, access, sentinel_port, sentinel_access };
        group.wait_for_sentinel(master)?;
        Ok(group)
    }

    /// `redis-cli` asking the sentinel `args`.
    fn ask(&self, args: &[&str]) -> Result<Command> {
        let mut command = self.sentinel_access.cli(self.sentinel_port)?;
        command.args(args);
        Ok(command)
    }

    /// Waits until the sentinel names `master` and sees each replica in good health.
    fn wait_for_sentinel(&self, master: u16) -> Result<()> {
        let mut ask = self.ask(&["sentinel", "get-master-addr-by-name", "tessera"])?;
        wait_until("Redis Sentinel", || prints(&mut ask, |out| out.contains(&master.to_string())))?;
        for &(port, _) in self.nodes.iter().filter(|(port, _)| *port != master) {
            let mut replicas = self.ask(&["sentinel", "replicas", "tessera"])?;
            let name = format!("127.0.0.1:{port}");
            wait_until("Redis Sentinel to see a replica", || {
                prints(&mut replicas, |out| {
                    out.contains(&name) && out.contains("master-link-status\nok")
                })
            })?;
        }
        Ok(())
    }

    /// The port of the master the sentinel names now.
    pub fn master_port(&self) -> Result<u16> {
        let output = self.ask(&["sentinel", "get-master-addr-by-name", "tessera"])?.output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        text.lines().nth(1).and_then(|port| port.trim().parse().ok()).with_context(|| {
            format!(
                "the sentinel named no master: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }

    /// Stops (SIGTERM) the current master; returns its port.
    pub fn stop_master(&self) -> Result<u16> {
        let master = self.master_port()?;
        let Some((_, dir)) = self.nodes.iter().find(|(port, _)| *port == master) else {
            bail!("the sentinel names {master}, which is not in this group");
        };
        stop_server(dir, master)?;
        Ok(master)
    }

    /// Asks the sentinel to fail over now (`SENTINEL FAILOVER`), the master still running.
    pub fn force_failover(&self) -> Result<()> {
        let output = self.ask(&["sentinel", "failover", "tessera"])?.output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        if text.trim() != "OK" {
            bail!("SENTINEL FAILOVER answered {text}");
        }
        Ok(())
    }

    /// Waits until the server on `port` (a master before the failover) is a replica.
    pub fn wait_for_replica(&self, port: u16) -> Result<()> {
        let mut role = self.access.cli(port)?;
        role.arg("role");
        wait_until("the old master to become a replica", || {
            prints(&mut role, |out| out.starts_with("slave"))
        })
    }

    /// Waits until the sentinel names a master other than `old`; returns its port.
    pub fn wait_for_master_other_than(&self, old: u16) -> Result<u16> {
        let mut ask = self.ask(&["sentinel", "get-master-addr-by-name", "tessera"])?;
        let old = old.to_string();
        wait_until("the failover", || {
            prints(&mut ask, |out| out.lines().nth(1).is_some_and(|port| port.trim() != old))
        })?;
        self.master_port()
    }
}

/// Runs a sentinel on `port` watching the master on `master` (which requires `password`), itself
/// reached as `access` says.
fn start_sentinel(port: u16, master: u16, password: Option<&str>, access: &Access) -> Result<()> {
    let sentinel = crate::process::which("redis-sentinel")
        .or_else(|| crate::process::which("redis-server"))
        .context("redis-sentinel not found: apt-get install redis-sentinel")?;
    let dir = private_dir()?;
    let mut conf = format!("bind 127.0.0.1\ndir {}\n", dir.display());
    conf.push_str(&match &access.tls {
        Some(tls) => tls.config_lines(port),
        None => format!("port {port}\n"),
    });
    conf.push_str(&format!(
        "sentinel monitor tessera 127.0.0.1 {master} 1\n\
         sentinel down-after-milliseconds tessera 1000\n\
         sentinel failover-timeout tessera 5000\n"
    ));
    if let Some(password) = password {
        conf.push_str(&format!("sentinel auth-pass tessera {password}\n"));
    }
    if let Some(own) = &access.password {
        conf.push_str(&format!("requirepass {own}\n"));
    }
    let path = dir.join("sentinel.conf");
    std::fs::write(&path, conf)?;
    let serve = format!("{} {} --sentinel", sentinel.display(), path.display());
    spawn_with_lifeline(None, &serve, &dir)
}
