"""Blue-green traffic switching against the live account (the engine of ``python -m stacks switch``).

The operator command needs AWS credentials but no Pulumi state. It finds a service's blue-green pair
by tags (``Environment``, ``Service``, ``Color``) or by explicit ARNs, checks the target colour,
shifts the listener rule's weights step by step while watching gates, and records what it did in
tags on the listener rule so that a rerun, a ``--rollback`` or a second operator can see it.

Discovery (works against real AWS and moto alike):

* target groups, ECS services and CloudWatch alarms: the Resource Groups Tagging API
  (``get_resources`` with ``TagFilters`` Environment/Service/Color and a resource-type filter);
* the listener rule: from the target groups' load balancers, ``describe_listeners`` then
  ``describe_rules``; the rule is the one whose forward action names *both* colours' target groups
  (the per-colour header test rules forward to one). When several match, the one tagged
  Environment/Service wins.

State kept on the listener rule (tag keys all start with ``Switch`` so that the stack can tell
Pulumi to leave them alone):

* ``SwitchLock`` = ``<user>@<host>:<pid>:<expires-epoch>:<nonce>`` while a switch runs;
* ``SwitchFrom`` = ``blue=100/green=0``: the weights to restore if the running switch fails;
  ``SwitchTarget`` = the colour it is moving to (both removed when it ends);
* ``SwitchActive`` / ``SwitchPrevious``: the colour that last held 100 % and the one before it —
  what ``--rollback`` returns to.

The lock is best effort, not a consensus protocol: ELBv2 tags have no conditional write, so it is
"read, write our token, wait ``settle`` seconds, read again and proceed only if our token is still
there". Two operators can both win only if one's read-to-write gap exceeds the other's settle
time. On top of it every weight change is a compare-and-set: the live weights are read first and
the shift stops (exit 5) if they are not what this run last wrote. Stale locks (expired, or held by
a dead process on this host) are taken over; ``--break-lock`` takes over any lock.
"""

from __future__ import annotations

import functools
import getpass
import os
import re
import secrets
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

import boto3

from stacks.operations.aws_retry import call_with_retry, client_config

COLORS = ("blue", "green")

TAG_LOCK = "SwitchLock"
TAG_FROM = "SwitchFrom"
TAG_TARGET = "SwitchTarget"
TAG_ACTIVE = "SwitchActive"
TAG_PREVIOUS = "SwitchPrevious"
SWITCH_TAG_PREFIX = "Switch"

#: Exit codes of the operator command.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REFUSED = 3  # preflight failed or the lock is held: nothing was changed
EXIT_GATE_FAILED = 4  # a gate failed during a bake: the weights were restored
EXIT_ABORTED = 5  # someone else changed the weights or took the lock: stopped, nothing restored
EXIT_AWS = 6  # AWS could not be reached or refused a call (endpoint, credentials, permissions)
EXIT_INTERRUPTED = 130  # Ctrl-C: stopped between AWS calls; the stack file holds the last live weights

#: Images named by the live and the rollback task definitions carry ``keep-<holder>-<digest>``
#: tags, which the repository's lifecycle never expires (``components.container_image.keep_tag``
#: makes the same tag; this layer imports no first-party code, a test checks they agree).
KEEP_TAG_PREFIX = "keep-"
_ECR_IMAGE = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*?)(?:@(?P<digest>sha256:[0-9a-f]{64})|:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))$"
)

DEFAULT_STEPS = (10, 50, 100)


def other(color: str) -> str:
    return "green" if color == "blue" else "blue"


# --------------------------------------------------------------------------------------- errors


class SwitchError(Exception):
    """An operator-facing failure; ``exit_code`` is what the command returns."""

    exit_code = EXIT_USAGE


class DiscoveryError(SwitchError):
    exit_code = EXIT_USAGE


class RefusedError(SwitchError):
    """Preflight failed or the lock is held; nothing was changed."""

    exit_code = EXIT_REFUSED


class GateFailedError(SwitchError):
    """A gate failed during a bake; the previous weights were restored."""

    exit_code = EXIT_GATE_FAILED

    def __init__(self, message: str, restored: Mapping[str, int]) -> None:
        super().__init__(message)
        self.restored = dict(restored)


class AbortedError(SwitchError):
    """The weights or the lock changed under this run; it stopped without touching anything more."""

    exit_code = EXIT_ABORTED


# ------------------------------------------------------------------------------------ live data


@dataclass(frozen=True)
class Pair:
    """A discovered blue-green pair."""

    env: str
    service: str
    rule_arn: str
    target_groups: Mapping[str, str]
    services: Mapping[str, str]
    alarms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetHealth:
    target: str
    state: str
    reason: str = ""


@dataclass(frozen=True)
class ServiceState:
    name: str
    cluster: str
    running: int
    desired: int
    primary_deployments: int
    deployments: int
    image: str


