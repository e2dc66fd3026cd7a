"""The operator command exactly as an operator runs it: `python -m stacks switch …` as a subprocess,
against moto's server on 127.0.0.1 (AWS_ENDPOINT_URL), with resources tagged as BlueGreen tags them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from stacks.operations.config_writeback import read_blue_green
from tests.bluegreen.aws_world import REGION, World, build_world

REPO = Path(__file__).resolve().parents[2]

STACK_FILE = """\
# The production stack.
config:
  aws:region: us-east-1  # keep in us-east-1 (CloudFront certs)
  streaming-platform:blueGreen:
    catalog:
      activeColor: blue      # blue | green
      weights: {blue: 100, green: 0}   # written back by `python -m stacks switch`
      blue: {image: "", desiredCount: 2}
      green: {image: "", desiredCount: 2}
  streaming-platform:alarms:
    email: oncall@example.com
"""


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def env(moto_server: str) -> dict[str, str]:
    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {
        **clean,
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "PYTHONPATH": str(REPO),
    }


@pytest.fixture
def world(env: dict[str, str]) -> World:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    endpoint = env["AWS_ENDPOINT_URL"]

    class EndpointSession(boto3.session.Session):
        def client(self, name: str, **kwargs):  # type: ignore[no-untyped-def, override]
            return session.client(name, endpoint_url=endpoint, **kwargs)

    return build_world(EndpointSession())


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(STACK_FILE)
    return path


def cli(env: dict[str, str], *args: str) -> list[str]:
    return [sys.executable, "-m", "stacks", "switch", "prod", "--service", "catalog", "--lock-settle", "0.1", *args]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(env, *args), env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_status_prints_each_colour(env, world: World) -> None:
    result = run(env, "--status")
    assert result.returncode == 0, result.stderr
    assert (
        "blue      100%  2/2             2/2                    1 OK        registry.example/catalog:v1"
        in result.stdout
    )
    assert (
        "green       0%  2/2             2/2                    1 OK        registry.example/catalog:v2"
        in result.stdout
    )


def test_a_full_switch_shifts_traffic_and_writes_the_stack_file_back(env, world: World, stack_file: Path) -> None:
    # WHEN the operator switches catalog to green
    result = run(env, "--to", "green", "--steps", "10,50,100", "--bake", "0", "--stack-file", str(stack_file))
    # THEN the live rule sends everything to green and the stack file says so, comments and other keys kept
    assert result.returncode == 0, result.stderr
    assert "[3/3] green 100% [####################] blue=0/green=100" in result.stdout
    assert world.weights() == {"blue": 0, "green": 100}
    text = stack_file.read_text()
    assert "      activeColor: green     # blue | green\n" in text
    assert "      weights: {blue: 0, green: 100}   # written back by `python -m stacks switch`\n" in text
    assert "# The production stack.\n" in text and "email: oncall@example.com" in text
    assert read_blue_green(stack_file)["catalog"]["green"] == {"image": "", "desiredCount": 2}


def test_a_switch_can_scale_the_idle_colour_to_zero_in_the_stack_file(env, world: World, stack_file: Path) -> None:
    # WHEN the operator switches to green and asks for the idle colour to be scaled down
    result = run(
        env, "--to", "green", "--steps", "100", "--bake", "0", "--stack-file", str(stack_file), "--scale-idle-to-zero"
    )
    # THEN blue's desired count is 0 in the stack file (the next `pulumi up` stops its tasks)
    assert result.returncode == 0, result.stderr
    assert "blue.desiredCount is now 0 in Pulumi.prod.yaml: `pulumi up -s prod` stops its tasks" in result.stdout
    assert read_blue_green(stack_file)["catalog"]["blue"] == {"image": "", "desiredCount": 0}
    assert read_blue_green(stack_file)["catalog"]["weights"] == {"blue": 0, "green": 100}


def test_a_switch_to_an_unsteady_colour_is_refused_and_changes_nothing(env, world: World, stack_file: Path) -> None:
    # GIVEN green's service scaled to 2 but with no task running yet and its targets gone
    world.client("ecs").update_service(cluster=world.cluster, service=world.services["green"], desiredCount=0)
    world.client("elbv2").deregister_targets(
        TargetGroupArn=world.target_groups["green"],
        Targets=[{"Id": "10.0.2.10", "Port": 8000}, {"Id": "10.0.2.11", "Port": 8000}],
    )
    before = stack_file.read_text()
    result = run(env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file))
    assert result.returncode == 3
    assert "preflight refused the switch to green (nothing was changed)" in result.stderr
    assert "catalog-green has desiredCount 0" in result.stderr
    assert world.weights() == {"blue": 100, "green": 0}
    assert stack_file.read_text() == before


def test_an_alarm_mid_shift_rolls_the_weights_back(env, world: World, stack_file: Path) -> None:
    # GIVEN a switch baking 3 s per step
    proc = subprocess.Popen(
        cli(
            env,
            "--to",
            "green",
            "--steps",
            "10,50,100",
            "--bake",
            "3",
            "--poll",
            "0.2",
            "--stack-file",
            str(stack_file),
        ),
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # WHEN green's alarm fires while green takes 50 %
    wait_for(lambda: world.weights()["green"] == 50)
    world.set_alarm("green")
    _out, err = proc.communicate(timeout=60)
    # THEN the run exits 4 naming the alarm, and blue has all traffic again, live and in the file
    assert proc.returncode == 4, err
    assert "gate failed at green 50%: alarm catalog-green-5xx of green is in ALARM" in err
    assert world.weights() == {"blue": 100, "green": 0}
    assert read_blue_green(stack_file)["catalog"]["weights"] == {"blue": 100, "green": 0}


def test_rollback_returns_to_the_previous_colour(env, world: World, stack_file: Path) -> None:
    assert run(env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file)).returncode == 0
    result = run(env, "--rollback", "--stack-file", str(stack_file))
    assert result.returncode == 0, result.stderr
    assert "rollback: the last fully active colour is blue" in result.stdout
    assert world.weights() == {"blue": 100, "green": 0}
    assert read_blue_green(stack_file)["catalog"]["activeColor"] == "blue"


def test_a_killed_switch_is_completed_by_a_rerun(env, world: World, stack_file: Path) -> None:
    # GIVEN a switch killed with SIGKILL while green takes 10 %
    proc = subprocess.Popen(
        cli(env, "--to", "green", "--bake", "30", "--poll", "0.2", "--stack-file", str(stack_file)),
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: world.weights()["green"] == 10)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert "SwitchLock" in world.rule_tags()
    # WHEN the operator reruns the command
    result = run(env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file))
    # THEN it takes over the dead run's lock, resumes from 10 % and completes
    assert result.returncode == 0, result.stderr
    assert "took over a stale lock" in result.stdout
    assert "resuming an interrupted switch to green" in result.stdout
    assert world.weights() == {"blue": 0, "green": 100}
    assert read_blue_green(stack_file)["catalog"]["activeColor"] == "green"


def test_a_concurrent_switch_is_refused(env, world: World, stack_file: Path) -> None:
    # The first switch must still hold the lock when the second starts: a 2 s bake was shorter than a
    # second interpreter's start on a loaded machine, so the lock is held for a bake no start-up outlasts.
    first = subprocess.Popen(
        cli(
            env, "--to", "green", "--steps", "10,100", "--bake", "20", "--poll", "0.2", "--stack-file", str(stack_file)
        ),
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: world.weights()["green"] == 10)
    second = run(env, "--to", "green", "--bake", "0", "--stack-file", str(stack_file))
    assert second.returncode == 3
    assert "another switch holds the lock on this listener rule" in second.stderr
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert world.weights() == {"blue": 0, "green": 100}
