"""``python -m stacks switch <env> --service S (--to COLOUR | --status | --rollback)``: blue-green traffic.

Examples::

    python -m stacks switch prod --service catalog --status
    python -m stacks switch prod --service catalog --to green --steps 10,50,100 --bake 300 \\
        --smoke-url https://shop.example.com/healthz
    python -m stacks switch prod --service catalog --to green --dry-run
    python -m stacks switch prod --service catalog --rollback

Exit codes: 0 done, 2 usage/discovery error, 3 refused (preflight, lock or write-back file; nothing
changed), 4 a gate failed (weights restored), 5 aborted (the weights or the lock changed under the
run), 6 AWS unreachable or refused a call, 130 interrupted (Ctrl-C).

The stack file is checked before any traffic moves (and in ``--dry-run``), and it is rewritten
after *every* step, so an interrupted switch leaves it equal to the live weights. The region is
``--region``, else ``AWS_REGION``, else the stack file's ``aws:region``, else boto3's default.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from stacks.environment.stack_files import StackFileError, project_name, project_root, stack_path
from stacks.operations.config_writeback import (
    DEFAULT_NAMESPACE,
    WriteBackError,
    check_write_back,
    read_region,
    write_back,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "switch",
        help="shift a service's traffic between its blue and green colours (live account), or show/roll back",
        description=(
            "Find the service's blue-green pair by tags (Environment, Service, Color), check the target colour, "
            "shift the listener rule's weights step by step while watching target health, the colour's alarms and "
            "an optional smoke URL, and write the new state back into Pulumi.<env>.yaml so `pulumi up` agrees. "
            "Uses boto3's standard configuration (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS: "
            "attempts per AWS call, default 8, so an unreachable endpoint takes about a minute to give up)."
        ),
        epilog="exit codes: 0 done, 2 usage/discovery error, 3 refused (preflight, lock or an unusable "
        "write-back file; nothing changed), 4 gate failed (weights restored), 5 aborted (weights or lock "
        "changed by someone else), 6 AWS unreachable or refused a call (endpoint, credentials, permissions), "
        "130 interrupted (Ctrl-C; the stack file holds the last live weights). "
        "The stack file is written back after every step.",
    )
    parser.add_argument("env", help="environment (the stack name; resources are tagged Environment=<env>)")
    parser.add_argument("--service", required=True, help="service name (the Service tag), e.g. catalog")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--to", choices=["blue", "green"], help="the colour to move all traffic to")
    mode.add_argument("--status", action="store_true", help="show weights, target health, task counts and images")
    mode.add_argument("--rollback", action="store_true", help="return to the last fully active colour")
    parser.add_argument(
        "--steps", help="target colour's percentages, increasing, ending at 100 (default 10,50,100; 100 for --rollback)"
    )
    parser.add_argument(
        "--bake", type=float, help="seconds to watch the gates after each step (default 60; 0 for --rollback)"
    )
    parser.add_argument(
        "--smoke-url",
        help="also require HTTP 200 from this URL during each bake "
        "(sent with header X-Deployment-Color: <target colour>)",
    )
    parser.add_argument("--dry-run", action="store_true", help="discover and preflight only; change nothing")
    parser.add_argument(
        "--stack-file",
        type=Path,
        help="the stack file to write back (default: Pulumi.<env>.yaml at the repository root)",
    )
    parser.add_argument("--no-write-back", action="store_true", help="do not update the stack file")
    parser.add_argument(
        "--scale-idle-to-zero",
        action="store_true",
        help="after a complete switch, also write desiredCount 0 for the idle colour, so the next "
        "`pulumi up` stops its tasks (saves their cost; a rollback then needs them back first)",
    )
    parser.add_argument(
        "--break-lock",
        action="store_true",
        help="take over a switch lock held by another run (only when you know that run is gone)",
    )
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between gate checks during a bake (default 5)")
    parser.add_argument("--lock-settle", type=float, default=2.0, help=argparse.SUPPRESS)
    parser.add_argument("--profile", help="AWS profile (default: boto3's usual resolution)")
    parser.add_argument(
        "--region",
        help="AWS region (default: AWS_REGION, else the stack file's aws:region, else the profile's region)",
    )
    parser.add_argument("--listener-rule-arn", help="the weighted listener rule (skips its discovery)")
    for color in ("blue", "green"):
        parser.add_argument(f"--{color}-target-group-arn", help=f"the {color} target group (skips its discovery)")
        parser.add_argument(f"--{color}-service-arn", help=f"the {color} ECS service (skips its discovery)")
    parser.set_defaults(handler=run)


def _namespace(stack_file: Path) -> str:
    try:
        return project_name(stack_file.parent)
    except StackFileError:
        return DEFAULT_NAMESPACE


def _region(args: argparse.Namespace, stack_file: Path) -> tuple[str | None, str]:
    """The region to use and where it came from: --region, AWS_REGION, the stack file, boto3's default."""
    if args.region:
        return args.region, "--region"
    if os.environ.get("AWS_REGION"):
        return os.environ["AWS_REGION"], "AWS_REGION"
    from_file = read_region(stack_file)
    if from_file:
        return from_file, f"aws:region in {stack_file.name}"
    return None, "boto3's default (AWS_DEFAULT_REGION or the profile)"


