"""One version, in one place: the workspace's (`[workspace.package] version` in Cargo.toml, which
the binary reports and the server writes into the OpenAPI document). Checks that everything
published beside the binary carries the same one: the Helm chart (`version` and `appVersion`),
the TypeScript client (package.json and its entry in package-lock.json), the Python client
(generated with that version by scripts/generate-clients), the OpenAPI document and Cargo.lock.

Prints "ok ..." or "FAIL ..." per place and ends with "versions: N passed, M failed"; exits
non-zero on any mismatch. `--workspace-version` prints the workspace version alone (what
scripts/generate-clients and scripts/release read); `--write-typescript` writes it into the
TypeScript client's package.json and its package-lock.json entry (scripts/generate-clients does,
so a regeneration after a bump carries the new version). Plain Python 3.11, no packages.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARGO_TOML = ROOT / "Cargo.toml"
CARGO_LOCK = ROOT / "Cargo.lock"
CHART = ROOT / "helm" / "tessera" / "Chart.yaml"
TS_PACKAGE = ROOT / "clients" / "typescript" / "package.json"
NPM_LOCK = ROOT / "package-lock.json"
PY_PROJECT = ROOT / "clients" / "python" / "tessera-client" / "pyproject.toml"
OPENAPI = ROOT / "openapi" / "openapi.yaml"


def workspace_version() -> str:
    """`[workspace.package] version` of Cargo.toml: the source of every other."""
    version = tomllib.loads(CARGO_TOML.read_text())["workspace"]["package"]["version"]
    if not isinstance(version, str) or not version:
        raise ValueError("Cargo.toml has no [workspace.package] version")
    return version


def yaml_top_level(path: Path, key: str) -> str:
    """A top-level scalar of a YAML file such as Chart.yaml (`key: value`, quoted or not)."""
    found = re.search(rf"^{re.escape(key)}:[ \t]*(.*?)[ \t]*(?:#.*)?$", path.read_text(), re.MULTILINE)
    if not found:
        raise ValueError(f"no top-level {key}")
    return found.group(1).strip("'\"")


def openapi_version() -> str:
    """`info.version` of the committed OpenAPI document."""
    found = re.search(r"^info:\n(?:[ \t]+.*\n)*?[ \t]+version:[ \t]*(\S+)", OPENAPI.read_text(), re.MULTILINE)
    if not found:
        raise ValueError("no info.version")
    return found.group(1).strip("'\"")


def typescript_version() -> str:
    return str(json.loads(TS_PACKAGE.read_text())["version"])


def npm_lock_version() -> str:
    return str(json.loads(NPM_LOCK.read_text())["packages"]["clients/typescript"]["version"])


def write_typescript_version(version: str) -> None:
    """Sets the TypeScript package's version in package.json and package-lock.json, formatted as
    npm writes them (two-space JSON and a final newline), each file only when it differs."""
    package = json.loads(TS_PACKAGE.read_text())
    if package["version"] != version:
        package["version"] = version
        TS_PACKAGE.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n")
    lock = json.loads(NPM_LOCK.read_text())
    if lock["packages"]["clients/typescript"]["version"] != version:
        lock["packages"]["clients/typescript"]["version"] = version
        NPM_LOCK.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n")


def python_version() -> str:
    return str(tomllib.loads(PY_PROJECT.read_text())["tool"]["poetry"]["version"])


def cargo_lock_version() -> str:
    """The `tessera` package's version in Cargo.lock (a bump not yet locked fails `--locked` builds)."""
    packages = tomllib.loads(CARGO_LOCK.read_text())["package"]
    versions = {str(p["version"]) for p in packages if p["name"] == "tessera"}
    if len(versions) != 1:
        raise ValueError(f"{len(versions)} tessera packages")
    return versions.pop()


def places() -> list[tuple[str, Callable[[], str]]]:
    return [
        ("helm/tessera/Chart.yaml version", lambda: yaml_top_level(CHART, "version")),
        ("helm/tessera/Chart.yaml appVersion", lambda: yaml_top_level(CHART, "appVersion")),
        ("clients/typescript/package.json version", typescript_version),
        ('package-lock.json packages["clients/typescript"].version', npm_lock_version),
        ("clients/python/tessera-client/pyproject.toml version", python_version),
        ("openapi/openapi.yaml info.version", openapi_version),
        ("Cargo.lock tessera version", cargo_lock_version),
    ]


def main(argv: list[str]) -> int:
    if argv == ["--workspace-version"]:
        print(workspace_version())
        return 0
    if argv == ["--write-typescript"]:
        write_typescript_version(workspace_version())
        return 0
    if argv:
        print(f"usage: {Path(__file__).name} [--workspace-version | --write-typescript]", file=sys.stderr)
        return 2
    passed = failed = 0
    try:
        wanted = workspace_version()
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as err:
        print(f"FAIL Cargo.toml [workspace.package] version: {err!r}")
        print("versions: 0 passed, 1 failed")
        return 1
    for name, read in places():
        try:
            found = read()
        except (OSError, KeyError, ValueError, json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
            failed += 1
            print(f"FAIL {name}: unreadable ({err!r})")
            continue
        if found == wanted:
            passed += 1
            print(f"ok   {name}: {found}")
        else:
            failed += 1
            print(f"FAIL {name}: {found}, but the workspace version (Cargo.toml) is {wanted}")
    if failed:
        print(
            "the workspace version in Cargo.toml is the source: set the Helm chart's version and appVersion to it, "
            "then run scripts/generate-clients (clients and their package files) after regenerating "
            "openapi/openapi.yaml (cargo run -q -p tessera -- openapi > openapi/openapi.yaml, "
            "which updates Cargo.lock too)"
        )
    print(f"versions: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
