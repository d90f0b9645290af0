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

# The kinds of change by the short name the command takes.
_KINDS = {"name": "name_change", "address": "address_change", "remuneration": "remuneration",
          "card": "card_status", "mynumber": "mynumber_received", "assistance": "needs_assistance",
          "income-reduction": "income_reduction"}
_YES, _NO = ("1", "yes", "true", "はい", "該当", "承認"), ("0", "no", "false", "いいえ", "非該当", "なし")


def _add_changes(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from clerk_tui.cli import _date_arg

    change = actions.add_parser(
        "change", parents=[common], help="変更届を記録する（氏名・住所・標準報酬月額・カード状況など）",
        description="変更届を記録する。--set で新しい値を項目ごとに指定する（指定しない項目は変わらない）。"
                    "項目: family_name given_name family_name_kana given_name_kana postal_code address phone "
                    "standard_monthly_remuneration card_status needs_assistance income_reduction")
    change.add_argument("code", metavar="CODE", help="記号-番号-枝番")
    change.add_argument("kind", choices=list(_KINDS), help="変更の種類")
    change.add_argument("--effective", type=_date_arg, required=True, metavar="DATE",
                        help="変更日（標準報酬月額は改定月の1日、基準収入額は申請日、個人番号は受付日）")
    change.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="values",
                        help="新しい値（繰り返し指定できる）")
    change.add_argument("--dry-run", action="store_true", help="記録せず、変更内容と影響だけを表示する")
    _HANDLERS["change"] = _change

    correct = actions.add_parser("correct", parents=[common], help="誤って登録した内容を訂正する（変更履歴には残らない訂正）")
    correct.add_argument("code", metavar="CODE", help="記号-番号-枝番")
    correct.add_argument("field", metavar="FIELD", help="項目（change と同じ名前、mynumber_received_on も可）")
    correct.add_argument("value", metavar="VALUE", help="正しい値（空文字で消去）")
    correct.add_argument("--reason", required=True, help="訂正の理由")
    _HANDLERS["correct"] = _correct

    history = actions.add_parser("history", parents=[common], help="登録内容の変更・訂正の履歴を表示する")
    history.add_argument("code", metavar="CODE", help="記号-番号-枝番")
    _HANDLERS["history"] = _history


def _value(field: str, text: str):
    """A value typed on the command line as the service takes it."""
    from clerk_tui.domain.errors import DomainError
    from clerk_tui.domain.wareki import parse_date

    if field in ("needs_assistance", "income_reduction"):
        if text.strip().lower() in _YES:
            return True
        if text.strip().lower() in _NO:
            return False
        raise DomainError(f"{field} は yes か no で指定してください。", field=field)
    if field == "mynumber_received_on":
        return parse_date(text, field=field) if text.strip() else None
    return text


def _pairs(values: list[str]) -> dict[str, object]:
    from clerk_tui.domain.errors import DomainError

    out: dict[str, object] = {}
    for item in values:
        field, sep, text = item.partition("=")
        if not sep:
            raise DomainError(f"--set は FIELD=VALUE の形で指定してください: {field}", field="values")
        out[field.strip()] = _value(field.strip(), text)
    return out


def _change(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.cli import _context
    from clerk_tui.domain.codes import RegisterChange
    from clerk_tui.services.changes import ChangeInput, apply_change, describe, plan_change
    from clerk_tui.services.members import member_by_code

    ctx = _context(args, cfg)
    member = member_by_code(ctx, args.code)
    plan = plan_change(ctx, member.id, ChangeInput(member.id, RegisterChange(_KINDS[args.kind]), args.effective,
                                                   _pairs(args.values)))
    if args.dry_run:
        print("\n".join(describe(plan)))
        print("（--dry-run のため記録していません）")
        return 0
    done = apply_change(ctx, plan, expected_version=member.version)
    print(f"{member.member_code} の変更届を記録しました。")
    print("\n".join(describe(done.plan)))
    return 0


def _correct(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.cli import _context
    from clerk_tui.domain.rules.changes import ARROW
    from clerk_tui.services.changes import correct
    from clerk_tui.services.members import member_by_code

    ctx = _context(args, cfg)
    member = member_by_code(ctx, args.code)
    row = correct(ctx, member.id, args.field, _value(args.field, args.value), args.reason,
                  expected_version=member.version)
    print(f"{member.member_code} の{row.field_label}を訂正しました: {row.old_text}{ARROW}{row.new_text}")
    return 0


def _history(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.cli import _context
    from clerk_tui.domain.rules.changes import ARROW
    from clerk_tui.domain.wareki import format_wareki
    from clerk_tui.services.changes import member_history
    from clerk_tui.services.members import member_by_code

    ctx = _context(args, cfg)
    member = member_by_code(ctx, args.code)
    rows = member_history(member.id)
    if not rows:
        print(f"{member.member_code} の変更・訂正の記録はありません。")
        return 0
    for r in rows:
        when = f"  {format_wareki(r.effective_from)}から" if r.effective_from else ""
        line = (f"{r.recorded_at:%Y-%m-%d %H:%M} {r.recorded_by}  {r.change.label}{when}  "
                f"{r.field_label}: {r.old_text}{ARROW}{r.new_text}")
        if r.reason:
            line += f"（理由: {r.reason}）"
        print(line)
    return 0