def _max_attempts() -> int:
    """botocore's attempts per call: AWS_MAX_ATTEMPTS (the SDKs' standard setting), default 8."""
    from stacks.operations.switch import SwitchError

    text = os.environ.get("AWS_MAX_ATTEMPTS", "").strip()
    if not text:
        return 8
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise SwitchError(f"AWS_MAX_ATTEMPTS={text!r}: use a whole number of attempts from 1 to 20 (default 8)")
    return int(text)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def run(args: argparse.Namespace) -> int:
    import boto3

    from stacks.operations import switch as sw

    last: dict[str, object] = {}
    try:
        steps = sw.parse_steps(args.steps or ("100" if args.rollback else ",".join(map(str, sw.DEFAULT_STEPS))))
        bake = args.bake if args.bake is not None else (0.0 if args.rollback else 60.0)
        if bake < 0:
            raise sw.SwitchError(f"--bake {bake:g}: use 0 or more seconds")
        path = args.stack_file or stack_path(args.env, project_root())
        write = not args.status and not args.no_write_back
        namespace = _namespace(path)
        if write:
            try:
                check_write_back(path, service=args.service, namespace=namespace)
            except WriteBackError as exc:
                raise sw.RefusedError(f"{exc} (nothing was changed)") from None
        region, origin = _region(args, path)
        session = boto3.session.Session(profile_name=args.profile, region_name=region)
        print(f"region: {session.region_name or 'none'} (from {origin})")
        aws = sw.AwsLive(session, max_attempts=_max_attempts())
        explicit = sw.ExplicitArns(
            rule=args.listener_rule_arn,
            target_groups={c: a for c in sw.COLORS if (a := getattr(args, f"{c}_target_group_arn"))},
            services={c: a for c in sw.COLORS if (a := getattr(args, f"{c}_service_arn"))},
        )
        pair = sw.discover(aws, args.env, args.service, explicit)

        def record(weights: dict[str, int], *, final: bool = False, scale_idle: bool = False) -> bool:
            """Write ``weights`` into the stack file (atomically): after every step, and at the end."""
            full = next((c for c in sw.COLORS if weights[c] == 100), None)
            active = full or str(last.get("source", max(sw.COLORS, key=lambda c: weights[c])))
            changed = write_back(
                path,
                service=args.service,
                active_color=active,
                weights=weights,
                namespace=namespace,
                idle_desired_count=0 if scale_idle else None,
            )
            last["written"] = dict(weights)
            if final:
                what = "updated" if changed else "already up to date"
                print(
                    f"stack file {path}: {what} (blueGreen.{args.service}: activeColor {active}, "
                    f"weights {sw.render_weights(weights)})"
                )
            return changed

        def on_step(_index: int, weights: object) -> None:
            last["live"] = dict(weights)  # type: ignore[call-overload]
            if write:
                record(dict(weights))  # type: ignore[call-overload]

        switcher = sw.Switcher(aws, pair, poll_seconds=args.poll, settle_seconds=args.lock_settle, on_step=on_step)
        if args.status:
            print(switcher.status().render())
            return sw.EXIT_OK
        start = sw.read_weights(aws, pair)
        last["source"] = next((c for c in sw.COLORS if start[c] == 100), max(sw.COLORS, key=lambda c: start[c]))
        code = sw.EXIT_OK
        try:
            if args.rollback:
                outcome = switcher.rollback(
                    steps=steps, bake=bake, smoke_url=args.smoke_url, dry_run=args.dry_run, break_lock=args.break_lock
                )
            else:
                outcome = switcher.switch(
                    args.to,
                    steps=steps,
                    bake=bake,
                    smoke_url=args.smoke_url,
                    dry_run=args.dry_run,
                    break_lock=args.break_lock,
                )
        except sw.GateFailedError as exc:
            print(f"error: {exc}", file=sys.stderr)
            outcome = sw.outcome_after_gate_failure(exc.restored)
            code = sw.EXIT_GATE_FAILED
        if not args.dry_run and write:
            last["source"] = outcome.active
            scale_idle = args.scale_idle_to_zero and code == sw.EXIT_OK and outcome.weights.get(outcome.active) == 100
            record(dict(outcome.weights), final=True, scale_idle=scale_idle)
            if scale_idle:
                idle = "green" if outcome.active == "blue" else "blue"
                print(f"{idle}.desiredCount is now 0 in {path.name}: `pulumi up -s {args.env}` stops its tasks")
        return code
    except sw.SwitchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except WriteBackError as exc:
        print(f"error: the stack file was not updated: {exc}; {_where(last)}", file=sys.stderr)
        return sw.EXIT_USAGE
    except KeyboardInterrupt:
        print(f"\ninterrupted: {_where(last)}", file=sys.stderr)
        return sw.EXIT_INTERRUPTED
    except (NoCredentialsError, NoRegionError) as exc:
        print(
            f"error: {_one_line(exc)}; configure AWS credentials and region (AWS_PROFILE, AWS_REGION) or pass "
            f"--profile/--region; {_where(last)}",
            file=sys.stderr,
        )
        return sw.EXIT_AWS
    except ClientError as exc:
        print(f"error: AWS refused a call: {_one_line(exc)}; {_where(last)}", file=sys.stderr)
        return sw.EXIT_AWS
    except BotoCoreError as exc:
        print(f"error: AWS could not be reached (after retries): {_one_line(exc)}; {_where(last)}", file=sys.stderr)
        return sw.EXIT_AWS


def _where(last: dict[str, object]) -> str:
    """Where an interrupted run left traffic and the stack file (for the operator's next step)."""
    from stacks.operations.switch import render_weights

    live, written = last.get("live"), last.get("written")
    if live is None:
        return "no traffic was moved by this run"
    text = f"live weights were last set to {render_weights(live)}"  # type: ignore[arg-type]
    if written == live:
        text += " and the stack file says the same"
    elif written is not None:
        text += f" (the stack file says {render_weights(written)})"  # type: ignore[arg-type]
    return text + "; rerun the same command to resume, or --rollback (docs/operations.md)"
