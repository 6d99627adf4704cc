"""What the scripts that check a live Tessera share: where the debug binary is, a free port,
waiting until a process started from it answers, and the server on a temporary SQLite database
with the WeChat simulator as its WeChat."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
BINARY = TARGET / "debug" / "tessera"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as answer:
            if answer.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


@dataclass
class LiveTessera:
    """A running server and its simulator: their URLs, the bootstrap admin's password, the server's log."""

    base: str
    sim_url: str
    admin_password: str
    server_log: Path


@contextmanager
def tessera_with_simulator(
    work: Path, env: Mapping[str, str], apps: Sequence[str] = ()
) -> Iterator[LiveTessera]:
    """Starts `tessera wechat-sim` (knowing `apps`, each `APPID:APPSECRET`) and `tessera serve`
    (the debug binary) on free ports, the server on a SQLite database in `work` with every WeChat
    base URL pointed at the simulator and a random bootstrap admin password; yields once both
    answer, and stops both on leaving."""
    password = secrets.token_urlsafe(18)
    sim_port, port = free_port(), free_port()
    sim_url, base = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{port}"
    sim_log, server_log = work / "wechat-sim.log", work / "tessera.log"
    server_env = {
        **env,
        "TESSERA_HTTP__BIND": f"127.0.0.1:{port}",
        "TESSERA_HTTP__MANAGEMENT_BIND": "127.0.0.1:0",
        "TESSERA_HTTP__PUBLIC_URL": base,
        "TESSERA_DATABASE__URL": f"sqlite://{work / 'tessera.db'}?mode=rwc",
        "TESSERA_WECHAT__API_BASE_URL": sim_url,
        "TESSERA_WECHAT__OPEN_BASE_URL": sim_url,
        "TESSERA_WECHAT__WORK_BASE_URL": sim_url,
        "TESSERA_WECHAT__WORK_LOGIN_BASE_URL": sim_url,
        "TESSERA_ADMIN__BOOTSTRAP_PASSWORD": password,
    }
    with sim_log.open("wb") as sim_out, server_log.open("wb") as server_out:
        sim_command = [str(BINARY), "wechat-sim", "--bind", f"127.0.0.1:{sim_port}"]
        for app in apps:
            sim_command += ["--app", app]
        sim = subprocess.Popen(sim_command, stdout=sim_out, stderr=sim_out)
        server = subprocess.Popen([str(BINARY), "serve"], env=server_env, stdout=server_out, stderr=server_out)
        try:
            wait_for(f"{sim_url}/", sim, sim_log)  # any answer: it listens
            wait_for(f"{base}/health/ready", server, server_log)
            yield LiveTessera(base=base, sim_url=sim_url, admin_password=password, server_log=server_log)
        finally:
            for process in (server, sim):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
