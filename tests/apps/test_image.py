"""The image: `buildah bud --isolation chroot` on a local debootstrap base, then run it and probe /healthz.

The base image is a Debian bookworm minbase with python3 + python3-venv made by debootstrap and
cached (rootfs and tarball) under $XDG_CACHE_HOME or /var/cache, so reruns take seconds. The
built image runs as its configured user (uid 10001) on a read-only root filesystem with a
tmpfs /tmp, exactly with the Env, WorkingDir and Cmd recorded in the image.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.apps.conftest import REPO_ROOT, free_port, need, need_binary

BASE_TAG = "localhost/streaming-test-base:bookworm"
APP_TAG = "localhost/streaming-app:test"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or "/var/cache") / "streaming-app-tests"
DEBIAN_MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")

pytestmark = pytest.mark.slow


def run(*args: str, timeout: float = 900, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args[:3])} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result  # type: ignore[no-any-return]


def base_rootfs() -> Path:
    """A cached bookworm minbase with python3 + python3-venv (debootstrap runs only the first time)."""
    rootfs = CACHE_DIR / "bookworm-python-rootfs"
    if (rootfs / "usr/bin/python3").exists():
        return rootfs
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = CACHE_DIR / "bookworm-python-rootfs.partial"
    shutil.rmtree(partial, ignore_errors=True)
    run(
        need_binary("debootstrap"),
        "--variant=minbase",
        "--include=python3,python3-venv,ca-certificates",
        "bookworm",
        str(partial),
        DEBIAN_MIRROR,
        timeout=1200,
    )
    partial.rename(rootfs)
    return rootfs


def ensure_base_image(buildah: str) -> None:
    if subprocess.run([buildah, "inspect", "--type", "image", BASE_TAG], capture_output=True).returncode == 0:
        return
    rootfs = base_rootfs()
    tarball = CACHE_DIR / "bookworm-python-rootfs.tar"
    if not tarball.exists():
        run("tar", "--numeric-owner", "-C", str(rootfs), "-cf", f"{tarball}.partial", ".")
        Path(f"{tarball}.partial").rename(tarball)
    container = run(buildah, "from", "scratch").stdout.strip()
    try:
        run(buildah, "add", container, str(tarball), "/")
        run(buildah, "config", "--cmd", "/bin/bash", "--env", "LANG=C.UTF-8", container)
        run(buildah, "commit", "--quiet", container, BASE_TAG)
    finally:
        subprocess.run([buildah, "rm", container], capture_output=True)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    need(os.geteuid() == 0, "root (buildah chroot builds and the read-only run need it)")
    buildah = need_binary("buildah")
    need_binary("debootstrap")
    need_binary("unshare")
    ensure_base_image(buildah)
    # This machine's egress goes through a TLS-inspecting proxy: hand pip the host's CA bundle as a
    # build secret (not stored in any layer).
    ca_bundle = os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt"
    secret = ["--secret", f"id=pip_ca,src={ca_bundle}"] if Path(ca_bundle).is_file() else []
    run(
        buildah,
        "bud",
        "--isolation",
        "chroot",
        "--format",
        "docker",
        "--layers",
        *secret,
        "--build-arg",
        f"BASE_IMAGE={BASE_TAG}",
        "-t",
        APP_TAG,
        "-f",
        str(REPO_ROOT / "apps/streaming/Dockerfile"),
        str(REPO_ROOT / "apps/streaming"),
        timeout=1500,
    )
    yield APP_TAG


@pytest.fixture(scope="module")
def image_config(image: str) -> dict[str, object]:
    buildah = need_binary("buildah")
    inspected = json.loads(run(buildah, "inspect", "--type", "image", image).stdout)
    config: dict[str, object] = inspected["Docker"]["config"]
    return config


@pytest.fixture(scope="module")
def rootfs(image: str) -> Iterator[Path]:
    buildah = need_binary("buildah")
    container = run(buildah, "from", "--pull-never", image).stdout.strip()
    try:
        yield Path(run(buildah, "mount", container).stdout.strip())
    finally:
        subprocess.run([buildah, "umount", container], capture_output=True)
        subprocess.run([buildah, "rm", container], capture_output=True)


def test_the_image_is_configured_for_a_non_root_user_port_8000_and_a_healthcheck(
    image_config: dict[str, object],
) -> None:
    # GIVEN the built image
    # WHEN its configuration is inspected
    config = image_config
    # THEN it runs the module as uid 10001 on port 8000 and declares a /healthz HEALTHCHECK
    assert config["User"] == "10001:10001"
    assert "8000/tcp" in config["ExposedPorts"]  # type: ignore[operator]
    assert config["Cmd"] == ["python3", "-m", "apps.streaming"]
    assert "PORT=8000" in config["Env"]  # type: ignore[operator]
    healthcheck = config["Healthcheck"]
    assert "/healthz" in " ".join(healthcheck["Test"])  # type: ignore[index]


def test_the_final_stage_holds_no_compiler_tests_pip_or_caches(rootfs: Path) -> None:
    # WHEN the final filesystem is examined
    # THEN it has the app and its venv, and nothing of the build
    assert (rootfs / "app/apps/streaming/__main__.py").is_file()
    assert (rootfs / "app/apps/streaming/web/index.html").is_file()
    assert list((rootfs / "opt/venv/lib").glob("python3*/site-packages/fastapi"))
    assert not list((rootfs / "opt/venv/lib").glob("python3*/site-packages/pip"))
    for absent in ("usr/bin/gcc", "usr/bin/cc", "app/tests", "app/apps/streaming/Dockerfile", "root/.cache/pip"):
        assert not (rootfs / absent).exists(), absent


def test_the_built_image_runs_read_only_as_uid_10001_and_answers_healthz(
    rootfs: Path, image_config: dict[str, object]
) -> None:
    # GIVEN the image's root filesystem mounted read-only with a private tmpfs /tmp, in its own mount namespace
    port = free_port()
    env = [e for e in image_config["Env"] if not e.startswith(("PORT=", "HOST="))]  # type: ignore[attr-defined]
    env += [f"PORT={port}", "HOST=127.0.0.1"]
    workdir = str(image_config["WorkingDir"])
    cmd = " ".join(image_config["Cmd"])  # type: ignore[arg-type]
    script = (
        f"set -e; R={rootfs}; mount --bind $R $R; mount -o remount,bind,ro $R; "
        "mount -t tmpfs -o size=64m,mode=1777 tmpfs $R/tmp; mount --rbind /dev $R/dev; mount -t proc proc $R/proc; "
        f"exec chroot --userspec=10001:10001 $R /usr/bin/env -i {' '.join(env)} /bin/sh -c 'cd {workdir} && exec {cmd}'"
    )
    log = rootfs.parent / f"image-run-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # WHEN /healthz is requested on 127.0.0.1
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        # THEN it answers 200, the app is up as uid 10001, and the catalog is served
        assert response is not None, log.read_text()
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/catalog/rows", timeout=5).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        uids = run("sh", "-c", f"ps -o uid= --ppid {process.pid}; ps -o uid= -p {process.pid}").stdout.split()
        assert "10001" in uids
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)
