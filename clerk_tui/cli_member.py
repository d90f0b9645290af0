"""`clerk-tui member …`: the member register from the command line (enrolment, 扶養追加, changes,
corrections, history), through the same services as the screens, so trainers and scripts need
no screen. Each action is one sub-command; `add_parser` builds them and `run` dispatches."""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from clerk_tui.config import Config
from clerk_tui.domain.codes import CardStatus
from clerk_tui.domain.errors import DomainError

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
    enrol = actions.add_parser("enrol", parents=[common], help="資格取得（被保険者と被扶養者）をファイル (TOML) から登録する",
                               description=_ENROL_FILE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    enrol.add_argument("file", type=Path, metavar="FILE.toml")
    enrol.add_argument("--confirm-new", metavar="REASON",
                       help="同じ生年月日・氏名の加入員がいても別人として登録する理由")
    enrol.add_argument("--requalifies", metavar="SYMBOL-NUMBER-BRANCH",
                       help="資格を喪失した以前の記録（同じ人の再取得）")
    _HANDLERS["enrol"] = _enrol
    dep = actions.add_parser("add-dependent", parents=[common], help="扶養追加: 被保険者に被扶養者をファイル (TOML) から追加する",
                             description=_DEPENDENT_FILE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    dep.add_argument("insured", metavar="SYMBOL-NUMBER-BRANCH", help="被保険者の記号-番号-枝番")
    dep.add_argument("file", type=Path, metavar="FILE.toml")
    dep.add_argument("--confirm-new", metavar="REASON",
                     help="同じ生年月日・氏名の加入員がいても別人として登録する理由")
    _HANDLERS["add-dependent"] = _add_dependent


_PERSON_KEYS = ("family_name, given_name, family_name_kana, given_name_kana, birth_date, sex (男/女), "
                "postal_code, address, phone, card_status, mynumber_received_on, needs_assistance")
_ENROL_FILE_HELP = f"""ファイルの形:
  employer = "E00001"          # 事業所コード
  acquired_on = "R7.11.1"      # 資格取得日（和暦・西暦）
  standard_monthly_remuneration = 300000
  [insured]                    # {_PERSON_KEYS}
  [[dependents]]               # 同じ項目 + relationship（子・配偶者など）, acquired_on（省略時は被保険者と同じ）
card_status: {"・".join(c.label for c in CardStatus)}（または英語のコード）
"""
_DEPENDENT_FILE_HELP = f"""ファイルの形（1人分）:
  acquired_on = "R7.12.1"      # この方の資格取得日
  relationship = "子"
  {_PERSON_KEYS}
"""


def _read_toml(path: Path) -> dict:
    from clerk_tui.filecheck import toml_error

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(f"{path}: {toml_error(exc)}") from None


def _pick(enum, value, key: str):
    """A code by its English code or its Japanese label; None when absent."""
    if value is None:
        return None
    for member in enum:
        if value in (member.value, member.label):
            return member
    raise DomainError(f"{key} の値「{value}」は使えません（{'・'.join(m.label for m in enum)}）。", field=key)


def _day(value, key: str) -> date | None:
    from clerk_tui.domain.wareki import parse_date

    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise DomainError(f"{key} は日付で指定してください（例 \"R7.11.1\"）。", field=key)
    return parse_date(value, field=key)


_PERSON_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex",
                  "postal_code", "address", "phone", "card_status", "mynumber_received_on", "needs_assistance")


def _person_values(table, where: str, extra: tuple[str, ...] = ()) -> dict:
    from clerk_tui.domain.codes import Sex

    if not isinstance(table, dict):
        raise DomainError(f"{where} は表（[{where}]）で書いてください。")
    unknown = sorted(set(table) - set(_PERSON_FIELDS) - set(extra))
    if unknown:
        raise DomainError(f"{where}: 知らない項目です: {', '.join(unknown)}")
    values = {k: table.get(k, "") for k in ("family_name", "given_name", "family_name_kana", "given_name_kana")}
    values.update(birth_date=_day(table.get("birth_date"), f"{where}.birth_date"),
                  sex=_pick(Sex, table.get("sex"), f"{where}.sex"),
                  postal_code=table.get("postal_code"), address=table.get("address"), phone=table.get("phone"),
                  card_status=_pick(CardStatus, table.get("card_status", CardStatus.NO_CARD.value),
                                    f"{where}.card_status"),
                  mynumber_received_on=_day(table.get("mynumber_received_on"), f"{where}.mynumber_received_on"),
                  needs_assistance=bool(table.get("needs_assistance", False)))
    return values


def _dependent_input(table, where: str):
    from clerk_tui.domain.codes import Relationship
    from clerk_tui.services.enrolment import DependentInput

    values = _person_values(table, where, ("relationship", "acquired_on"))
    return DependentInput(**values, relationship=_pick(Relationship, table.get("relationship"), f"{where}.relationship"),
                          acquired_on=_day(table.get("acquired_on"), f"{where}.acquired_on"))


def _context(args: argparse.Namespace, cfg: Config):
    from clerk_tui.cli import _context

    return _context(args, cfg)


def _print_candidates(exc) -> int:
    from clerk_tui.domain.wareki import format_wareki

    print(f"エラー: {exc.message}", file=sys.stderr)
    for c in exc.candidates:
        lost = f"  資格喪失 {format_wareki(c.lost_on)}" if c.lost_on else ""
        former = f"（旧姓 {c.former_name}）" if c.former_name else ""
        print(f"  {'被保険者' if c.person == 0 else f'被扶養者{c.person}'}: {c.member_code} {c.full_name}{former} "
              f"{format_wareki(c.birth_date)}生 {c.employer_name}{lost}", file=sys.stderr)
    print("別人なら --confirm-new 理由、同じ人の再取得なら --requalifies 記号-番号-枝番 を付けて実行してください。",
          file=sys.stderr)
    return 3


def _where(exc: DomainError) -> str:
    """Which person of the file a refusal is about (the message names the item)."""
    parts = (exc.field or "").split(".")
    return f"（被扶養者{int(parts[1]) + 1}人目）" if parts[0] == "dependents" and len(parts) > 2 else ""


def _print_members(result, verb: str) -> None:
    for m in result.members:
        print(f"{verb}: {m.member_code} {m.full_name}")
    for r in result.requests:
        print(f"  交付待ち: {r.kind.label}（加入員ID {r.member_id}）")


def _enrol(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.services.enrolment import EnrolmentInput, PersonInput, PossibleDuplicates, enrol, find_employers
    from clerk_tui.services.members import member_by_code

    data = _read_toml(args.file)
    unknown = sorted(set(data) - {"employer", "acquired_on", "standard_monthly_remuneration", "insured", "dependents"})
    if unknown:
        raise DomainError(f"知らない項目です: {', '.join(unknown)}")
    ctx = _context(args, cfg)
    code = data.get("employer")
    employers = [e for e in find_employers(ctx, str(code or "")) if e.code == code]
    if not employers:
        raise DomainError(f"事業所コード「{code}」の事業所がありません。", field="employer")
    dependents = data.get("dependents", [])
    if not isinstance(dependents, list):
        raise DomainError("dependents は [[dependents]] の表で書いてください。")
    requalifies = member_by_code(ctx, args.requalifies).id if args.requalifies else None
    entry = EnrolmentInput(
        employer_id=employers[0].id, acquired_on=_day(data.get("acquired_on"), "acquired_on"),
        insured=PersonInput(**_person_values(data.get("insured", {}), "insured")),
        standard_monthly_remuneration=data.get("standard_monthly_remuneration"),
        dependents=tuple(_dependent_input(t, f"dependents[{i}]") for i, t in enumerate(dependents)),
        requalifies_id=requalifies)
    try:
        result = enrol(ctx, entry, confirmed_new_reason=args.confirm_new)
    except PossibleDuplicates as exc:
        return _print_candidates(exc)
    except DomainError as exc:
        raise DomainError(exc.message + _where(exc)) from None
    _print_members(result, "資格取得")
    return 0


def _add_dependent(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.services.enrolment import PossibleDuplicates, add_dependent
    from clerk_tui.services.members import member_by_code

    entry = _dependent_input(_read_toml(args.file), "file")
    ctx = _context(args, cfg)
    insured = member_by_code(ctx, args.insured)
    try:
        result = add_dependent(ctx, insured.id, entry, expected_version=insured.version,
                               confirmed_new_reason=args.confirm_new)
    except PossibleDuplicates as exc:
        return _print_candidates(exc)
    except DomainError as exc:
        raise DomainError(exc.message + _where(exc)) from None
    _print_members(result, "扶養追加")
    return 0


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
