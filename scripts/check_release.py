"""Checks the release artifacts as users get them: builds the TypeScript client's npm tarball, the
Python client's wheel and the Helm chart's package as scripts/release does
(scripts/release_artifacts.py), looks inside each, installs the npm package into an empty folder
and the wheel into a fresh virtualenv, and runs each client's example against a live Tessera
whose WeChat is the simulator (started as scripts/check_integration.py starts it, by
live_server.tessera_with_simulator). The container image is scripts/check-image's; its archive's
layout is checked here on a small image.
Run by scripts/check-release.

Prints "ok ..." or "FAIL ..." per check and ends with "release: N passed, M failed".
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from check_versions import workspace_version
from live_server import ROOT, LiveTessera, tessera_with_simulator
from oidc_live import Live

DEPLOY_PYTHON = ROOT / ".cache" / "deploy-venv" / "bin" / "python"
TSC = ROOT / "node_modules" / ".bin" / "tsc"
# How a consumer's TypeScript sees the package: Node's ESM resolution, through its `exports`.
TSC_FLAGS = ["--noEmit", "--allowJs", "--checkJs", "--strict", "--target", "es2022", "--lib", "es2022,dom"]
TSC_FLAGS += ["--module", "nodenext", "--moduleResolution", "nodenext"]
MYPY = Path(sys.executable).parent / "mypy"
TS_EXAMPLE = ROOT / "clients" / "typescript" / "examples" / "exchange-ticket.mjs"
PY_EXAMPLE = ROOT / "clients" / "python" / "examples" / "exchange_ticket.py"
TIMEOUT = 300
# The generator's own README, which the package's must not be.
GENERATOR_README = "SuperSecretToken"

passed = 0
failed = 0


def record(name: str, ok: bool, detail: str = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name}" + (f"\n{detail.rstrip()}" if detail else ""), flush=True)
    return ok


def check(name: str, test: Callable[[], str | None]) -> bool:
    """A check whose test answers None when it holds, else what is wrong (or raises)."""
    try:
        problem = test()
    except Exception as err:  # noqa: BLE001 - any failure of the test is the check's failure
        problem = f"{type(err).__name__}: {err}"
    return record(name, problem is None, problem or "")


def clean_env() -> dict[str, str]:
    """The environment without what would make an install or an import come from elsewhere (this
    script's own virtualenv included)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NODE_PATH")}
    own = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != own)
    return env


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env or clean_env(), timeout=TIMEOUT, capture_output=True, text=True
    )


def succeeds(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str | None:
    done = run(command, cwd, env)
    return None if done.returncode == 0 else f"exit {done.returncode}:\n{done.stdout}{done.stderr}"


def build(kind: str, out: Path, python: Path | str = sys.executable) -> Path | None:
    """One artifact built by release_artifacts.py, or None (the failure recorded)."""
    done = run([python, ROOT / "scripts" / "release_artifacts.py", kind, out], ROOT, dict(os.environ))
    if done.returncode != 0:
        record(f"{kind}: builds", False, done.stdout + done.stderr)
        return None
    record(f"{kind}: builds", True)
    return Path(done.stdout.strip())


@dataclass
class Login:
    """A pool with a secret, and a ticket of its mini program's login for one WeChat user."""

    pool_id: str
    secret: str
    ticket: str
    openid: str
    code_verifier: str | None = None


async def logins(live: LiveTessera, count: int) -> list[Login]:
    """A pool connected to a mini program (registered with the simulator) and `count` logins of
    different users, the odd ones bound to a code challenge, through the server's own endpoints."""
    admin = Live(live.base, live.sim_url, live.admin_password)
    try:
        await admin.sign_in_admin()
        pool = await admin.create_pool("release check")
        rotated = await admin.admin("POST", f"/api/v1/userpools/{pool.id}/secret/rotate")
        rotated.raise_for_status()
        secret = str(rotated.json()["secret"])
        made = []
        for n in range(count):
            openid = f"o{secrets.token_hex(12)}"
            verifier = secrets.token_urlsafe(32) if n % 2 else None
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if verifier
                else None
            )
            ticket = await admin.app2wxapp_ticket(pool, openid, challenge)
            made.append(Login(pool.id, secret, ticket, openid, verifier))
        return made
    finally:
        await admin.close()


def example_env(live: LiveTessera, login: Login) -> dict[str, str]:
    return {
        **clean_env(),
        "TESSERA_URL": live.base,
        "TESSERA_POOL_ID": login.pool_id,
        "TESSERA_POOL_SECRET": login.secret,
    }


