"""Integration checks of what tenants build on: the login mini program, the generated clients,
the API console and the admin console, against a live Tessera (the real binary, on a temporary SQLite database) whose
WeChat is the simulator (`tessera wechat-sim`); and the hosted login page's script, against a
fake of its endpoints. Run by scripts/check-integration.

Prints one line per check and ends with "integration: N passed, N failed".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from live_server import ROOT, tessera_with_simulator

VENV_BIN = ROOT / ".cache" / "clients-venv" / "bin"
ARTIFACTS = ROOT / ".test-artifacts"
TIMEOUT = 300

passed = 0
failed = 0


def record(name: str, ok: bool, output: str = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok     {name}", flush=True)
    else:
        failed += 1
        print(f"FAILED {name}\n{output}", flush=True)


def run(name: str, command: list[str], env: dict[str, str]) -> None:
    """One check: the command's exit status decides; its output is shown."""
    print(f"--- {name}: {' '.join(command)}", flush=True)
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, timeout=TIMEOUT, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        record(name, False, f"timed out after {TIMEOUT} s")
        return
    output = (done.stdout + done.stderr).strip()
    if done.returncode == 0:
        print(output, flush=True)
    record(name, done.returncode == 0, output)


def run_jest(name: str, args: list[str], env: dict[str, str]) -> None:
    """A jest run: each of its tests counts, read from jest's JSON report."""
    report = Path(tempfile.mkstemp(suffix=".json")[1])
    command = ["npx", "--no-install", "jest", "--ci", "--json", f"--outputFile={report}", *args]
    print(f"--- {name}: {' '.join(command)}", flush=True)
    try:
        done = subprocess.run(
            command, cwd=ROOT / "miniprogram", env=env, timeout=TIMEOUT, capture_output=True, text=True
        )
        print(done.stderr.strip(), flush=True)
        results = json.loads(report.read_text() or "{}")
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as err:
        record(name, False, str(err))
        return
    finally:
        report.unlink(missing_ok=True)
    global passed, failed
    passed += int(results.get("numPassedTests", 0))
    failed += int(results.get("numFailedTests", 0))
    if done.returncode != 0 and not results.get("numFailedTests"):
        record(name, False, done.stdout + done.stderr)  # e.g. a test file that does not load
    if not results.get("numTotalTests"):
        record(name, False, "jest ran no test")


def main() -> int:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="tessera-integration-") as tmp:
        with tessera_with_simulator(Path(tmp), env) as live:
            checks(env, live.base, live.sim_url, live.admin_password)
        if failed:
            print(f"--- server log\n{live.server_log.read_text()[-20000:]}", flush=True)
    print(f"integration: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def checks(env: dict[str, str], base: str, sim_url: str, password: str) -> None:
    live = {**env, "TESSERA_URL": base, "WECHAT_SIM_URL": sim_url, "TESSERA_ADMIN_PASSWORD": password}
    python = {**live, "PYTHONPATH": str(ROOT / "clients" / "python" / "tessera-client")}
    python["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"

    run_jest("mini program: unit tests", [], env)
    run_jest("mini program: against the live server", ["--config", "jest.live.config.js"], live)
    run("clients: generated from the committed document", ["scripts/generate-clients", "--check"], env)
    run("typescript client: type check", ["npx", "--no-install", "tsc", "--noEmit", "-p", "clients/typescript"], env)
    run(
        "typescript client: scenario",
        ["npx", "--no-install", "tsx", "clients/typescript/scenario/scenario.ts"],
        live,
    )
    run(
        "python client: type check",
        ["mypy", "--strict", "clients/python/scenario.py", "clients/python/tessera-client/tessera_client"],
        {**python, "MYPYPATH": python["PYTHONPATH"]},
    )
    run("python client: scenario", ["python", "clients/python/scenario.py"], python)
    run("openid provider: authlib relying party", ["python", "scripts/check_oidc_authlib.py"], python)
    run("console: browser test", ["node", "e2e/console.test.mjs"], {**live, "ARTIFACTS": str(ARTIFACTS)})
    run(
        "admin console: every screen in Chromium",
        ["node", "e2e/admin-console.test.mjs"],
        {**live, "ARTIFACTS": str(ARTIFACTS)},
    )
    run(
        "hosted login page: its script against a fake of its endpoints",
        ["node", "e2e/hosted-login.test.mjs"],
        {**env, "ARTIFACTS": str(ARTIFACTS)},
    )
    run(
        "openid-client: every flow of the pool's OpenID Provider, the hosted page in Chromium",
        ["node", "e2e/oidc-rp.test.mjs"],
        {**live, "ARTIFACTS": str(ARTIFACTS)},
    )
    run(
        "wechat web login modes: website QR, official account and WeCom in Chromium, sign-up policy, unionid",
        ["node", "e2e/wechat-modes.test.mjs"],
        {**live, "ARTIFACTS": str(ARTIFACTS)},
    )
    run(
        "authing-js-sdk: the hosted original's SDK drives the QR login API, startScanning in Chromium",
        ["node", "e2e/authing-sdk.test.mjs"],
        {**live, "ARTIFACTS": str(ARTIFACTS)},
    )


if __name__ == "__main__":
    sys.exit(main())
