"""The switch engine against moto in-process: discovery, preflight, shift, gates, lock, rollback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from stacks.operations import switch as sw
from tests.bluegreen.aws_world import TEST_KEY, World


class UnhealthyTargets:
    """The seam for a state moto cannot express: moto reports every registered ``ip`` target healthy."""

    def __init__(self, inner: sw.HealthSource, color_tg: str) -> None:
        self.inner = inner
        self.color_tg = color_tg

    def target_health(self, target_group_arn: str) -> list[sw.TargetHealth]:
        real = self.inner.target_health(target_group_arn)  # the real boto3 call still happens
        if target_group_arn != self.color_tg:
            return real
        return [sw.TargetHealth(real[0].target, "unhealthy", "Target.ResponseCodeMismatch"), *real[1:]]

    def service_state(self, service_arn: str) -> sw.ServiceState:
        return self.inner.service_state(service_arn)

    def alarm_states(self, alarm_names: Sequence[str]) -> dict[str, str]:
        return self.inner.alarm_states(alarm_names)


def test_discovery_finds_the_weighted_rule_not_the_header_test_rules(harness, world: World) -> None:
    # GIVEN a pair whose listener also has one header test rule per colour
    # WHEN the pair is discovered by tags
    pair = harness.pair()
    # THEN the weighted rule, both target groups, both services and each colour's alarm are found
    assert pair.rule_arn == world.rule_arn
    assert dict(pair.target_groups) == world.target_groups
    assert dict(pair.services) == world.services
    assert {c: list(a) for c, a in pair.alarms.items()} == {c: [world.alarms[c]] for c in ("blue", "green")}


def test_explicit_arns_replace_discovery(harness, world: World) -> None:
    # GIVEN only the rule ARN and the service ARNs on the command line
    explicit = sw.ExplicitArns(rule=world.rule_arn, services=world.services)
    # WHEN discovered
    pair = sw.discover(harness.aws, "prod", "catalog", explicit)
    # THEN the target groups come from the rule's forward action and their Color tags
    assert dict(pair.target_groups) == world.target_groups


def test_discovery_names_the_missing_tag(harness) -> None:
    with pytest.raises(sw.DiscoveryError, match=r"Environment=prod, Service=search, Color=blue; found 0"):
        sw.discover(harness.aws, "prod", "search")


def test_a_pair_in_ecs_native_mode_is_refused_with_the_way_to_deploy_it(harness, world: World) -> None:
    # GIVEN target groups tagged by the component's ECS-native mode
    world.client("elbv2").add_tags(
        ResourceArns=list(world.target_groups.values()), Tags=[{"Key": "BlueGreenMode", "Value": "ecs-native"}]
    )
    # WHEN the switch looks for the pair THEN it refuses, saying how such a service is deployed
    with pytest.raises(sw.DiscoveryError, match=r"uses ECS's native BLUE_GREEN deployments .* `pulumi up -s prod`"):
        sw.discover(harness.aws, "prod", "catalog")


def test_status_shows_weights_health_tasks_and_images(harness) -> None:
    # WHEN the status is read
    status = harness.switcher().status()
    text = status.render(now=harness.now)
    # THEN each colour's weight, healthy targets, task counts and image are shown
    assert status.weights == {"blue": 100, "green": 0}
    assert "blue      100%  2/2             2/2                    1 OK        registry.example/catalog:v1" in text
    assert "green       0%  2/2             2/2                    1 OK        registry.example/catalog:v2" in text
    assert "lock: free" in text


def test_happy_path_shifts_10_then_50_then_100_and_records_the_active_colour(harness, world: World) -> None:
    # GIVEN blue takes all traffic and green is steady and healthy
    seen: list[dict[str, int]] = []
    switcher = harness.switcher(on_step=lambda i, w: seen.append(world.weights()))
    # WHEN switching to green in three steps with a 30 s bake
    outcome = switcher.switch("green", steps=(10, 50, 100), bake=30)
    # THEN the live weights went 10 -> 50 -> 100, each step baked 30 s, and the tags say green is active
    assert seen == [{"blue": 90, "green": 10}, {"blue": 50, "green": 50}, {"blue": 0, "green": 100}]
    assert world.weights() == {"blue": 0, "green": 100}
    assert outcome == sw.Outcome("green", {"green": 100, "blue": 0}, changed=True)
    tags = world.rule_tags()
    assert (tags["SwitchActive"], tags["SwitchPrevious"]) == ("green", "blue")
    assert not {"SwitchLock", "SwitchFrom", "SwitchTarget"} & set(tags)
    assert sum(s for s in harness.sleeps if s == 1.0) == 90  # 3 bakes x 30 s polled every 1 s
    assert "[2/3] green  50% [##########..........] blue=50/green=50" in harness.out.getvalue()


def test_switching_to_the_colour_already_active_changes_nothing(harness, world: World) -> None:
    outcome = harness.switcher().switch("blue", bake=0)
    assert outcome.changed is False
    assert world.weights() == {"blue": 100, "green": 0}


def test_preflight_refuses_an_unhealthy_target_colour_and_changes_nothing(harness, world: World) -> None:
    # GIVEN one of green's targets is unhealthy (injected at the HealthSource seam)
    health = UnhealthyTargets(harness.aws, world.target_groups["green"])
    before_tags = world.rule_tags()
    # WHEN switching to green
    with pytest.raises(sw.RefusedError, match=r"1/2 targets of green are not healthy: 10\.0\.2\.10:8000 unhealthy"):
        harness.switcher(health=health).switch("green", bake=0)
    # THEN neither the weights nor the rule's tags changed
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.rule_tags() == before_tags


def test_preflight_refuses_a_colour_whose_service_is_not_steady(aws_env) -> None:
    # GIVEN green's ECS service has 0 of 2 tasks running (moto's state right after create_service)
    import boto3
    from moto import mock_aws

    from tests.bluegreen.aws_world import REGION, build_world
    from tests.bluegreen.conftest import Harness

    with mock_aws():
        world = build_world(boto3.session.Session(region_name=REGION), steady=("blue",), targets={"blue": 2})
        harness = Harness(world)
        # WHEN switching to green THEN the refusal lists every reason
        with pytest.raises(sw.RefusedError) as err:
            harness.switcher().switch("green", bake=0)
        assert "ECS service catalog-green is not steady: 0/2 tasks running" in str(err.value)
        assert "target group of green has no registered targets" in str(err.value)
        assert world.weights() == {"blue": 100, "green": 0}


def test_preflight_refuses_a_colour_scaled_to_zero(harness, world: World) -> None:
    world.make_steady("green", 0)
    with pytest.raises(sw.RefusedError, match=r"catalog-green has desiredCount 0; set green.desiredCount"):
        harness.switcher().switch("green", bake=0)


def test_preflight_refuses_a_colour_whose_alarm_fires(harness, world: World) -> None:
    world.set_alarm("green")
    with pytest.raises(sw.RefusedError, match=r"alarm catalog-green-5xx of green is in ALARM"):
        harness.switcher().switch("green", bake=0)
    assert world.weights() == {"blue": 100, "green": 0}


def test_an_alarm_during_a_bake_restores_the_previous_weights(harness, world: World) -> None:
    # GIVEN the green alarm goes into ALARM right after the second step (50 %)
    def on_step(i: int, weights: Mapping[str, int]) -> None:
        if i == 2:
            world.set_alarm("green")

    # WHEN switching
    with pytest.raises(
        sw.GateFailedError, match=r"gate failed at green 50%: alarm catalog-green-5xx of green is in ALARM"
    ) as err:
        harness.switcher(on_step=on_step).switch("green", steps=(10, 50, 100), bake=30)
    # THEN all traffic is back on blue, the restore point is reported and the lock is released
    assert world.weights() == {"blue": 100, "green": 0}
    assert err.value.restored == {"blue": 100, "green": 0}
    assert err.value.exit_code == 4
    tags = world.rule_tags()
    assert tags["SwitchActive"] == "blue"
    assert not {"SwitchLock", "SwitchFrom", "SwitchTarget"} & set(tags)


def test_unhealthy_targets_during_a_bake_restore_the_previous_weights(harness, world: World) -> None:
    class TurnsUnhealthy(UnhealthyTargets):
        armed = False

        def target_health(self, target_group_arn: str) -> list[sw.TargetHealth]:
            return super().target_health(target_group_arn) if self.armed else self.inner.target_health(target_group_arn)

    health = TurnsUnhealthy(harness.aws, world.target_groups["green"])

    def on_step(i: int, weights: Mapping[str, int]) -> None:
        health.armed = True

    with pytest.raises(sw.GateFailedError, match=r"gate failed at green 10%: 1/2 targets of green are not healthy"):
        harness.switcher(health=health, on_step=on_step).switch("green", bake=5)
    assert world.weights() == {"blue": 100, "green": 0}


class Crash(BaseException):
    """A hard crash: like SIGKILL, no `finally` of the switch gets to release the lock."""


def test_a_rerun_after_a_crash_between_steps_resumes_and_completes(harness, world: World, monkeypatch) -> None:
    # GIVEN a switch that dies (process gone, lock left behind) right after the 10 % step
    def crash(i: int, weights: Mapping[str, int]) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(sw.RuleLock, "release", lambda self: None)  # a killed process releases nothing
        with pytest.raises(Crash):
            harness.switcher(on_step=crash, lock_identity={"pid": 999_999}).switch("green", bake=0)
    assert world.weights() == {"blue": 90, "green": 10}
    left = world.rule_tags()
    assert left["SwitchTarget"] == "green" and left["SwitchFrom"] == "blue=100/green=0"
    assert ":999999:" in left["SwitchLock"]
    # WHEN the operator reruns the same command (same host, the old pid is dead)
    seen: list[dict[str, int]] = []
    outcome = harness.switcher(on_step=lambda i, w: seen.append(dict(w))).switch("green", bake=0)
    # THEN it takes over the stale lock, continues from the live 10 % and completes
    assert seen == [{"green": 50, "blue": 50}, {"green": 100, "blue": 0}]
    assert outcome.active == "green" and world.weights() == {"blue": 0, "green": 100}
    assert "took over a stale lock" in harness.out.getvalue()
    assert "resuming an interrupted switch to green (restore point blue=100/green=0)" in harness.out.getvalue()
    assert "SwitchLock" not in world.rule_tags()


def test_a_rollback_after_a_crash_returns_to_the_last_fully_active_colour(harness, world: World, monkeypatch) -> None:
    def crash(i: int, weights: Mapping[str, int]) -> None:
        if i == 2:
            raise Crash

    with monkeypatch.context() as m:
        m.setattr(sw.RuleLock, "release", lambda self: None)
        with pytest.raises(Crash):
            harness.switcher(on_step=crash, lock_identity={"pid": 999_999}).switch("green", bake=0)
    assert world.weights() == {"blue": 50, "green": 50}
    outcome = harness.switcher().rollback()
    assert outcome.active == "blue" and world.weights() == {"blue": 100, "green": 0}


def test_a_second_concurrent_switch_is_refused(harness, world: World) -> None:
    # GIVEN another operator's live lock (another host, not expired)
    token = sw.LockToken("alice", "laptop", 4242, int(harness.now) + 600, "abcd1234")
    world.client("elbv2").add_tags(ResourceArns=[world.rule_arn], Tags=[{"Key": "SwitchLock", "Value": token.render()}])
    # WHEN a second switch starts THEN it is refused, naming the holder, and nothing changes
    with pytest.raises(
        sw.RefusedError, match=r"another switch holds the lock .*alice@laptop pid 4242, expires in 600s"
    ):
        harness.switcher().switch("green", bake=0)
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.rule_tags()["SwitchLock"] == token.render()


def test_an_expired_lock_is_taken_over(harness, world: World) -> None:
    token = sw.LockToken("alice", "laptop", 4242, int(harness.now) - 1, "abcd1234")
    world.client("elbv2").add_tags(ResourceArns=[world.rule_arn], Tags=[{"Key": "SwitchLock", "Value": token.render()}])
    assert harness.switcher().switch("green", bake=0).active == "green"


def test_break_lock_takes_over_a_live_lock(harness, world: World) -> None:
    token = sw.LockToken("alice", "laptop", 4242, int(harness.now) + 600, "abcd1234")
    world.client("elbv2").add_tags(ResourceArns=[world.rule_arn], Tags=[{"Key": "SwitchLock", "Value": token.render()}])
    assert harness.switcher().switch("green", bake=0, break_lock=True).active == "green"


def test_a_lock_overwritten_during_the_settle_time_is_lost_by_the_first_writer(harness, world: World) -> None:
    # GIVEN two runs that both read "no lock"; the second writes its token while the first settles
    first = sw.RuleLock(harness.aws, world.rule_arn, lease_seconds=600, clock=harness.clock, user="a", host="h1")
    theirs = sw.LockToken("b", "h2", 7, int(harness.now) + 600, "0badf00d").render()
    first.sleep = lambda s: harness.aws.set_rule_tags(world.rule_arn, {"SwitchLock": theirs})
    # WHEN the first checks again after its settle time THEN it is refused and the second holds the lock
    with pytest.raises(sw.RefusedError, match=r"took the lock at the same moment \(b@h2:7:"):
        first.acquire()
    assert first.held is None and world.rule_tags()["SwitchLock"] == theirs


def test_weights_changed_by_someone_else_abort_the_switch(harness, world: World) -> None:
    # GIVEN someone edits the rule by hand right after the first step
    def meddle(i: int, weights: Mapping[str, int]) -> None:
        if i == 1:
            sw.write_weights(harness.aws, harness.pair(), {"blue": 70, "green": 30})

    # WHEN the switch continues THEN it stops without touching the weights again
    with pytest.raises(sw.AbortedError, match=r"expected blue=90/green=10, live blue=70/green=30"):
        harness.switcher(on_step=meddle).switch("green", bake=0)
    assert world.weights() == {"blue": 70, "green": 30}
    assert "SwitchLock" not in world.rule_tags()


def test_throttled_calls_are_retried_by_botocore(harness, world: World) -> None:
    # GIVEN the first two ModifyRule calls are throttled by "AWS"
    from botocore.awsrequest import AWSResponse

    calls = {"throttled": 0}

    class Raw:
        def stream(self, **kwargs: object) -> list[bytes]:
            return []

    def throttle(request: object, **kwargs: object) -> AWSResponse | None:
        if calls["throttled"] < 2:
            calls["throttled"] += 1
            body = (
                b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                b"<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
            )
            response = AWSResponse("https://elasticloadbalancing.us-east-1.amazonaws.com/", 400, {}, Raw())
            response._content = body  # type: ignore[attr-defined]
            return response
        return None

    harness.aws.elbv2.meta.events.register_first("before-send.elastic-load-balancing-v2.ModifyRule", throttle)
    # WHEN switching
    harness.switcher().switch("green", steps=(100,), bake=0)
    # THEN both throttles were absorbed by retries and the switch completed
    assert calls["throttled"] == 2
    assert world.weights() == {"blue": 0, "green": 100}


def test_dry_run_changes_nothing(harness, world: World) -> None:
    before = world.rule_tags()
    harness.switcher().switch("green", dry_run=True, bake=10)
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.rule_tags() == before
    assert "dry run: would shift green 10% -> green 50% -> green 100%" in harness.out.getvalue()


def test_rollback_after_a_completed_switch_returns_to_the_previous_colour(harness, world: World) -> None:
    harness.switcher().switch("green", bake=0)
    outcome = harness.switcher().rollback()
    assert outcome.active == "blue" and world.weights() == {"blue": 100, "green": 0}
    tags = world.rule_tags()
    assert (tags["SwitchActive"], tags["SwitchPrevious"]) == ("blue", "green")


def test_the_smoke_url_gate_requires_http_200_for_the_target_colour(harness, world: World) -> None:
    import http.server
    import threading

    seen_headers: list[tuple[str | None, str | None]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen_headers.append((self.headers.get("X-Deployment-Color"), self.headers.get("X-Deployment-Key")))
            self.send_response(503 if len(seen_headers) > 1 else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/healthz"
        with pytest.raises(sw.GateFailedError, match=r"gate failed at green 50%: smoke test .* returned HTTP 503"):
            harness.switcher().switch("green", bake=0, smoke_url=url)
    finally:
        server.shutdown()
    # the colour and the secret key, read from green's live test rule: what the load balancer checks
    assert seen_headers == [("green", TEST_KEY), ("green", TEST_KEY)]
    assert world.weights() == {"blue": 100, "green": 0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10,50", r"must end at 100"),
        ("50,10,100", r"strictly increasing"),
        ("0,100", r"strictly increasing percentages in 1..100"),
        ("ten", r"comma-separated integers"),
    ],
)
def test_bad_steps_are_refused_with_the_fix(text: str, message: str) -> None:
    with pytest.raises(sw.SwitchError, match=message):
        sw.parse_steps(text)


def test_steps_parse_to_increasing_percentages() -> None:
    assert sw.parse_steps("10, 50,100") == (10, 50, 100)


def test_lock_tokens_round_trip() -> None:
    token = sw.LockToken("bob", "ci-runner-1", 12, 1_700_000_000, "deadbeef")
    assert sw.LockToken.parse(token.render()) == token
    assert sw.LockToken.parse("garbage") is None