class HealthSource(Protocol):
    """Where the switch reads health from. `AwsLive` implements it with boto3; tests may wrap it
    to express states moto cannot (an unhealthy ``ip`` target)."""

    def target_health(self, target_group_arn: str) -> list[TargetHealth]: ...

    def service_state(self, service_arn: str) -> ServiceState: ...

    def alarm_states(self, alarm_names: Sequence[str]) -> dict[str, str]: ...


def _tag_dict(tags: Iterable[Mapping[str, str]], key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in tags}


def parse_service_arn(arn: str) -> tuple[str, str]:
    """``arn:aws:ecs:<region>:<acct>:service/<cluster>/<name>`` -> (cluster, name)."""
    resource = arn.split(":", 5)[-1]
    parts = resource.split("/")
    if len(parts) != 3 or parts[0] != "service":
        raise DiscoveryError(
            f"{arn!r} is not an ECS service ARN in the long format "
            "'arn:aws:ecs:<region>:<account>:service/<cluster>/<name>'"
        )
    return parts[1], parts[2]


def keep_tag(holder: str, digest: str) -> str:
    """``keep-<holder>-<first 16 hex of the digest>``; with ``digest=""`` the prefix of every keep tag of
    ``holder``. The same tag as ``components.container_image.keep_tag``: at most 128 characters of
    ``[A-Za-z0-9._-]``, unique per holder and image, so adding one never collides with an IMMUTABLE tag."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", holder).strip("-")[:90]
    return f"{KEEP_TAG_PREFIX}{safe}-{digest.removeprefix('sha256:')[:16]}"


def alarm_name(arn: str) -> str:
    return arn.split(":alarm:", 1)[1] if ":alarm:" in arn else arn


class AwsLive:
    """Every boto3 call the switch makes, behind one small class (the seam tests wrap)."""

    def __init__(
        self,
        session: boto3.session.Session | None = None,
        *,
        retry_sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 8,
    ) -> None:
        session = session or boto3.session.Session()
        config = client_config(max_attempts)
        self.elbv2 = session.client("elbv2", config=config)
        self.ecs = session.client("ecs", config=config)
        self.cloudwatch = session.client("cloudwatch", config=config)
        self.tagging = session.client("resourcegroupstaggingapi", config=config)
        self.ecr = session.client("ecr", config=config)
        self._retry_sleep = retry_sleep
        self._images: dict[str, str] = {}

    def _call(self, fn: Callable[[], Any]) -> Any:
        return call_with_retry(fn, sleep=self._retry_sleep)

    # discovery
    def tagged(self, resource_type: str, tags: Mapping[str, str]) -> list[tuple[str, dict[str, str]]]:
        filters = [{"Key": k, "Values": [v]} for k, v in tags.items()]
        found: list[tuple[str, dict[str, str]]] = []
        paginator = self.tagging.get_paginator("get_resources")
        for page in paginator.paginate(TagFilters=filters, ResourceTypeFilters=[resource_type]):
            for item in page.get("ResourceTagMappingList", []):
                found.append((item["ResourceARN"], _tag_dict(item.get("Tags", []))))
        return found

    def load_balancers_of(self, target_group_arns: Sequence[str]) -> list[str]:
        groups = self._call(lambda: self.elbv2.describe_target_groups(TargetGroupArns=list(target_group_arns)))
        arns: list[str] = []
        for group in groups["TargetGroups"]:
            arns.extend(a for a in group.get("LoadBalancerArns", []) if a not in arns)
        return arns

    def rules_of(self, load_balancer_arn: str) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        for page in self.elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=load_balancer_arn):
            for listener in page["Listeners"]:
                for rpage in self.elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener["ListenerArn"]):
                    rules.extend(rpage["Rules"])
        return rules

    def resource_tags(self, arns: Sequence[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for i in range(0, len(arns), 20):
            chunk = list(arns[i : i + 20])
            resp = self._call(functools.partial(self.elbv2.describe_tags, ResourceArns=chunk))
            for desc in resp["TagDescriptions"]:
                out[desc["ResourceArn"]] = _tag_dict(desc.get("Tags", []))
        return out

    # the listener rule
    def rule(self, rule_arn: str) -> dict[str, Any]:
        rules = self._call(lambda: self.elbv2.describe_rules(RuleArns=[rule_arn]))["Rules"]
        if not rules:
            raise DiscoveryError(f"listener rule {rule_arn} not found")
        return dict(rules[0])

    def modify_forward(self, rule_arn: str, actions: list[dict[str, Any]]) -> None:
        self._call(lambda: self.elbv2.modify_rule(RuleArn=rule_arn, Actions=actions))

    def rule_tags(self, rule_arn: str) -> dict[str, str]:
        return self.resource_tags([rule_arn]).get(rule_arn, {})

    def set_rule_tags(self, rule_arn: str, tags: Mapping[str, str]) -> None:
        if tags:
            payload = [{"Key": k, "Value": v} for k, v in tags.items()]
            self._call(lambda: self.elbv2.add_tags(ResourceArns=[rule_arn], Tags=payload))

    def remove_rule_tags(self, rule_arn: str, keys: Sequence[str]) -> None:
        if keys:
            self._call(lambda: self.elbv2.remove_tags(ResourceArns=[rule_arn], TagKeys=list(keys)))

    # health
    def target_health(self, target_group_arn: str) -> list[TargetHealth]:
        resp = self._call(lambda: self.elbv2.describe_target_health(TargetGroupArn=target_group_arn))
        return [
            TargetHealth(
                target=f"{d['Target']['Id']}:{d['Target'].get('Port', '')}",
                state=d["TargetHealth"]["State"],
                reason=d["TargetHealth"].get("Reason", ""),
            )
            for d in resp["TargetHealthDescriptions"]
        ]

    def service_state(self, service_arn: str) -> ServiceState:
        cluster, name = parse_service_arn(service_arn)
        resp = self._call(lambda: self.ecs.describe_services(cluster=cluster, services=[service_arn]))
        if not resp["services"]:
            raise DiscoveryError(f"ECS service {service_arn} not found")
        svc = resp["services"][0]
        deployments = svc.get("deployments", [])
        container = (svc.get("loadBalancers") or [{}])[0].get("containerName")
        return ServiceState(
            name=name,
            cluster=cluster,
            running=int(svc.get("runningCount", 0)),
            desired=int(svc.get("desiredCount", 0)),
            primary_deployments=sum(1 for d in deployments if d.get("status") == "PRIMARY"),
            deployments=len(deployments),
            image=self._image(svc.get("taskDefinition", ""), container),
        )

    def _image(self, task_definition: str, container: str | None) -> str:
        if not task_definition:
            return "?"
        key = f"{task_definition}#{container}"
        if key not in self._images:
            td = self._call(lambda: self.ecs.describe_task_definition(taskDefinition=task_definition))
            containers = td["taskDefinition"].get("containerDefinitions", [])
            chosen = next((c for c in containers if c.get("name") == container), containers[0] if containers else {})
            self._images[key] = str(chosen.get("image", "?"))
        return self._images[key]

    def service_image(self, service_arn: str) -> str:
        """The image of the service's container behind the load balancer (its task definition's)."""
        return self.service_state(service_arn).image

    # keep tags on ECR images
    def keep_image(self, image: str, holder: str) -> str:
        """Tag the ECR ``image`` (``<registry>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:…`` or
        ``…:<tag>``) with ``keep_tag(holder, digest)`` and release ``holder``'s keep tag from any other
        image of the repository. Idempotent. Returns what was done, for the progress display."""
        match = _ECR_IMAGE.match(image)
        if not match:
            return f"{image} is not an ECR image; nothing to keep"
        repo, registry = match["repository"], match["registry"]
        image_id = {"imageDigest": match["digest"]} if match["digest"] else {"imageTag": match["tag"]}
        found = self._call(
            lambda: self.ecr.batch_get_image(repositoryName=repo, registryId=registry, imageIds=[image_id])
        )
        if not found.get("images"):
            failure = (found.get("failures") or [{}])[0]
            return f"{image} not found in ECR ({failure.get('failureCode', 'ImageNotFound')}); nothing to keep"
        got = found["images"][0]
        digest = got["imageId"]["imageDigest"]
        tag = keep_tag(holder, digest)
        kwargs: dict[str, Any] = {
            "repositoryName": repo,
            "registryId": registry,
            "imageManifest": got["imageManifest"],
            "imageTag": tag,
            "imageDigest": digest,
        }
        if got.get("imageManifestMediaType"):
            kwargs["imageManifestMediaType"] = got["imageManifestMediaType"]
        try:
            self._call(lambda: self.ecr.put_image(**kwargs))
            done = f"tagged {repo}@{digest[:19]}… {tag}"
        except self.ecr.exceptions.ImageAlreadyExistsException:
            done = f"{repo}@{digest[:19]}… already tagged {tag}"
        stale = [t for t in self._tags_with_prefix(repo, registry, keep_tag(holder, "")) if t != tag]
        if stale:
            ids = [{"imageTag": t} for t in stale]
            self._call(lambda: self.ecr.batch_delete_image(repositoryName=repo, registryId=registry, imageIds=ids))
            done += f"; released {', '.join(sorted(stale))}"
        return done

    def _tags_with_prefix(self, repo: str, registry: str, prefix: str) -> list[str]:
        tags: list[str] = []
        paginator = self.ecr.get_paginator("list_images")
        for page in paginator.paginate(repositoryName=repo, registryId=registry, filter={"tagStatus": "TAGGED"}):
            tags.extend(i["imageTag"] for i in page.get("imageIds", []) if i.get("imageTag", "").startswith(prefix))
        return tags

    def alarm_states(self, alarm_names: Sequence[str]) -> dict[str, str]:
        states: dict[str, str] = {}
        names = list(alarm_names)
        for i in range(0, len(names), 100):
            chunk = names[i : i + 100]
            resp = self._call(functools.partial(self.cloudwatch.describe_alarms, AlarmNames=chunk))
            for alarm in resp.get("MetricAlarms", []) + resp.get("CompositeAlarms", []):
                states[alarm["AlarmName"]] = alarm["StateValue"]
        return states


# ------------------------------------------------------------------------------------ discovery


@dataclass(frozen=True)
class ExplicitArns:
    """ARNs given on the command line instead of tag discovery (any subset)."""

    rule: str | None = None
    target_groups: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, str] = field(default_factory=dict)


def _by_color(found: list[tuple[str, dict[str, str]]], what: str, env: str, service: str) -> dict[str, str]:
    by_color: dict[str, list[str]] = {c: [] for c in COLORS}
    for arn, tags in found:
        color = tags.get("Color")
        if color in by_color:
            by_color[color].append(arn)
    out: dict[str, str] = {}
    for color, arns in by_color.items():
        if len(arns) != 1:
            shown = ", ".join(arns) or "none"
            raise DiscoveryError(
                f"expected exactly one {what} tagged Environment={env}, Service={service}, Color={color}; "
                f"found {len(arns)} ({shown}); fix the tags or pass the ARN explicitly"
            )
        out[color] = arns[0]
    return out


def _forward_groups(rule: Mapping[str, Any]) -> dict[str, int]:
    """{target group ARN: weight} of the rule's forward action ({} if it has none)."""
    for action in rule.get("Actions", []):
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            return {g["TargetGroupArn"]: int(g.get("Weight", 1)) for g in groups}
        if action.get("TargetGroupArn"):
            return {action["TargetGroupArn"]: 1}
    return {}


