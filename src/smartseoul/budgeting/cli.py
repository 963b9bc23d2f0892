"""``smartseoul budget``: export a finished round as Pabulib files, or simulate the winner
rules on any Pabulib file (no database needed for that)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from smartseoul.budgeting.explain import format_amount
from smartseoul.budgeting.pabulib import PabulibError, load
from smartseoul.budgeting.simulate import RULES, simulate


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    import django

    django.setup()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="smartseoul budget", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write one .pb file per finished scope of a round")
    export.add_argument("round_id", type=int)
    export.add_argument("folder", type=Path)
    run = sub.add_parser("simulate", help="run a winner rule on a Pabulib file")
    run.add_argument("file", type=Path)
    run.add_argument("--rule", choices=RULES, default="equalshares/add1")
    run.add_argument(
        "--step", type=Fraction, default=Fraction(1), help="add1 step per voter (cost units)"
    )
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(list(argv))
    if args.command == "simulate":
        return _simulate(args)
    return _export(args)


def _simulate(args: argparse.Namespace) -> int:
    try:
        instance = load(args.file)
        result = simulate(instance, args.rule, step=args.step)
    except (OSError, PabulibError, ValueError) as exc:
        print(f"smartseoul budget simulate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 0
    print(f"{args.rule}: {len(result.funded)} funded, {format_amount(result.spent)} of "
          f"{format_amount(result.budget)} spent")  # fmt: skip
    for pid in result.funded:
        outcome = result.outcomes[pid]
        name = instance.projects[pid].name
        print(f"  {pid}\t{format_amount(outcome.cost)}\t{outcome.votes}\t{name}")
    return 0


def _export(args: argparse.Namespace) -> int:
    _django_setup()
    from smartseoul.budgeting.export import round_export
    from smartseoul.budgeting.models import Round

    round_ = Round.objects.filter(pk=args.round_id).first()
    if round_ is None:
        print(f"smartseoul budget export: no round {args.round_id}", file=sys.stderr)
        return 2
    written = round_export(round_, args.folder)
    if not written:
        print("smartseoul budget export: no scope of this round has a result yet", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
