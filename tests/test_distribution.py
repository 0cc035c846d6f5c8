"""Install paths that work from this repository: docs that never send users to an index for a
package we do not publish, a wheel that scans the demo from a fresh venv, and a Containerfile
that installs what the Makefile installs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_docs_never_tell_users_to_pip_install_complyscan_from_an_index() -> None:
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in _docs()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"pip3? install\s+['\"]?complyscan\b(?![./\w-])", line) and "never" not in line
    ]
    assert offenders == []


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Containerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), " ".join(rest.split())))
    return rows


def _apt_packages(command: str) -> set[str]:
    packages: set[str] = set()
    for match in re.finditer(r"apt-get install ([^;&|]+)", command):
        packages |= {w for w in match.group(1).split() if w[0] not in "->" and "$" not in w}
    return packages


def test_containerfile_installs_what_the_makefile_installs() -> None:
    steps = _instructions(ROOT / "Containerfile")
    runs = " ".join(args for word, args in steps if word == "RUN")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    makefile = makefile[makefile.index("$(BROWSER_STAMP): $(STAMP)") :].split("\n\n")[0]
    # The Makefile's browser step: Debian's chromium and certutil; the image has them too.
    assert {"chromium", "libnss3-tools"} <= _apt_packages(makefile) <= _apt_packages(runs)
    assert {"python3", "python3-venv"} <= _apt_packages(runs)
    # The package from this checkout, with its data directories, never a name on an index.
    copied = {args.split()[0] for word, args in steps if word == "COPY"}
    assert {"scanner", "rules", "reports"} <= copied
    assert "pip install --no-cache-dir --disable-pip-version-check /src" in runs
    assert not re.search(r"pip install\s+complyscan", runs)
    # Debian bookworm's Python meets requires-python.
    base = next(args for word, args in steps if word == "ARG" and args.startswith("BASE="))
    assert "debian:bookworm" in base
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.11"  # bookworm ships 3.11
    # It runs as a user of its own, and is the complyscan command.
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [args for word, args in steps if word == "ENTRYPOINT"] == ['["complyscan"]']
    assert "/dev/shm" in (ROOT / "Containerfile").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.browser
def test_the_wheel_installs_in_a_fresh_venv_and_scans_the_demo() -> None:
    """`make check-wheel`: build the wheel, install it outside the checkout, `complyscan demo`
    from it (exit 1: the demo's gate fails on purpose), and nothing left in TMPDIR."""
    # A short path: Chromium's profile sockets under TMPDIR must fit in a Unix socket address.
    check = Path(tempfile.mkdtemp(prefix="cs-wheel-"))
    try:
        done = subprocess.run(
            ["make", "-s", "check-wheel", f"WHEEL_DIR={check}/dist", f"CHECK_DIR={check}/c"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert len(list((check / "dist").glob("complyscan-*.whl"))) == 1
        assert (check / "c" / "demo" / "report.html").is_file()
        site = next((check / "c" / "venv" / "lib").glob("python3*/site-packages"))
        assert (site / "scanner" / "_data" / "rules" / "catalogue.yaml").is_file()
        assert (site / "scanner" / "_data" / "reports").is_dir()
    finally:
        shutil.rmtree(check, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(
    not (os.environ.get("COMPLYSCAN_CONTAINER_BASE") and shutil.which("buildah")),
    reason="opt-in: set COMPLYSCAN_CONTAINER_BASE to a local debian:bookworm image",
)
def test_the_container_image_scans_the_demo() -> None:
    """Build the image on a local Debian base and run `complyscan demo` in it as its user.
    buildah's chroot isolation needs no cgroups or setrlimit, which some hosts refuse to podman;
    COMPLYSCAN_CONTAINER_BUILD_ARGS adds build options (a proxy's CA: -v and PIP_CERT)."""
    tag = "localhost/complyscan:test"
    build = ["podman", "build", "--isolation", "chroot", "--network", "host"]
    build += os.environ.get("COMPLYSCAN_CONTAINER_BUILD_ARGS", "").split()
    build += ["--build-arg", f"BASE={os.environ['COMPLYSCAN_CONTAINER_BASE']}"]
    build += ["-t", tag, "-f", "Containerfile", "."]
    subprocess.run(build, cwd=ROOT, check=True, capture_output=True, timeout=1800)
    container = subprocess.run(
        ["buildah", "from", tag], capture_output=True, text=True, check=True
    ).stdout.strip()
    run = ["buildah", "run", "--isolation", "chroot", "--network", "host", container, "--"]
    script = "cd && complyscan demo --out demo >demo.log 2>&1; echo $?; id -u; ls demo; ls -A /tmp"
    try:
        done = subprocess.run(
            [*run, "sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
    exit_code, uid, *files = done.stdout.split()
    assert exit_code == "1" and uid != "0"  # the gate fails on purpose; not root
    assert "report.html" in files and "report.sarif" in files
    assert files[-1] == "screenshots", "nothing left in /tmp after the demo"
