"""`python -m stacks switch` when things go wrong (issue 13 item 7, issue 15 item 15), as a subprocess
against moto's server on 127.0.0.1: an interrupted switch leaves the stack file equal to the live
weights, an unusable write-back file stops the switch before any traffic moves, the stack file's
``aws:region`` is honoured, and AWS failures exit with the code ``--help`` lists."""

# The moto-server fixtures are test_cli_server's, imported by name (pytest finds them here as such).
# ruff: noqa: F811

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
from pathlib import Path

import boto3
import pytest

from stacks.operations.config_writeback import read_blue_green
from tests.bluegreen.aws_world import World, build_world
from tests.bluegreen.test_cli_server import (  # noqa: F401 - fixtures
    REPO,
    STACK_FILE,
    cli,
    env,
    moto_server,
    run,
    stack_file,
    wait_for,
    world,
)


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def _start(env: dict[str, str], stack_file: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli(
            env,
            "--to",
            "green",
            "--steps",
            "10,50,100",
            "--bake",
            "30",
            "--poll",
            "0.2",
            "--stack-file",
            str(stack_file),
            *extra,
        ),
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_a_switch_interrupted_after_step_1_leaves_the_file_at_the_step_1_weights(
    env, world: World, stack_file: Path, sig: signal.Signals
) -> None:
    # GIVEN a switch baking 30 s after each step
    proc = _start(env, stack_file)
    # WHEN it is interrupted while green takes 10 %
    wait_for(lambda: world.weights()["green"] == 10)
    wait_for(lambda: read_blue_green(stack_file)["catalog"]["weights"]["green"] == 10, timeout=10)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    # THEN the stack file says what is live: blue 90, green 10, blue still the active colour, comments kept
    assert world.weights() == {"blue": 90, "green": 10}
    entry = read_blue_green(stack_file)["catalog"]
    assert (entry["activeColor"], entry["weights"]) == ("blue", {"blue": 90, "green": 10})
    text = stack_file.read_text()
    assert "      weights: {blue: 90, green: 10}   # written back by `python -m stacks switch`\n" in text
    assert [p.name for p in stack_file.parent.iterdir()] == ["Pulumi.prod.yaml"]  # no temporary file left
    if sig == signal.SIGINT:
        # AND Ctrl-C exits 130 saying where traffic stands, without a traceback
        assert proc.returncode == 130, err
        assert (
            "interrupted: live weights were last set to blue=90/green=10 and the stack file says the same; "
            "rerun the same command to resume, or --rollback" in err
        )
        assert "Traceback" not in err
        assert "SwitchLock" not in world.rule_tags()  # the lock was released on the way out
    else:
        assert proc.returncode == -signal.SIGKILL
    # AND a rerun resumes from there and completes
    result = run(env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file))
    assert result.returncode == 0, result.stderr
    assert "resuming an interrupted switch to green" in result.stdout
    assert read_blue_green(stack_file)["catalog"]["weights"] == {"blue": 0, "green": 100}


def _dir_stack_file(tmp: Path) -> Path:
    path = tmp / "Pulumi.prod.yaml"
    path.mkdir()
    return path


def _no_entry(tmp: Path) -> Path:
    path = tmp / "Pulumi.prod.yaml"
    path.write_text("config:\n  aws:region: us-east-1\n  streaming-platform:blueGreen:\n    search: {}\n")
    return path


def _bad_yaml(tmp: Path) -> Path:
    path = tmp / "Pulumi.prod.yaml"
    path.write_text("config:\n  aws:region: us-east-1\n  streaming-platform:blueGreen: [unclosed\n")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda tmp: tmp / "missing" / "Pulumi.prod.yaml",
            "Pulumi.prod.yaml: no such stack file; pass --stack-file PATH",
        ),
        (_dir_stack_file, "Pulumi.prod.yaml: is not a regular file; pass --stack-file PATH"),
        (_no_entry, "Pulumi.prod.yaml: has no streaming-platform:blueGreen.catalog entry to write the weights back to"),
        (_bad_yaml, "Pulumi.prod.yaml: not valid YAML (line 4)"),
    ],
    ids=["missing", "directory", "no-blue-green-entry", "not-yaml"],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["switch", "dry-run"])