def discover(aws: AwsLive, env: str, service: str, explicit: ExplicitArns | None = None) -> Pair:
    """Find the pair by tags (or the explicit ARNs); raise `DiscoveryError` naming what is missing."""
    explicit = explicit or ExplicitArns()
    base = {"Environment": env, "Service": service}

    target_groups = dict(explicit.target_groups)
    if len(target_groups) < 2 and explicit.rule:
        forward = list(_forward_groups(aws.rule(explicit.rule)))
        tags = aws.resource_tags(forward)
        for arn in forward:
            color = tags.get(arn, {}).get("Color")
            if color in COLORS and color not in target_groups:
                target_groups[color] = arn
    if len(target_groups) < 2:
        found = _by_color(aws.tagged("elasticloadbalancing:targetgroup", base), "target group", env, service)
        target_groups = {**found, **target_groups}
    native = [
        arn
        for arn, tags in aws.resource_tags(list(target_groups.values())).items()
        if tags.get("BlueGreenMode") == "ecs-native"
    ]
    if native:
        raise DiscoveryError(
            f"{service} in {env} uses ECS's native BLUE_GREEN deployments (tag BlueGreenMode=ecs-native): ECS "
            f"shifts its traffic itself during a deployment; start one with `pulumi up -s {env}` and a new image "
            "instead of switching here"
        )

    rule_arn = explicit.rule
    if rule_arn is None:
        wanted = set(target_groups.values())
        candidates: list[str] = []
        for lb in aws.load_balancers_of(list(wanted)):
            for rule in aws.rules_of(lb):
                if set(_forward_groups(rule)) == wanted and rule["RuleArn"] not in candidates:
                    candidates.append(rule["RuleArn"])
        if len(candidates) > 1:
            tags = aws.resource_tags(candidates)
            candidates = [a for a in candidates if all(tags.get(a, {}).get(k) == v for k, v in base.items())]
        if len(candidates) != 1:
            raise DiscoveryError(
                f"expected one listener rule forwarding to both target groups of {service} in {env}, "
                f"found {len(candidates)}; pass --listener-rule-arn"
            )
        rule_arn = candidates[0]

    services = dict(explicit.services)
    if len(services) < 2:
        found = _by_color(aws.tagged("ecs:service", base), "ECS service", env, service)
        services = {**found, **services}

    alarms: dict[str, tuple[str, ...]] = {}
    for color in COLORS:
        tagged = aws.tagged("cloudwatch:alarm", {**base, "Color": color})
        alarms[color] = tuple(sorted(alarm_name(arn) for arn, _ in tagged))
    return Pair(env, service, rule_arn, target_groups, services, alarms)


