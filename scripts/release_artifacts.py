"""Builds the release artifacts, each the way it is published:

    npm     the TypeScript client's npm tarball (`npm pack`; its prepack builds dist/ with tsc)
    wheel   the Python client's wheel (pip with the poetry-core build backend, no download),
            built from a copy of clients/python/tessera-client with the LICENSE beside it
    chart   the Helm chart packaged by Helm itself (helm-python-sdk embeds the Helm engine: run
            this under .cache/deploy-venv)

    python scripts/release_artifacts.py npm|wheel|chart OUT_DIR

prints the path of what it built. And the container image's archive, from the image podman
saved as a `docker-dir`:

    python scripts/release_artifacts.py image DOCKER_DIR NAME:TAG OUT_FILE

writes an OCI image layout archive, as `docker save` writes them: the image's Docker manifest
and configuration unchanged (podman's own OCI conversion drops the HEALTHCHECK, which OCI's
configuration has no field for), gzip-compressed layers, and the `manifest.json` that older
`docker load` reads. `podman load`, `docker load` and `skopeo copy oci-archive:` read it.

Used by scripts/release and scripts/check-release. The wheel needs poetry-core in the running
interpreter (the clients virtualenv has it).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
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


DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def image_archive(docker_dir: Path, reference: str, archive: Path) -> Path:
    """An OCI image layout archive of the image in `docker_dir` (`podman save --format
    docker-dir`), named `reference` (NAME:TAG). Byte for byte the same for the same image."""
    saved = json.loads((docker_dir / "manifest.json").read_text())
    if saved.get("mediaType") != DOCKER_MANIFEST:
        raise ValueError(f"not a Docker image manifest: {saved.get('mediaType')}")
    blobs: dict[str, bytes] = {}

    def blob(data: bytes, media_type: str) -> dict[str, object]:
        digest = hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}

    def saved_blob(descriptor: dict[str, str]) -> bytes:
        data = (docker_dir / descriptor["digest"].removeprefix("sha256:")).read_bytes()
        if f"sha256:{hashlib.sha256(data).hexdigest()}" != descriptor["digest"]:
            raise ValueError(f"blob {descriptor['digest']} does not match its digest")
        return data

    def layer(descriptor: dict[str, str]) -> dict[str, object]:
        data = saved_blob(descriptor)
        if not descriptor["mediaType"].endswith(".gzip"):
            data = gzip.compress(data, compresslevel=6, mtime=0)
        return blob(data, DOCKER_LAYER_GZIP)

    config = blob(saved_blob(saved["config"]), DOCKER_CONFIG)
    layers = [layer(d) for d in saved["layers"]]
    manifest = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "config": config, "layers": layers}
    descriptor = blob(json.dumps(manifest, separators=(",", ":")).encode(), DOCKER_MANIFEST)
    descriptor["annotations"] = {
        "io.containerd.image.name": reference,
        "org.opencontainers.image.ref.name": reference.rpartition(":")[2],
    }
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [descriptor]}

    def path(descriptor: dict[str, object]) -> str:
        return f"blobs/{str(descriptor['digest']).replace(':', '/')}"

    legacy = [{"Config": path(config), "RepoTags": [reference], "Layers": [path(d) for d in layers]}]
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))

        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps(index, separators=(",", ":")).encode())
        add("manifest.json", json.dumps(legacy, separators=(",", ":")).encode())
        for digest, data in blobs.items():
            add(f"blobs/sha256/{digest}", data)
    return archive


BUILDERS = {"npm": build_npm, "wheel": build_wheel, "chart": build_chart}


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "image":
        print(image_archive(Path(argv[1]), argv[2], Path(argv[3])))
        return 0
    if len(argv) != 2 or argv[0] not in BUILDERS:
        print(f"usage: {Path(__file__).name} {'|'.join(BUILDERS)} OUT_DIR", file=sys.stderr)
        print(f"       {Path(__file__).name} image DOCKER_DIR NAME:TAG OUT_FILE", file=sys.stderr)
        return 2
    try:
        print(BUILDERS[argv[0]](Path(argv[1])))
    except subprocess.CalledProcessError as err:
        print(f"{' '.join(err.cmd)} failed ({err.returncode}):\n{err.stdout}{err.stderr}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