def test_an_unusable_write_back_file_is_refused_before_any_traffic_moves(
    env, world: World, tmp_path: Path, make, message: str, dry_run: bool
) -> None:
    path = make(tmp_path)
    result = run(env, "--to", "green", "--bake", "0", "--stack-file", str(path), *(["--dry-run"] if dry_run else []))
    # THEN exit 3 (refused, nothing changed), the message names the file and the fix; live state untouched
    assert result.returncode == 3, result.stderr
    assert f"error: {path.parent}/" in result.stderr and message in result.stderr
    assert "(nothing was changed)" in result.stderr
    _no_traceback(result)
    assert world.weights() == {"blue": 100, "green": 0}
    assert not any(k.startswith("Switch") for k in world.rule_tags())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_stack_file_is_refused_before_any_traffic_moves(env, world: World, stack_file: Path) -> None:
    stack_file.chmod(stat.S_IRUSR)
    result = run(env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file))
    assert result.returncode == 3
    assert "is not readable and writable by this user" in result.stderr
    assert world.weights() == {"blue": 100, "green": 0}


def test_the_stack_files_region_is_used_when_none_is_given(env, tmp_path: Path) -> None:
    # GIVEN the pair in us-west-2, a stack file saying aws:region us-west-2, no region in the environment
    endpoint = env["AWS_ENDPOINT_URL"]
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-west-2"
    )

    class EndpointSession(boto3.session.Session):
        def client(self, name: str, **kwargs):  # type: ignore[no-untyped-def, override]
            return session.client(name, endpoint_url=endpoint, **kwargs)

    west = build_world(EndpointSession(), region="us-west-2")
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(STACK_FILE.replace("aws:region: us-east-1", "aws:region: us-west-2"))
    bare = {k: v for k, v in env.items() if k not in ("AWS_REGION", "AWS_DEFAULT_REGION")}
    bare |= {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    # WHEN the operator switches without --region
    result = subprocess.run(
        cli(bare, "--to", "green", "--steps", "100", "--bake", "0", "--stack-file", str(path)),
        env=bare,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # THEN the command says which region it uses, and switches the pair there
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("region: us-west-2 (from aws:region in Pulumi.prod.yaml)\n")
    assert west.weights() == {"blue": 0, "green": 100}
    # AND --region / AWS_REGION still win over the file (nothing of catalog's exists in us-east-1 here)
    east = run({**bare, "AWS_REGION": "us-east-1"}, "--status", "--stack-file", str(path))
    assert east.returncode == 2 and east.stdout.startswith("region: us-east-1 (from AWS_REGION)\n")
    assert "found 0" in east.stderr


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_help_lists_every_exit_code(env) -> None:
    result = subprocess.run(
        [*cli(env, "--help")[:4], "--help"], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    text = " ".join(result.stdout.split())
    for code in (
        "0 done",
        "2 usage/discovery error",
        "3 refused",
        "4 gate failed",
        "5 aborted",
        "6 AWS unreachable or refused a call",
        "130 interrupted",
    ):
        assert code in text


@pytest.mark.parametrize(
    ("overrides", "drop", "message"),
    [
        (
            {"AWS_ENDPOINT_URL": "http://127.0.0.1:{port}"},
            (),
            'error: AWS could not be reached (after retries): Could not connect to the endpoint URL: "http://127.0.0.1:{port}/"',
        ),
        (
            {
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": "/nonexistent",
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            },
            ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            "error: Unable to locate credentials; configure AWS credentials and region",
        ),
        (
            {},
            (),
            "error: AWS refused a call: An error occurred (RuleNotFound) when calling the DescribeRules operation",
        ),
    ],
    ids=["endpoint-unreachable", "no-credentials", "client-error"],
)
def test_aws_failures_exit_6_with_one_line_and_move_nothing(
    env, world: World, stack_file: Path, overrides: dict[str, str], drop: tuple[str, ...], message: str
) -> None:
    port = _closed_port()
    # the client-error case names a listener rule that does not exist (AWS answers with an error)
    extra = () if overrides else ("--listener-rule-arn", world.rule_arn.rsplit("/", 1)[0] + "/0123456789abcdef")
    run_env = {k: v for k, v in env.items() if k not in drop} | {k: v.format(port=port) for k, v in overrides.items()}
    run_env["AWS_MAX_ATTEMPTS"] = "1"
    before = stack_file.read_text()
    result = subprocess.run(
        cli(run_env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file), *extra),
        env=run_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 6, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.format(port=port)), result.stderr
    assert lines[0].endswith("no traffic was moved by this run")
    _no_traceback(result)
    assert world.weights() == {"blue": 100, "green": 0} and stack_file.read_text() == before