# ---------------------------------------------------------------------------------- the weights


def read_weights(aws: AwsLive, pair: Pair) -> dict[str, int]:
    forward = _forward_groups(aws.rule(pair.rule_arn))
    weights = {c: forward.get(pair.target_groups[c], 0) for c in COLORS}
    total = sum(weights.values())
    if total != 100 and total > 0:  # weights are relative; show them as percent
        weights = {"blue": round(100 * weights["blue"] / total), "green": 0}
        weights["green"] = 100 - weights["blue"]
    return weights


def write_weights(aws: AwsLive, pair: Pair, weights: Mapping[str, int]) -> None:
    """Rewrite the rule's forward action with ``weights``; other actions and stickiness are kept."""
    rule = aws.rule(pair.rule_arn)
    actions: list[dict[str, Any]] = []
    for action in rule.get("Actions", []):
        action = dict(action)
        if action.get("Type") == "forward":
            action.pop("TargetGroupArn", None)
            forward = dict(action.get("ForwardConfig") or {})
            forward["TargetGroups"] = [
                {"TargetGroupArn": pair.target_groups[c], "Weight": int(weights[c])} for c in COLORS
            ]
            forward.setdefault("TargetGroupStickinessConfig", {"Enabled": False})
            action["ForwardConfig"] = forward
        actions.append(action)
    aws.modify_forward(pair.rule_arn, actions)