def exchanges(command: list[str | Path], cwd: Path, live: LiveTessera, login: Login) -> str | None:
    """The example exchanges the ticket and prints the user the login named, as the admin API
    reads it back."""
    args = [login.ticket, *([login.code_verifier] if login.code_verifier else [])]
    done = run([*command, *args], cwd, example_env(live, login))
    if done.returncode != 0:
        return f"exit {done.returncode}:\n{done.stdout}{done.stderr}"
    user = json.loads(done.stdout.strip().splitlines()[-1])
    if user.get("openid") != login.openid or not user.get("id"):
        return f"expected the user of openid {login.openid}, got {user}"
    if user.get("loginsCount") != 1 or user.get("blocked") is not False:
        return f"expected the admin API's view of a new, unblocked user, got {user}"
    return None


def refuses_reuse(command: list[str | Path], cwd: Path, live: LiveTessera, login: Login) -> str | None:
    """The same ticket again: the example reports 400 ticket_invalid and exits 1."""
    args = [login.ticket, *([login.code_verifier] if login.code_verifier else [])]
    done = run([*command, *args], cwd, example_env(live, login))
    if done.returncode != 1 or not done.stderr.startswith("400 ticket_invalid:") or done.stdout:
        return f"expected exit 1 and '400 ticket_invalid: …', got exit {done.returncode}:\n{done.stdout}{done.stderr}"
    return None


def example_checks(
    label: str, installed: tuple[Path, list[str | Path]] | None, live: LiveTessera, login: Login
) -> None:
    """The installed package's example against the live server: an exchange, then the same again."""
    if installed is None:
        record(f"{label}: the example against the live server", False, "not installed (above)")
        return
    cwd, command = installed
    pkce = " (with its code verifier)" if login.code_verifier else ""
    check(
        f"{label}: the example exchanges a ticket{pkce} and reads the user back through the admin API",
        lambda: exchanges(command, cwd, live, login),
    )
    check(
        f"{label}: the example reports the reused ticket as 400 ticket_invalid, exit 1",
        lambda: refuses_reuse(command, cwd, live, login),
    )


