"""The migration step: ``python -m apps.streaming migrate`` and ``provision-roles``.

The only code that uses the RDS master credentials. The platform runs ``migrate`` as each task's
``migrate`` init container, which ECS gives the master user and password (``DATABASE_USER``,
``DATABASE_PASSWORD``, read from the RDS-managed secret when the task starts) and the service's
own role secret (``DATABASE_ROLE_SECRET``: ``{"username": …, "password": …}``); the app container
starts only after it succeeded and holds neither. ``APP_SERVICE`` names the service whose role is
provisioned.

* ``migrate``: Alembic to head, the service's role (`roles.provision_roles`), then the seed
  catalog when the database is empty (``SEED_CATALOG``), so a service whose role cannot write the
  catalog still starts on a fresh database.
* ``provision-roles``: only the role, e.g. after a new password was put into the role's secret.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping

from . import logs
from .config import ConfigError, Service, load_settings
from .credentials import Credentials, CredentialsError, parse_secret
from .roles import RoleProvisioningError, provision_roles

log = logging.getLogger("streaming.migrate")


def role_credentials(env: Mapping[str, str], service: Service) -> dict[Service, Credentials]:
    """The role to provision: ``DATABASE_ROLE_SECRET`` for ``APP_SERVICE`` (none when it is unset)."""
    raw = env.get("DATABASE_ROLE_SECRET", "").strip()
    if not raw:
        return {}
    if service is Service.ALL:
        raise ConfigError(
            "[DATABASE_ROLE_SECRET] is set but [APP_SERVICE]=all; a role belongs to one service: "
            "set APP_SERVICE to accounts or catalog."
        )
    try:
        return {service: parse_secret(raw, "[DATABASE_ROLE_SECRET]")}
    except CredentialsError as exc:
        raise ConfigError(str(exc)) from None


def run(command: str, argv: list[str], env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m apps.streaming {command}", description=__doc__)
    parser.add_argument("--data-dir", default=None, help="As for the server (SQLite on a laptop).")
    args = parser.parse_args(argv)
    env = os.environ if env is None else env
    try:
        settings = load_settings(env, data_dir=args.data_dir)
        roles = role_credentials(env, settings.service)
        if command == "provision-roles" and not roles:
            raise ConfigError("[DATABASE_ROLE_SECRET] is required: the role secret of APP_SERVICE's role.")
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)

    from .db import engine_for, migrate, ping, retry
    from .seed import load_seed

    engine = engine_for(settings)
    try:
        retry(lambda: ping(engine), what="database connection")
        if command == "migrate":
            migrate(engine)
        names = provision_roles(engine, roles) if roles else []
        seeded = load_seed(engine) if command == "migrate" and settings.seed else 0
    except (RoleProvisioningError, CredentialsError) as exc:
        print(f"{command} failed: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{command}: ok (roles: {', '.join(names) or 'none'}; seeded titles: {seeded})")
    return 0