def render_weights(weights: Mapping[str, int]) -> str:
    return f"blue={weights['blue']}/green={weights['green']}"


def parse_weights(value: str) -> dict[str, int] | None:
    match = re.fullmatch(r"blue=(\d{1,3})/green=(\d{1,3})", value.strip())
    if not match:
        return None
    weights = {"blue": int(match.group(1)), "green": int(match.group(2))}
    return weights if sum(weights.values()) == 100 else None


def parse_steps(text: str) -> tuple[int, ...]:
    """``"10,50,100"`` -> (10, 50, 100): strictly increasing percentages ending at 100."""
    try:
        steps = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise SwitchError(f"--steps {text!r}: use comma-separated integers such as 10,50,100") from None
    if not steps or any(not 1 <= s <= 100 for s in steps) or list(steps) != sorted(set(steps)):
        raise SwitchError(f"--steps {text!r}: use strictly increasing percentages in 1..100, such as 10,50,100")
    if steps[-1] != 100:
        raise SwitchError(f"--steps {text!r} must end at 100 (the target colour takes all traffic); add ',100'")
    return steps


# ----------------------------------------------------------------------------------------- lock


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)[:60] or "unknown"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class LockToken:
    user: str
    host: str
    pid: int
    expires: int
    nonce: str

    def render(self) -> str:
        return f"{self.user}@{self.host}:{self.pid}:{self.expires}:{self.nonce}"

    @classmethod
    def parse(cls, value: str) -> LockToken | None:
        match = re.fullmatch(r"([^@:]+)@([^:]+):(\d+):(\d+):([0-9a-f]+)", value)
        if not match:
            return None
        return cls(match.group(1), match.group(2), int(match.group(3)), int(match.group(4)), match.group(5))

    def describe(self, now: float) -> str:
        left = self.expires - int(now)
        return (
            f"{self.user}@{self.host} pid {self.pid}, expires in {left}s"
            if left > 0
            else (f"{self.user}@{self.host} pid {self.pid}, expired {-left}s ago")
        )


class RuleLock:
    """A lease held in the ``SwitchLock`` tag of the listener rule (see the module docstring)."""

    def __init__(
        self,
        aws: AwsLive,
        rule_arn: str,
        *,
        lease_seconds: int,
        settle_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        user: str | None = None,
        host: str | None = None,
        pid: int | None = None,
        pid_alive: Callable[[int], bool] = _pid_alive,
    ) -> None:
        self.aws = aws
        self.rule_arn = rule_arn
        self.lease_seconds = lease_seconds
        self.settle_seconds = settle_seconds
        self.clock = clock
        self.sleep = sleep
        self.user = _clean(user or getpass.getuser())
        self.host = _clean(host or socket.gethostname())
        self.pid = pid if pid is not None else os.getpid()
        self.pid_alive = pid_alive
        self.nonce = secrets.token_hex(4)
        self.held: LockToken | None = None

    def _token(self) -> LockToken:
        return LockToken(self.user, self.host, self.pid, int(self.clock()) + self.lease_seconds, self.nonce)

    def stale(self, token: LockToken | None) -> bool:
        if token is None:
            return True  # unparseable: not written by this tool's current version
        if token.expires <= self.clock():
            return True
        return token.host == self.host and token.pid != self.pid and not self.pid_alive(token.pid)

    def acquire(self, *, break_lock: bool = False) -> str | None:
        """Take the lock; return a note when a stale or broken lock was taken over. Raise `RefusedError`."""
        current = self.aws.rule_tags(self.rule_arn).get(TAG_LOCK)
        note = None
        if current:
            token = LockToken.parse(current)
            if not (break_lock or self.stale(token)):
                assert token is not None
                raise RefusedError(
                    f"another switch holds the lock on this listener rule ({token.describe(self.clock())}); "
                    "wait for it to finish, or if that process is gone pass --break-lock"
                )
            note = f"took over a {'broken' if break_lock else 'stale'} lock ({current})"
        mine = self._token()
        self.aws.set_rule_tags(self.rule_arn, {TAG_LOCK: mine.render()})
        self.sleep(self.settle_seconds)
        after = self.aws.rule_tags(self.rule_arn).get(TAG_LOCK)
        if after != mine.render():
            raise RefusedError(f"another switch took the lock at the same moment ({after}); try again later")
        self.held = mine
        return note

    def renew(self) -> None:
        """Check the lock is still ours and extend the lease; raise `AbortedError` if it is not."""
        current = self.aws.rule_tags(self.rule_arn).get(TAG_LOCK)
        if self.held is None or current != self.held.render():
            raise AbortedError(
                f"lost the switch lock (it is now {current or 'absent'}); stopping without further changes"
            )
        mine = self._token()
        self.aws.set_rule_tags(self.rule_arn, {TAG_LOCK: mine.render()})
        self.held = mine

    def release(self) -> None:
        if self.held is None:
            return
        current = self.aws.rule_tags(self.rule_arn).get(TAG_LOCK)
        if current == self.held.render():
            self.aws.remove_rule_tags(self.rule_arn, [TAG_LOCK])
        self.held = None