def npm_checks(out: Path, work: Path, version: str) -> tuple[Path, list[str | Path]] | None:
    """The npm tarball: built, its contents, installed into an empty folder, imported, typed.
    Answers the folder and the command that runs the example there."""
    tarball = build("npm", out)
    if tarball is None:
        return None
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        manifest = archive.extractfile("package/package.json")
        package = json.loads(manifest.read()) if manifest else {}
        readme_member = archive.extractfile("package/README.md") if "package/README.md" in names else None
        readme = readme_member.read().decode() if readme_member else ""

    def contents() -> str | None:
        wanted = {f"package/{n}" for n in ("package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts")}
        missing = wanted - names
        sources = {n for n in names if n.endswith(".ts") and not n.endswith(".d.ts")} | {
            n for n in names if n.startswith(("package/src/", "package/scenario/", "package/examples/"))
        }
        if missing or sources:
            return f"missing {sorted(missing)}, unwanted {sorted(sources)}"
        if "## Handle errors" not in readme or "unwrap" not in readme:
            return "README.md is not the package's"
        return None

    def manifest_fields() -> str | None:
        exports = package.get("exports", {}).get(".", {})
        problems = [
            "private" if package.get("private") else "",
            f"version {package.get('version')} != {version}" if package.get("version") != version else "",
            f"type {package.get('type')}" if package.get("type") != "module" else "",
        ]
        for field, target in (
            ("main", package.get("main")),
            ("types", package.get("types")),
            ("exports.import", exports.get("import")),
            ("exports.types", exports.get("types")),
        ):
            if not isinstance(target, str) or f"package/{target.removeprefix('./')}" not in names:
                problems.append(f"{field} {target!r} is not in the tarball")
        return "; ".join(p for p in problems if p) or None

    check("npm: the tarball holds dist/ (JavaScript and declarations), README.md, LICENSE, no sources", contents)
    check(f"npm: package.json is public, of version {version}, its entry points in the tarball", manifest_fields)

    consumer = work / "npm-consumer"
    consumer.mkdir()
    installed = check(
        "npm: npm install <tarball> in an empty folder",
        lambda: succeeds(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", tarball], consumer),
    )
    if not installed:
        return None
    probe = (
        "import * as tessera from '@tessera/client';"
        "const names = ['createTesseraClient', 'unwrap', 'bearer', 'TesseraError'];"
        "const missing = names.filter((n) => typeof tessera[n] !== 'function');"
        "if (missing.length) { console.error('missing', missing); process.exit(1) }"
        "const client = tessera.createTesseraClient({ baseUrl: 'http://127.0.0.1:1/' });"
        "if (typeof client.POST !== 'function') process.exit(1)"
    )
    check(
        "npm: a plain Node.js ESM script imports it from node_modules",
        lambda: succeeds(["node", "--input-type=module", "-e", probe], consumer),
    )
    example = consumer / TS_EXAMPLE.name
    example.write_text(TS_EXAMPLE.read_text())
    check(
        "npm: its declarations type-check the example (tsc --checkJs, NodeNext resolution)",
        lambda: succeeds(
            [TSC, *TSC_FLAGS, "--typeRoots", ROOT / "node_modules" / "@types", "--types", "node", example.name],
            consumer,
        ),
    )
    return consumer, ["node", example.name]


def wheel_checks(out: Path, work: Path, version: str) -> tuple[Path, list[str | Path]] | None:
    """The wheel: built, its contents and metadata, installed into a fresh virtualenv, imported
    from there, typed. Answers the folder and the command that runs the example there."""
    wheel = build("wheel", out)
    if wheel is None:
        return None
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next((archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA")), "")

    def contents() -> str | None:
        wanted = {"tessera_client/__init__.py", "tessera_client/py.typed", "tessera_client/client.py"}
        missing = wanted - names
        if missing:
            return f"missing {sorted(missing)}"
        if not any(re.search(r"\.dist-info/(licenses/)?LICENSE$", n) for n in names):
            return "no LICENSE in the dist-info"
        return None

    def metadata_fields() -> str | None:
        headers, _, description = metadata.partition("\n\n")
        problems = []
        if not re.search(rf"^Version: {re.escape(version)}$", headers, re.MULTILINE):
            problems.append(f"not version {version}")
        if not re.search(r"^License(-Expression)?: Apache-2.0$", headers, re.MULTILINE):
            problems.append("no Apache-2.0 license")
        if GENERATOR_README in description or "## Handle errors" not in description:
            problems.append("the description is not the package's README")
        return "; ".join(problems) or None

    check("wheel: holds tessera_client, py.typed and the LICENSE", contents)
    check(f"wheel: its metadata has version {version}, Apache-2.0 and the package's README", metadata_fields)

    venv = work / "venv"
    python = venv / "bin" / "python"
    installed = check(
        "wheel: pip install <wheel> into a fresh virtualenv",
        lambda: (
            succeeds([sys.executable, "-m", "venv", venv], work)
            or succeeds([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel], work)
        ),
    )
    if not installed:
        return None
    consumer = work / "python-consumer"
    consumer.mkdir()

    def imported_from_venv() -> str | None:
        done = run([python, "-c", "import tessera_client; print(tessera_client.__file__)"], consumer)
        where = Path(done.stdout.strip() or "?").resolve()
        if done.returncode != 0 or not where.is_relative_to(venv.resolve()):
            return f"imported from {where}: {done.stderr}"
        return None

    check("wheel: tessera_client is imported from the virtualenv", imported_from_venv)
    example = consumer / PY_EXAMPLE.name
    example.write_text(PY_EXAMPLE.read_text())
    check(
        "wheel: its types check the example (mypy --strict against the installed package)",
        lambda: succeeds([MYPY, "--strict", "--no-incremental", "--python-executable", python, example.name], consumer),
    )
    return consumer, [python, example.name]


def chart_checks(out: Path, version: str) -> None:
    """The chart: packaged by Helm in its layout, of the workspace version."""
    archive_path = build("chart", out, DEPLOY_PYTHON)
    if archive_path is None:
        return

    def layout() -> str | None:
        if archive_path.name != f"tessera-{version}.tgz":
            return f"named {archive_path.name}"
        with tarfile.open(archive_path) as archive:
            names = set(archive.getnames())
            member = archive.extractfile("tessera/Chart.yaml")
            chart = member.read().decode() if member else ""
        wanted = {"tessera/Chart.yaml", "tessera/values.yaml", "tessera/values.schema.json"}
        if wanted - names or not any(n.startswith("tessera/templates/") for n in names):
            return f"missing {sorted(wanted - names)} or templates in {sorted(names)}"
        if any(not n.startswith("tessera/") for n in names):
            return "files outside tessera/"
        for key in ("version", "appVersion"):
            found = re.search(rf"^{key}: *[\"']?([^\"'\s]+)", chart, re.MULTILINE)
            if not found or found.group(1) != version:
                return f"Chart.yaml {key} is {found.group(1) if found else None}, not {version}"
        return None

    check(f"chart: tessera-{version}.tgz in Helm's layout, version and appVersion {version}", layout)


def image_archive_checks(work: Path) -> None:
    """The image's archive, from a small image in podman's `docker-dir` form (the image itself is
    scripts/check-image's): an OCI layout whose index, manifest and blobs agree, the configuration
    unchanged (its HEALTHCHECK kept), each layer the same tar gzip-compressed, and docker load's
    manifest.json; a saved blob that does not match its digest is refused."""
    saved = work / "docker-dir"
    saved.mkdir()
    layer_file = io.BytesIO()
    with tarfile.open(fileobj=layer_file, mode="w") as layer_tar:
        info = tarfile.TarInfo("usr/local/bin/tessera")
        info.size = 5
        layer_tar.addfile(info, io.BytesIO(b"hello"))
    layer = layer_file.getvalue()
    layer_digest = hashlib.sha256(layer).hexdigest()
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Healthcheck": {"Test": ["CMD", "/usr/local/bin/tessera", "healthcheck"]}},
            "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer_digest}"]},
        },
        indent=1,  # a spelling of its own: a configuration written again would differ
    ).encode()
    config_digest = hashlib.sha256(config).hexdigest()
    (saved / config_digest).write_bytes(config)
    (saved / layer_digest).write_bytes(layer)
    (saved / "manifest.json").write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {
                    "mediaType": "application/vnd.docker.container.image.v1+json",
                    "size": len(config),
                    "digest": f"sha256:{config_digest}",
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.docker.image.rootfs.diff.tar",
                        "size": len(layer),
                        "digest": f"sha256:{layer_digest}",
                    }
                ],
            }
        )
    )
    archive = work / "image.oci.tar"
    script = ROOT / "scripts" / "release_artifacts.py"

    def layout() -> str | None:
        problem = succeeds([sys.executable, script, "image", saved, "localhost/tessera:9.9.9", archive], ROOT)
        if problem:
            return problem
        with tarfile.open(archive) as tar:
            files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]

        def blob(descriptor: dict[str, Any]) -> bytes:
            data = files[f"blobs/{descriptor['digest'].replace(':', '/')}"]
            if f"sha256:{hashlib.sha256(data).hexdigest()}" != descriptor["digest"] or len(data) != descriptor["size"]:
                raise ValueError(f"blob {descriptor['digest']} does not match its descriptor")
            return data

        if json.loads(files["oci-layout"]) != {"imageLayoutVersion": "1.0.0"}:
            return "no oci-layout"
        (entry,) = json.loads(files["index.json"])["manifests"]
        if entry["annotations"].get("org.opencontainers.image.ref.name") != "9.9.9":
            return f"the index names {entry.get('annotations')}"
        manifest = json.loads(blob(entry))
        if blob(manifest["config"]) != config:
            return "the configuration changed"
        (packed,) = manifest["layers"]
        if gzip.decompress(blob(packed)) != layer or not packed["mediaType"].endswith(".tar.gzip"):
            return "the layer is not the same tar, gzip-compressed"
        (legacy,) = json.loads(files["manifest.json"])
        if legacy["RepoTags"] != ["localhost/tessera:9.9.9"] or not all(
            name in files for name in [legacy["Config"], *legacy["Layers"]]
        ):
            return f"manifest.json: {legacy}"
        return None

    def refuses_corrupt_blob() -> str | None:
        (saved / layer_digest).write_bytes(layer + b"x")
        done = run([sys.executable, script, "image", saved, "localhost/tessera:9.9.9", work / "bad.tar"], ROOT)
        return None if done.returncode != 0 else "a blob that does not match its digest was archived"

    check("image archive: an OCI layout of the Docker manifest, configuration unchanged, layers gzipped", layout)
    check("image archive: a saved blob that does not match its digest is refused", refuses_corrupt_blob)


def main() -> int:
    version = workspace_version()
    with tempfile.TemporaryDirectory(prefix="tessera-release-") as tmp:
        work = Path(tmp)
        out = work / "artifacts"
        npm = npm_checks(out, work, version)
        wheel = wheel_checks(out, work, version)
        chart_checks(out, version)
        image_archive_checks(work)
        server = work / "server"
        server.mkdir()
        with tessera_with_simulator(server, dict(os.environ)) as live:
            ts_login, py_login = asyncio.run(logins(live, 2))
            example_checks("npm", npm, live, ts_login)
            example_checks("wheel", wheel, live, py_login)
        if failed:
            print(f"--- server log\n{live.server_log.read_text()[-20000:]}", flush=True)
    print(f"release: {passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
