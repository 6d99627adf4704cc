//! Running the servers' programs: finding them, spawning them under a lifeline, waiting until
//! they answer, running one-off commands, users, private folders and free ports.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Mutex, OnceLock,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

/// A server started once per test process, on first use, and shared by every test in it.
///
/// A failed start is remembered too (as text, so every test reports the same cause without
/// starting again).
pub(crate) struct Shared<T>(OnceLock<Result<T, String>>);

impl<T> Shared<T> {
    /// Not started yet.
    pub(crate) const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// The server, started by `start` on the first call.
    pub(crate) fn get_or_start(
        &'static self,
        start: impl FnOnce() -> Result<T>,
    ) -> Result<&'static T> {
        self.0
            .get_or_init(|| start().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// A name no other test of any process uses (a database name, a key prefix).
pub(crate) fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("t_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Keeps each server's lifeline pipe open for the life of the process.
fn lifelines() -> &'static Mutex<Vec<Child>> {
    static CHILDREN: OnceLock<Mutex<Vec<Child>>> = OnceLock::new();
    CHILDREN.get_or_init(|| Mutex::new(Vec::new()))
}

/// Runs `command` under a shell that stops it and removes `dir` once this process's end of the
/// pipe on its standard input closes (when the test process exits, however it exits).
pub(crate) fn spawn_with_lifeline(user: Option<&str>, command: &str, dir: &Path) -> Result<()> {
    let script = format!(
        "{command} >{log} 2>&1 & pid=$!; read _ignored; kill $pid; wait $pid; rm -rf {dir}",
        log = dir.join("server.log").display(),
        dir = dir.display()
    );
    let mut shell = match user {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--", "sh", "-c", &script]);
            c
        }
        None => {
            let mut c = Command::new("sh");
            c.args(["-c", &script]);
            c
        }
    };
    let child = shell.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    lifelines().lock().map_err(|_| anyhow::anyhow!("lifeline lock poisoned"))?.push(child);
    Ok(())
}

/// Polls `ready` every 200 ms for up to 60 s.
pub(crate) fn wait_until(what: &str, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("{what} did not start within 60 s")
}

/// Runs `command` to completion; its output becomes the error when it fails.
pub(crate) fn run(command: &mut Command) -> Result<()> {
    let output = command.output().with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Whether `command` runs and succeeds (a readiness probe).
pub(crate) fn succeeds(command: &mut Command) -> bool {
    command.output().is_ok_and(|o| o.status.success())
}

/// Whether `command` runs and its standard output satisfies `check` (a readiness probe).
pub(crate) fn prints(command: &mut Command, check: impl FnOnce(&str) -> bool) -> bool {
    command.output().is_ok_and(|o| check(String::from_utf8_lossy(&o.stdout).trim()))
}

/// Sends `signal` (`-STOP`, `-CONT`, `-TERM`) to the process `pid`.
pub(crate) fn signal(signal: &str, pid: &str) -> Result<()> {
    run(Command::new("kill").arg(signal).arg(pid))
}

/// `program`, run as `user` when this process is root (servers refuse to run as root).
pub(crate) fn as_user(as_root: bool, user: &str, program: &Path) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", user, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// A new folder that outlives its handle (the lifeline shell removes it).
pub(crate) fn private_dir() -> Result<PathBuf> {
    let dir = tempfile::Builder::new().prefix("tessera-test-").tempdir()?.keep();
    // The server may run as another user (postgres): let it in.
    run(Command::new("chmod").arg("755").arg(&dir))?;
    Ok(dir)
}

/// A TCP port nobody listens on right now.
pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub(crate) fn is_root() -> bool {
    prints(Command::new("id").arg("-u"), |uid| uid == "0")
}

pub(crate) fn whoami() -> String {
    Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// `program` on `PATH` (or in `/usr/sbin`, `/usr/bin`).
pub(crate) fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .chain(["/usr/sbin", "/usr/bin"])
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}
