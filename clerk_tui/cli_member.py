"""`clerk-tui member …`: the member register from the command line (enrolment, 扶養追加, changes,
corrections, history), through the same services as the screens, so trainers and scripts need
no screen. Each action is one sub-command; `add_parser` builds them and `run` dispatches."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from clerk_tui.config import Config

# name → handler(args, cfg) -> exit code; filled by the sections below.
_HANDLERS: dict[str, Callable[[argparse.Namespace, Config], int]] = {}


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    member = sub.add_parser("member", help="加入者の登録（資格取得・扶養追加・変更・訂正・履歴）")
    actions = member.add_subparsers(dest="member_command", metavar="ACTION", required=True)
    _add_enrolment(actions, common)
    _add_changes(actions, common)


def run(args: argparse.Namespace, cfg: Config) -> int:
    return _HANDLERS[args.member_command](args, cfg)


# ── enrolment (資格取得, 扶養追加) ─────────────────────────────────────────────────────────────

def _add_enrolment(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    pass


# ── changes, corrections, history (変更届・訂正・履歴) ───────────────────────────────────────────

def _add_changes(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    pass
