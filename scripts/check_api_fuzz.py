"""Fuzzes the HTTP API from its own OpenAPI document, against a live Tessera (the real binary, on
a temporary SQLite database) whose WeChat is the simulator (`tessera wechat-sim`). Run by
scripts/check-api-fuzz.

schemathesis generates valid and invalid requests for every operation of `/openapi.json`
(phases: examples, coverage, fuzzing), then chains operations along the document's links
(stateful), authenticated as a platform admin, with every check it has: no 5xx, every status
code, content type, header and body as documented, invalid requests refused and valid ones
accepted, nothing left reachable after a delete. Its settings are in scripts/api-fuzz.toml, the
fixtures it must not destroy and the failures that are not the server's fault in
scripts/api_fuzz_hooks.py.

Prints schemathesis's report and ends with "fuzz: N passed, N failed", counting API operations
(and the stateful phase as one): an operation passes when no check failed on any of its
requests. Environment: FUZZ_SEED (default in api-fuzz.toml), FUZZ_MAX_TIME (seconds, default
150), FUZZ_MAX_EXAMPLES (per operation and phase, default 25).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

from live_server import ROOT, tessera_with_simulator

SCHEMATHESIS = ROOT / ".cache" / "fuzz-venv" / "bin" / "schemathesis"
# The simulator's mini program, which the fixture pool's connection names.
APP_ID, APP_SECRET = "wxf022f0220f022f02", "fuzz0fuzz0fuzz0fuzz0fuzz0fuzz012"
# Limits far above what the run sends: refused logins are what fuzzing sends most, and a
# limiter answering 429 would keep the requests after it from reaching the handlers. Key
# rotations keep their default: each one generates a key (RSA on the blocking pool), and the
# 429 past it is documented and checked like any other answer.
LIMITS = {
    "TESSERA_LIMITS__LOGINS_PER_MINUTE": "1000000",
    "TESSERA_LIMITS__FAILED_EXCHANGES_PER_MINUTE": "1000000",
    "TESSERA_LIMITS__FAILED_ADMIN_LOGINS_PER_MINUTE": "1000000",
    "TESSERA_LIMITS__FAILED_LOGINS_PER_NETWORK_PER_MINUTE": "1000000",
    "TESSERA_LIMITS__FAILED_LOGINS_PER_MINUTE": "1000000",
}


def call(method: str, url: str, body: object | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read()
    return json.loads(text) if text else {}


def fixtures(base: str, password: str) -> dict[str, str]:
    """The admin token the run uses, and a pool with its secret and a connection to the
    simulator's mini program (see scripts/api_fuzz_hooks.py)."""
    token = call("POST", f"{base}/api/v1/auth/admin", {"username": "admin", "password": password})["accessToken"]
    admins = call("GET", f"{base}/api/v1/admins", token=token)["items"]
    pool = call("POST", f"{base}/api/v1/userpools", {"name": "fuzz fixture"}, token)
    connection = {"appId": APP_ID, "appSecret": APP_SECRET}
    call("PUT", f"{base}/api/v1/userpools/{pool['id']}/connections/app2wxapp", connection, token)
    return {
        "token": token,
        "FUZZ_ADMIN_ID": next(a["id"] for a in admins if a["username"] == "admin"),
        "FUZZ_POOL_ID": pool["id"],
        "FUZZ_POOL_SECRET": pool["secret"],
    }


def fuzz(base: str, sim_url: str, work: Path, password: str) -> tuple[int, int]:
    """Runs schemathesis; returns (operations passed, operations failed)."""
    fixture = fixtures(base, password)
    junit = work / "junit.xml"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(ROOT / "scripts" / "api-fuzz.toml"),
        "run",
        f"{base}/openapi.json",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--mode",
        "all",
        "--checks",
        "all",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "25"),
        "--max-time",
        os.environ.get("FUZZ_MAX_TIME", "150"),
        "--request-timeout",
        "10",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--no-color",
        "--output-truncate",
        "true",
    ]
    if os.environ.get("FUZZ_SEED"):
        command += ["--seed", os.environ["FUZZ_SEED"]]
    print(f"--- {' '.join(command)} -H 'Authorization: Bearer …'", flush=True)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "api_fuzz_hooks",
        "PYTHONPATH": str(ROOT / "scripts"),
        "FUZZ_APP_ID": APP_ID,
        "FUZZ_SIM_URL": sim_url,
        **{k: v for k, v in fixture.items() if k.startswith("FUZZ_")},
    }
    command += ["-H", f"Authorization: Bearer {fixture['token']}"]
    status = subprocess.run(command, cwd=work, env=env, check=False).returncode
    passed, failed = count(junit)
    if status != 0 and failed == 0:
        failed = 1  # schemathesis failed without a failing operation (an error of its own)
    return passed, failed


def count(junit: Path) -> tuple[int, int]:
    """Operations (JUnit test cases) without and with a failure or an error. An operation that
    was skipped (never tested) counts as failed: every operation is to be fuzzed."""
    if not junit.exists():
        return 0, 0
    passed = failed = 0
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        if any(case.find(outcome) is not None for outcome in ("failure", "error", "skipped")):
            failed += 1
            print(f"FAILED {case.get('name')}", flush=True)
        else:
            passed += 1
    return passed, failed


def main() -> int:
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="tessera-fuzz-") as tmp:
        work = Path(tmp)
        env = {**os.environ, **LIMITS}
        with tessera_with_simulator(work, env, apps=[f"{APP_ID}:{APP_SECRET}"]) as live:
            passed, failed = fuzz(live.base, live.sim_url, work, live.admin_password)
        if failed:
            errors = [line for line in live.server_log.read_text().splitlines() if " ERROR " in line or " WARN " in line]
            print("--- the server's warnings and errors (last 100)", *errors[-100:], sep="\n", flush=True)
    print(f"fuzz: {passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