# --------------------------------------------------------------------------------------- status


@dataclass(frozen=True)
class ColorStatus:
    color: str
    weight: int
    targets: tuple[TargetHealth, ...]
    service: ServiceState
    alarms: Mapping[str, str]

    @property
    def healthy(self) -> int:
        return sum(1 for t in self.targets if t.state == "healthy")


@dataclass(frozen=True)
class Status:
    pair: Pair
    colors: Mapping[str, ColorStatus]
    tags: Mapping[str, str]

    @property
    def weights(self) -> dict[str, int]:
        return {c: self.colors[c].weight for c in COLORS}

    def render(self, now: float | None = None) -> str:
        now = time.time() if now is None else now
        lines = [
            f"{self.pair.service} in {self.pair.env}: listener rule {self.pair.rule_arn}",
            f"{'colour':<7}{'weight':>7}  {'targets healthy':<16}{'tasks running/desired':<23}{'alarms':<12}image",
        ]
        for c in COLORS:
            s = self.colors[c]
            alarming = [n for n, st in s.alarms.items() if st == "ALARM"]
            alarm_text = f"{len(alarming)} ALARM" if alarming else f"{len(s.alarms)} OK"
            lines.append(
                f"{c:<7}{s.weight:>6}%  {f'{s.healthy}/{len(s.targets)}':<16}"
                f"{f'{s.service.running}/{s.service.desired}':<23}{alarm_text:<12}{s.service.image}"
            )
            for name in alarming:
                lines.append(f"{'':<7}alarm {name} is in ALARM")
        active = self.tags.get(TAG_ACTIVE, "unknown")
        previous = self.tags.get(TAG_PREVIOUS, "none")
        lines.append(
            f"last fully active: {active} (before it: {previous}); --rollback goes to {rollback_target(self) or 'nothing'}"
        )
        if self.tags.get(TAG_TARGET):
            lines.append(
                f"switch in progress to {self.tags[TAG_TARGET]} (restore point {self.tags.get(TAG_FROM, '?')})"
            )
        lock = self.tags.get(TAG_LOCK)
        token = LockToken.parse(lock) if lock else None
        lines.append(f"lock: {token.describe(now) if token else (lock or 'free')}")
        return "\n".join(lines)


def rollback_target(status: Status) -> str | None:
    """The colour ``--rollback`` returns to: the last fully active one if traffic is split or moving,
    else the one active before it."""
    weights = status.weights
    active = status.tags.get(TAG_ACTIVE)
    full = next((c for c in COLORS if weights[c] == 100), None)
    if full is None or status.tags.get(TAG_TARGET):
        return active if active in COLORS else None
    previous = status.tags.get(TAG_PREVIOUS)
    return previous if previous in COLORS and previous != full else None


# ----------------------------------------------------------------------------------- the switch


@dataclass(frozen=True)
class Outcome:
    """What a switch or rollback left live (what the stack file must say)."""

    active: str
    weights: Mapping[str, int]
    changed: bool


