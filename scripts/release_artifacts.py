"""Builds the release artifacts other than the container image, each the way it is published:

    npm     the TypeScript client's npm tarball (`npm pack`; its prepack builds dist/ with tsc)
    wheel   the Python client's wheel (pip with the poetry-core build backend, no download),
            built from a copy of clients/python/tessera-client with the LICENSE beside it
    chart   the Helm chart packaged by Helm itself (helm-python-sdk embeds the Helm engine: run
            this under .cache/deploy-venv)

    python scripts/release_artifacts.py npm|wheel|chart OUT_DIR

prints the path of what it built. Used by scripts/release and scripts/check-release. The wheel
needs poetry-core in the running interpreter (the clients virtualenv has it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from check_versions import ROOT

TS_CLIENT = ROOT / "clients" / "typescript"
PY_CLIENT = ROOT / "clients" / "python" / "tessera-client"
CHART = ROOT / "helm" / "tessera"
LICENSE = ROOT / "LICENSE"


def _run(command: list[str], cwd: Path) -> None:
    """Runs a build step; its output is shown only when it fails (CalledProcessError carries it)."""
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)


def build_npm(out: Path) -> Path:
    """`npm pack` of @tessera/client into `out`: tessera-client-<version>.tgz."""
    package = json.loads((TS_CLIENT / "package.json").read_text())
    out.mkdir(parents=True, exist_ok=True)
    _run(["npm", "pack", "--pack-destination", str(out.resolve()), "--loglevel=error"], TS_CLIENT)
    tarball = out / f"{package['name'].lstrip('@').replace('/', '-')}-{package['version']}.tgz"
    if not tarball.is_file():
        raise FileNotFoundError(f"npm pack did not write {tarball.name}")
    return tarball


def build_wheel(out: Path) -> Path:
    """The wheel of tessera-client into `out`, built from a copy of the generated folder (which
    stays as generated) with the LICENSE added."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tessera-wheel-") as tmp:
        source, wheels = Path(tmp) / "tessera-client", Path(tmp) / "wheels"
        shutil.copytree(PY_CLIENT, source, ignore=shutil.ignore_patterns("__pycache__", "build", "dist", "*.egg-info"))
        shutil.copy(LICENSE, source / "LICENSE")
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
                "--disable-pip-version-check",
                "--quiet",
                "--wheel-dir",
                str(wheels),
                str(source),
            ],
            ROOT,
        )
        built = list(wheels.glob("*.whl"))
        if len(built) != 1:
            raise FileNotFoundError(f"pip wheel wrote {len(built)} wheels")
        return Path(shutil.copy(built[0], out / built[0].name))


def build_chart(out: Path) -> Path:
    """`helm package helm/tessera` into `out`: tessera-<version>.tgz."""
    from helm_python import chart  # type: ignore[import-not-found,unused-ignore]  # the deploy virtualenv's

    out.mkdir(parents=True, exist_ok=True)
    return Path(chart.package(CHART, destination=out.resolve()))


BUILDERS = {"npm": build_npm, "wheel": build_wheel, "chart": build_chart}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in BUILDERS:
        print(f"usage: {Path(__file__).name} {'|'.join(BUILDERS)} OUT_DIR", file=sys.stderr)
        return 2
    try:
        print(BUILDERS[argv[0]](Path(argv[1])))
    except subprocess.CalledProcessError as err:
        print(f"{' '.join(err.cmd)} failed ({err.returncode}):\n{err.stdout}{err.stderr}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
