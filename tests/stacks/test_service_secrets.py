"""Each service gets only the secrets its role uses, and its own database role (issue 14, item 4).

Judged on the offline plans of every environment: the app containers' ``secrets`` and environment,
the ``migrate`` init container (the only holder of the RDS master credentials), and the task and
execution roles' policies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from insight.plan import Plan
from stacks.offline.plan import build_plan

ENVS = ("dev", "staging", "prod")
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
MASTER_MARK = ":secret:rds!db-"  # the RDS-managed master secret's ARN


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {env: build_plan(env) for env in ENVS}


def containers(task: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(task["inputs"]["containerDefinitions"])}


def env_of(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["environment"]}


def secrets_of(container: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["valueFrom"] for s in container["secrets"]}


def tasks(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """(service, task definition) for every task definition (blue and green count separately)."""
    out = []
    for task in plan.of_type(TASK_DEFINITION):
        service = env_of(containers(task)["app"])["APP_SERVICE"]
        out.append((service, task))
    return out


def role_secret_arn(plan: Plan, service: str) -> str:
    [secret] = [s for s in plan.of_type("aws:secretsmanager/secret:Secret") if s["name"] == f"streaming-db-{service}"]
    name = secret["inputs"]["name"]
    assert name.endswith(f"/db-{service}")
    arns = {
        env_of(containers(t)["app"])["DATABASE_SECRET_ARN"]
        for s, t in tasks(plan)
        if s == service  # every colour of a service uses the same role
    }
    [arn] = arns
    assert f":secret:{name}-" in arn
    return arn


def policy(plan: Plan, resource_name: str) -> dict[str, Any]:
    [doc] = [r for r in plan.of_type("aws:iam/rolePolicy:RolePolicy") if r["name"] == resource_name]
    parsed: dict[str, Any] = json.loads(doc["inputs"]["policy"])
    return parsed


@pytest.mark.parametrize("env", ENVS)
def test_each_app_container_carries_only_its_roles_secrets(plans: dict[str, Plan], env: str) -> None:
    plan = plans[env]
    found = set()
    for service, task in tasks(plan):
        found.add(service)
        app = containers(task)["app"]
        secrets, environment = secrets_of(app), env_of(app)
        # THEN no app container gets the master credentials, a user or a password
        assert not [v for v in secrets.values() if MASTER_MARK in v], task["name"]
        assert not [v for v in environment.values() if MASTER_MARK in v], task["name"]
        assert not {"DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_URL"} & (set(secrets) | set(environment))
        # AND each connects with its own role's secret, read at connect time
        assert environment["DATABASE_SECRET_ARN"] == role_secret_arn(plan, service)
        # AND only what the service uses: the accounts never hold the media signing key;
        # the catalog keeps the JWT secret because it verifies tokens (HS256: verifying needs the key)
        # (dev has no cache, so no AUTH token)
        expected = {"JWT_SECRET"} | ({"REDIS_AUTH_TOKEN"} if env != "dev" else set())
        if service == "catalog":
            expected.add("CDN_PRIVATE_KEY")
        else:
            assert "CDN_KEY_PAIR_ID" not in environment
        assert set(secrets) == expected, task["name"]
    assert found == {"accounts", "catalog"}


@pytest.mark.parametrize("env", ENVS)
def test_only_the_migrate_init_container_holds_the_master_credentials(plans: dict[str, Plan], env: str) -> None:
    plan = plans[env]
    for service, task in tasks(plan):
        both = containers(task)
        assert set(both) == {"migrate", "app"}
        migrate, app = both["migrate"], both["app"]
        # THEN the migration step gets the master user and password and its service's role secret, nothing else
        secrets = secrets_of(migrate)
        assert set(secrets) == {"DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_ROLE_SECRET"}
        assert secrets["DATABASE_USER"].endswith(":username::") and MASTER_MARK in secrets["DATABASE_USER"]
        assert secrets["DATABASE_PASSWORD"].endswith(":password::") and MASTER_MARK in secrets["DATABASE_PASSWORD"]
        assert secrets["DATABASE_ROLE_SECRET"] == role_secret_arn(plan, service)
        assert migrate["command"] == ["python3", "-m", "apps.streaming", "migrate"]
        assert env_of(migrate)["APP_SERVICE"] == service
        # AND the app starts only after it succeeded
        assert migrate["essential"] is False
        assert app["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]


@pytest.mark.parametrize("env", ENVS)
def test_each_task_role_may_read_only_its_own_database_secret(plans: dict[str, Plan], env: str) -> None:
    plan = plans[env]
    arns = {s: role_secret_arn(plan, s) for s in ("accounts", "catalog")}
    for service, task in tasks(plan):
        prefix = task["name"].removesuffix("-task")
        task_statements = policy(plan, f"{prefix}-task-policy")["Statement"]
        reads = [s for s in task_statements if any(a.startswith("secretsmanager:") for a in s["Action"])]
        # THEN the app's own identity reads exactly its role secret (at connect time, after a rotation)
        assert reads == [
            {
                "Sid": "DatabaseRoleSecret",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [arns[service]],
            }
        ]
        # AND the execution role injects the master secret and this service's secrets, never the other role's
        [injected] = [s for s in policy(plan, f"{prefix}-execution-policy")["Statement"] if s["Sid"] == "Secrets"]
        other = arns["catalog" if service == "accounts" else "accounts"]
        assert arns[service] in injected["Resource"]
        assert other not in injected["Resource"]
        assert any(MASTER_MARK in r for r in injected["Resource"])
        signing = [r for r in injected["Resource"] if "/cdn-signing-key" in r]
        assert bool(signing) == (service == "catalog")


@pytest.mark.parametrize("env", ENVS)
def test_role_passwords_are_generated_secrets_and_the_master_rotates_weekly(plans: dict[str, Plan], env: str) -> None:
    plan = plans[env]
    versions = {r["name"]: r for r in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")}
    for service in ("accounts", "catalog"):
        # THEN the password is never plain in the plan or state
        assert versions[f"streaming-db-{service}-version"]["inputs"]["secretString"] == "[secret]"
    [password] = [r for r in plan.resources if r["name"] == "streaming-db-accounts-password"]
    assert (password["inputs"]["length"], password["inputs"]["special"]) == (40, False)
    [rotation] = plan.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert MASTER_MARK in rotation["inputs"]["secretId"]
    assert rotation["inputs"]["rotationRules"] == {"automaticallyAfterDays": 7}
