"""The GitHub Action (action.yml) and the GitLab CI template run as their CI servers run them:
each shell step extracted with a YAML parser and run by bash against the demo site, with the
CI server's variables faked here. `uses:` steps are not run; their condition and inputs are
checked."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.demo.server import SiteServer
from scanner.demo.site import start_demo

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_CONTEXT = re.compile(r"\b(?:inputs|steps|github)\.[\w.-]+")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, str]]:
    server, info = start_demo(tmp_path_factory.mktemp("demo-ca"), prefer_standard_ports=False)
    with server:
        args = [f"--resolve {rule}" for rule in server.resolve_rules()]
        args += ["--only-resolved", f"--ca-bundle {server.ca_pem}", "--workers 2"]
        args += [f"--db {tmp_path_factory.mktemp('db') / 'history.sqlite'}"]
        yield server, info.start_url(server) + " " + " ".join(args)


# -- GitHub Actions ----------------------------------------------------------------------------


@dataclasses.dataclass
class Runner:
    """Just enough of a GitHub runner for a composite action's steps."""

    tmp: Path
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    failed: bool = False
    uploads: list[dict[str, str]] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        self.workspace = self.tmp / "workspace"
        self.workspace.mkdir()
        (self.tmp / "runner").mkdir()
        self.summary = self.tmp / "step_summary.md"
        self.summary.touch()

    def value(self, name: str) -> Any:
        """A context value: inputs.*, steps.*.outputs.*, github.*."""
        parts = name.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[0] == "steps":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        if name == "github.action_path":
            return str(ROOT)
        if parts[0] == "github":
            return None  # github.event.*: not a pull request from a fork
        raise KeyError(name)

    def expand(self, text: str) -> str:
        return _EXPR.sub(lambda m: str(self.value(m.group(1))), text)

    def condition(self, step: dict[str, Any]) -> bool:
        """The step's `if:` (success() when absent), in GitHub's expression syntax."""
        expression = _EXPR.sub(lambda m: m.group(1), str(step.get("if", "success()")))
        python = expression.replace("&&", " and ").replace("||", " or ")
        python = python.replace("always()", "True").replace("success()", str(not self.failed))
        python = _CONTEXT.sub(lambda m: repr(self.value(m.group(0))), python)
        python = re.sub(r"(?<!')\btrue\b(?!')", "True", python)
        return bool(eval(python))

    def run(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str] | None:
        if not self.condition(step):
            return None
        if "uses" in step:
            self.uploads.append({k: self.expand(str(v)) for k, v in step["with"].items()})
            return None
        assert "${{" not in step["run"], "inputs reach scripts through env only (no injection)"
        output = self.tmp / f"output-{len(self.outputs)}"
        output.touch()
        env = {
            **os.environ,
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_PATH": str(self.tmp / "path"),
            "RUNNER_TEMP": str(self.tmp / "runner"),
            **{k: self.expand(str(v)) for k, v in step.get("env", {}).items()},
        }
        script = self.tmp / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        lines = output.read_text(encoding="utf-8").splitlines()
        self.outputs[step.get("id", f"step{len(self.outputs)}")] = dict(
            line.split("=", 1) for line in lines
        )
        self.failed = self.failed or done.returncode != 0
        return done


def _action(tmp: Path, **inputs: str) -> tuple[Runner, list[Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    runner = Runner(tmp, {**defaults, **inputs})
    return runner, [runner.run(step) for step in action["runs"]["steps"]]


def _split(url_and_args: str) -> tuple[str, str]:
    url, _, args = url_and_args.partition(" ")
    return url, args


@pytest.mark.browser
def test_action_scans_publishes_and_gives_the_gate_verdict(
    tmp_path: Path, demo: tuple[SiteServer, str]
) -> None:
    url, args = _split(demo[1])
    runner, done = _action(tmp_path, url=url, args=args, install="false")
    install, scan, summary, upload, gate = done
    assert install is not None and install.returncode == 0, install.stderr
    assert scan is not None and scan.returncode == 0, scan.stderr  # the verdict comes last
    assert runner.outputs["scan"]["exit-code"] == "1"  # the demo breaks its statement
    out = runner.workspace / "complyscan-out"
    # The Markdown summary is the job's step summary; SARIF is uploaded because it exists.
    assert summary is not None and summary.returncode == 0
    assert runner.summary.read_text(encoding="utf-8") == (out / "report.md").read_text("utf-8")
    assert upload is None and len(runner.uploads) == 1
    assert (runner.workspace / runner.uploads[0]["sarif_file"]).is_file()
    assert gate is not None and gate.returncode == 1 and "gate failed" in gate.stdout


def test_action_passed_gate_stays_green_and_a_usage_error_uploads_nothing(
    tmp_path: Path,
) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    gate_step = action["runs"]["steps"][-1]
    runner = Runner(tmp_path, {})
    runner.outputs["scan"] = {"exit-code": "0"}
    passed = runner.run(gate_step)
    assert passed is not None and passed.returncode == 0 and "gate passed" in passed.stdout

    (tmp_path / "bad").mkdir()
    runner, done = _action(tmp_path / "bad", url="not a url", install="false")
    _, scan, summary, _, gate = done
    assert scan is not None and runner.outputs["scan"]["exit-code"] == "2"
    assert "sarif" not in runner.outputs["scan"] and runner.uploads == []  # no file, no upload
    assert summary is not None and summary.returncode == 0
    assert "wrote no report.md" in runner.summary.read_text(encoding="utf-8")
    assert gate is not None and gate.returncode == 2


# -- GitLab CI ---------------------------------------------------------------------------------


def _gitlab(tmp: Path, **variables: str) -> tuple[subprocess.CompletedProcess[str], str, Any]:
    """Run the `.complyscan` job as a GitLab shell runner does: before_script and script in one
    bash with `set -eo pipefail`, after_script in another; returns (job, after_script output)."""
    template = yaml.safe_load((ROOT / "ci" / "gitlab-complyscan.yml").read_text("utf-8"))
    job = template[".complyscan"]
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(tmp),
        **{k: str(v) for k, v in job["variables"].items()},
        **variables,
    }

    def bash(lines: list[str]) -> subprocess.CompletedProcess[str]:
        script = "set -eo pipefail\n" + "\n".join(lines) + "\n"
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", script],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    main = bash([*job["before_script"], *job["script"]])
    after = bash(job["after_script"])
    return main, after.stdout, job


@pytest.mark.browser
def test_gitlab_template_scans_and_keeps_its_artifacts(
    tmp_path: Path, demo: tuple[SiteServer, str]
) -> None:
    url, args = _split(demo[1])
    main, after, job = _gitlab(
        tmp_path, COMPLYSCAN_URL=url, COMPLYSCAN_ARGS=args, COMPLYSCAN_INSTALL="false"
    )
    assert main.returncode == 1, main.stderr  # the gate fails the job
    junit = tmp_path / job["artifacts"]["reports"]["junit"]
    assert junit.is_file(), "GitLab reads the JUnit file where the artifacts say"
    assert all((tmp_path / p).is_dir() for p in job["artifacts"]["paths"])
    assert job["artifacts"]["when"] == "always"
    assert after == (tmp_path / "complyscan-out" / "report.md").read_text(encoding="utf-8")


def test_gitlab_template_without_a_source_says_what_to_set(tmp_path: Path) -> None:
    main, after, _ = _gitlab(tmp_path, COMPLYSCAN_URL="https://www.example.com/")
    assert main.returncode == 2
    assert main.stderr.strip() == (
        "complyscan: set COMPLYSCAN_SOURCE to a Git URL or a checkout of complyscan"
    )
    assert after == ""
