"""The CLI: a thin edge with one-line errors and the right exit codes.

Most commands run in this process through ``main`` (what ``python -m checker`` calls), with
click's test runner holding standard input and output; one smoke test and the rules-directory
test (the directory is read when the package loads) start a real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from checker.core.paths import ROOT, RULES_DIR
from tests.conftest import SAMPLES, cli

PY = [sys.executable, "-m", "checker"]


run = cli


def run_process(*args: str, stdin: str | None = None,
                env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m checker ARGS`` in a new process."""
    return subprocess.run([*PY, *args], input=stdin.encode() if stdin else None,
                          capture_output=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **(env or {})})


def test_a_real_process_checks_standard_input_and_prints_json():
    proc = run_process("check", "-", "--format", "json", stdin="Our stem cells cure autism.")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["level"] in ("medium", "high")


def test_check_json_from_a_file():
    proc = run("check", str(SAMPLES[0]), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["level"] == "high"
    text = SAMPLES[0].read_text()
    assert all(text[f["start"]:f["end"]] == f["text"] for f in result["findings"])


def test_check_text_from_standard_input():
    proc = run("check", "-", stdin="Our stem cells cure autism. No side effects!")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "RISK" in out and "[[cure]]" in out and "Choudhery" in out


@pytest.mark.parametrize("args, stdin, code, message", [
    (["check", "/no/such/file.txt"], None, 1, "no such file"),
    (["check", str(ROOT)], None, 1, "is a folder"),
    (["check", "-"], b"\xff\xfe\xfa not text", 1, "not UTF-8"),
    (["check", "-"], "", 1, "empty"),
    (["check", "-", "--format", "xml"], "x", 2, "'xml' is not one of"),
    (["check", "-", "--bogus"], "x", 2, "No such option"),
    (["frobnicate"], None, 2, "No such command"),
])
def test_errors_are_one_line_with_the_right_exit_code(args, stdin, code, message):
    proc = run(*args, stdin=stdin)
    err = proc.stderr.decode().strip()
    assert proc.returncode == code, err
    assert message in err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err


def test_rules_lists_every_category():
    proc = run("rules")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for category in ("efficacy", "indication", "price", "safety", "regulatory", "evidence", "pressure"):
        assert category in out


def test_rules_check_validates(tmp_path):
    assert run("rules", "--check").returncode == 0
    broken = tmp_path / "rules"
    broken.mkdir()
    for path in RULES_DIR.glob("*.yaml"):
        (broken / path.name).write_text(path.read_text())
    (broken / "efficacy.yaml").write_text(
        (RULES_DIR / "efficacy.yaml").read_text().replace("severity: high", "severity: huge", 1))
    proc = run_process("rules", "--check", env={"CHECKER_RULES_DIR": str(broken)})
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert "efficacy.yaml" in err and "efficacy.cure" in err and "severity" in err
    assert "Traceback" not in err


def test_every_command_has_help_with_an_example():
    from checker.surfaces.cli import cli
    for name, command in cli.commands.items():
        proc = run(name, "--help")
        assert proc.returncode == 0, name
        assert "Example" in (command.help or ""), name