class Switcher:
    """Preflight, shift, bake and gate for one pair. Output goes to ``out`` (a progress display)."""

    def __init__(
        self,
        aws: AwsLive,
        pair: Pair,
        *,
        health: HealthSource | None = None,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = 5.0,
        settle_seconds: float = 2.0,
        on_step: Callable[[int, Mapping[str, int]], None] | None = None,
        smoke_header: str | None = "X-Deployment-Color",
        lock_identity: Mapping[str, Any] | None = None,
    ) -> None:
        self.aws = aws
        self.pair = pair
        self.health: HealthSource = health or aws
        self.out = out or sys.stdout
        self.clock = clock
        self.sleep = sleep
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self.on_step = on_step
        self.smoke_header = smoke_header
        self.lock_identity = dict(lock_identity or {})

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # reading
    def status(self) -> Status:
        weights = read_weights(self.aws, self.pair)
        colors = {
            c: ColorStatus(
                color=c,
                weight=weights[c],
                targets=tuple(self.health.target_health(self.pair.target_groups[c])),
                service=self.health.service_state(self.pair.services[c]),
                alarms=self.health.alarm_states(self.pair.alarms.get(c, ())) if self.pair.alarms.get(c) else {},
            )
            for c in COLORS
        }
        return Status(self.pair, colors, self.aws.rule_tags(self.pair.rule_arn))

    def preflight(self, color: str) -> list[str]:
        """Reasons the colour cannot take traffic ([] if it can)."""
        problems: list[str] = []
        svc = self.health.service_state(self.pair.services[color])
        if svc.desired <= 0:
            problems.append(
                f"ECS service {svc.name} has desiredCount 0; set {color}.desiredCount in the stack file and "
                "run `pulumi up` first"
            )
        elif svc.running != svc.desired:
            problems.append(f"ECS service {svc.name} is not steady: {svc.running}/{svc.desired} tasks running")
        if svc.primary_deployments != 1 or svc.deployments != 1:
            problems.append(
                f"ECS service {svc.name} has {svc.deployments} deployments ({svc.primary_deployments} PRIMARY); "
                "wait for the rollout to finish"
            )
        problems.extend(self._health_problems(color))
        problems.extend(self._alarm_problems(color))
        return problems

    def _health_problems(self, color: str) -> list[str]:
        targets = self.health.target_health(self.pair.target_groups[color])
        if not targets:
            return [f"target group of {color} has no registered targets"]
        bad = [t for t in targets if t.state != "healthy"]
        if bad:
            shown = ", ".join(f"{t.target} {t.state}" + (f" ({t.reason})" if t.reason else "") for t in bad)
            return [f"{len(bad)}/{len(targets)} targets of {color} are not healthy: {shown}"]
        return []

    def _alarm_problems(self, color: str) -> list[str]:
        names = self.pair.alarms.get(color, ())
        if not names:
            return []
        states = self.health.alarm_states(names)
        return [f"alarm {n} of {color} is in ALARM" for n in names if states.get(n) == "ALARM"]

    def _smoke_problems(self, url: str | None, color: str) -> list[str]:
        if not url:
            return []
        request = urllib.request.Request(url, headers={self.smoke_header: color} if self.smoke_header else {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310 (operator-given URL)
                code = resp.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        except (urllib.error.URLError, OSError) as exc:
            return [f"smoke test {url} failed: {exc}"]
        return [] if code == 200 else [f"smoke test {url} returned HTTP {code} (want 200)"]

    def gates(self, color: str, smoke_url: str | None) -> list[str]:
        return self._health_problems(color) + self._alarm_problems(color) + self._smoke_problems(smoke_url, color)

    def _bake(self, color: str, seconds: float, smoke_url: str | None) -> list[str]:
        deadline = self.clock() + seconds
        checks = 0
        while True:
            problems = self.gates(color, smoke_url)
            checks += 1
            if problems:
                return problems
            remaining = deadline - self.clock()
            if remaining <= 0:
                self.say(
                    f"        baked {seconds:g}s, {checks} gate check(s): health, alarms{', smoke' if smoke_url else ''} ok"
                )
                return []
            self.sleep(min(self.poll_seconds, remaining))

    def _bar(self, weights: Mapping[str, int], to: str) -> str:
        filled = round(weights[to] / 5)
        return "#" * filled + "." * (20 - filled)

    def _lock(self, lease: int) -> RuleLock:
        return RuleLock(
            self.aws,
            self.pair.rule_arn,
            lease_seconds=lease,
            settle_seconds=self.settle_seconds,
            clock=self.clock,
            sleep=self.sleep,
            **self.lock_identity,
        )

    # the shift
    def switch(
        self,
        to: str,
        *,
        steps: Sequence[int] = DEFAULT_STEPS,
        bake: float = 60.0,
        smoke_url: str | None = None,
        dry_run: bool = False,
        break_lock: bool = False,
        verb: str = "switch",
    ) -> Outcome:
        if to not in COLORS:
            raise SwitchError(f"--to {to!r}: choose blue or green")
        src = other(to)
        start = read_weights(self.aws, self.pair)
        tags = self.aws.rule_tags(self.pair.rule_arn)
        self.say(f"{verb} {self.pair.service} in {self.pair.env} to {to}: live weights {render_weights(start)}")

        if start[to] == 100 and not tags.get(TAG_TARGET):
            self.say(f"{to} already takes 100% of traffic; nothing to shift")
            if not dry_run:
                self._record_complete(to, tags)
                self.keep_images(to)
            return Outcome(to, start, changed=False)

        problems = self.preflight(to)
        if problems:
            raise RefusedError(
                f"preflight refused the {verb} to {to} (nothing was changed):\n  - " + "\n  - ".join(problems)
            )
        self.say(f"preflight: {to} is steady, all targets healthy, no alarm firing")
        remaining = [s for s in steps if s > start[to]] or [100]
        if dry_run:
            plan = " -> ".join(f"{to} {s}%" for s in remaining)
            self.say(f"dry run: would shift {plan}, baking {bake:g}s after each step; nothing was changed")
            return Outcome(src if start[src] >= start[to] else to, start, changed=False)

        lease = int(max(600, (bake + 60) * (len(remaining) + 1)))
        lock = self._lock(lease)
        note = lock.acquire(break_lock=break_lock)
        if note:
            self.say(f"lock: {note}")
        try:
            tags = self.aws.rule_tags(self.pair.rule_arn)
            restore = parse_weights(tags.get(TAG_FROM, "")) if tags.get(TAG_TARGET) else None
            if restore is None:
                restore = dict(start)
            elif tags.get(TAG_TARGET) == to:
                self.say(f"resuming an interrupted switch to {to} (restore point {render_weights(restore)})")
            self.aws.set_rule_tags(self.pair.rule_arn, {TAG_FROM: render_weights(restore), TAG_TARGET: to})
            if TAG_ACTIVE not in tags and max(restore.values()) == 100:
                self.aws.set_rule_tags(self.pair.rule_arn, {TAG_ACTIVE: next(c for c in COLORS if restore[c] == 100)})
            expected = dict(start)
            for i, step in enumerate(remaining, start=1):
                lock.renew()
                live = read_weights(self.aws, self.pair)
                if live != expected:
                    raise AbortedError(
                        f"the weights changed under this {verb} (expected {render_weights(expected)}, "
                        f"live {render_weights(live)}); someone else is shifting traffic; stopped"
                    )
                weights = {to: step, src: 100 - step}
                write_weights(self.aws, self.pair, weights)
                expected = weights
                self.say(
                    f"  [{i}/{len(remaining)}] {to} {step:>3}% [{self._bar(weights, to)}] {render_weights(weights)}"
                )
                if self.on_step is not None:
                    self.on_step(i, weights)
                problems = self._bake(to, bake, smoke_url)
                if problems:
                    write_weights(self.aws, self.pair, restore)
                    self.aws.remove_rule_tags(self.pair.rule_arn, [TAG_FROM, TAG_TARGET])
                    raise GateFailedError(
                        f"gate failed at {to} {step}%: "
                        + "; ".join(problems)
                        + f"\ntraffic restored to {render_weights(restore)}",
                        restore,
                    )
            self._record_complete(to, self.aws.rule_tags(self.pair.rule_arn))
            self.say(f"done: {to} takes 100% of {self.pair.service} traffic")
            self.keep_images(to)
            return Outcome(to, {to: 100, src: 0}, changed=True)
        finally:
            lock.release()

    def keep_images(self, live: str) -> None:
        """Keep-tag the images of the live colour's and the rollback colour's task definitions, so
        the repository's lifecycle never expires an image a rollback needs. A failure is reported,
        not raised: the traffic has already moved."""
        for color, role in ((live, "live"), (other(live), "rollback")):
            holder = f"{self.pair.env}-{self.pair.service}-{color}"
            try:
                image = self.aws.service_image(self.pair.services[color])
                self.say(f"keep {role} image of {color}: {self.aws.keep_image(image, holder)}")
            except Exception as exc:  # any AWS failure here is a warning: the traffic has moved
                self.say(
                    f"warning: could not keep-tag the {role} image of {color} ({type(exc).__name__}: {exc}); "
                    "the ECR lifecycle may expire it: rerun the switch or tag it by hand (docs/operations.md)"
                )

    def _record_complete(self, to: str, tags: Mapping[str, str]) -> None:
        active = tags.get(TAG_ACTIVE)
        update = {TAG_ACTIVE: to}
        if active in COLORS and active != to:
            update[TAG_PREVIOUS] = active
        elif active is None:
            update[TAG_PREVIOUS] = other(to)
        self.aws.set_rule_tags(self.pair.rule_arn, update)
        self.aws.remove_rule_tags(self.pair.rule_arn, [k for k in (TAG_FROM, TAG_TARGET) if k in tags])

    def rollback(
        self,
        *,
        steps: Sequence[int] = (100,),
        bake: float = 0.0,
        smoke_url: str | None = None,
        dry_run: bool = False,
        break_lock: bool = False,
    ) -> Outcome:
        status = self.status()
        target = rollback_target(status)
        if target is None:
            raise RefusedError(
                "no colour to roll back to: the listener rule has no SwitchActive/SwitchPrevious tags; "
                "use `switch --to <colour>`"
            )
        self.say(f"rollback: the last fully active colour is {target}")
        return self.switch(
            target, steps=steps, bake=bake, smoke_url=smoke_url, dry_run=dry_run, break_lock=break_lock, verb="rollback"
        )


def outcome_after_gate_failure(restored: Mapping[str, int]) -> Outcome:
    active = next((c for c in COLORS if restored[c] == 100), max(COLORS, key=lambda c: restored[c]))
    return Outcome(active, restored, changed=True)
