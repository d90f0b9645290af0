"""R17: changes to the register (変更届) and corrections (訂正), as pure rules: which fields each
kind of change touches, when a change may take effect, whether a change of 標準報酬月額 or an
approved 基準収入額適用 moves a printed 負担割合, and which certificates a 氏名変更 replaces."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus, RegisterChange
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules.copay import Copay
from clerk_tui.domain.rules.dates import first_day_of_next_month
from clerk_tui.domain.wareki import format_wareki

# An effective date further ahead than this is almost certainly a typing error.
FAR_FUTURE_DAYS = 92

# A 標準報酬月額 outside the grade table (58,000 to 1,390,000 yen) is a typing error.
REMUNERATION_MIN = 58_000
REMUNERATION_MAX = 1_390_000

# A My Number 届出 received more than this before qualification began is a typing error.
MYNUMBER_EARLIEST_DAYS = 366

NAME_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana")

# The Member fields each kind of change sets.
CHANGE_FIELDS: dict[RegisterChange, tuple[str, ...]] = {
    RegisterChange.NAME_CHANGE: NAME_FIELDS,
    RegisterChange.ADDRESS_CHANGE: ("postal_code", "address", "phone"),
    RegisterChange.REMUNERATION: ("standard_monthly_remuneration",),
    RegisterChange.CARD_STATUS: ("card_status",),
    RegisterChange.MYNUMBER_RECEIVED: ("mynumber_received_on",),
    RegisterChange.NEEDS_ASSISTANCE: ("needs_assistance",),
    RegisterChange.INCOME_REDUCTION: ("income_reduction",),
}
CHANGE_KINDS = tuple(CHANGE_FIELDS)

# Every field a clerk may change or correct, with the label screens and messages use.
FIELD_LABELS: dict[str, str] = {
    "family_name": "氏",
    "given_name": "名",
    "family_name_kana": "氏（カナ）",
    "given_name_kana": "名（カナ）",
    "postal_code": "郵便番号",
    "address": "住所",
    "phone": "電話番号",
    "standard_monthly_remuneration": "標準報酬月額",
    "card_status": "マイナンバーカード",
    "mynumber_received_on": "個人番号届出受付日",
    "needs_assistance": "要配慮者",
    "income_reduction": "基準収入額適用",
}

# Fields the history shows that no change or correction edits (the start of qualification).
HISTORY_LABELS: dict[str, str] = {**FIELD_LABELS, "acquired_on": "資格取得日"}

# What the date a clerk types for a change means, by kind (the label of the field).
EFFECTIVE_LABELS: dict[RegisterChange, str] = {
    RegisterChange.REMUNERATION: "改定月",
    RegisterChange.INCOME_REDUCTION: "申請日",
    RegisterChange.MYNUMBER_RECEIVED: "受付日",
}
EFFECTIVE_LABEL = "変更日"

# Between a value before and after ("→" is East-Asian ambiguous: two cells on some terminals).
ARROW = " -> "


def kind_of_field(field: str) -> RegisterChange:
    for kind, names in CHANGE_FIELDS.items():
        if field in names:
            return kind
    raise DomainError(f"変更・訂正できない項目です: {field}", field="field")


def effective_label(kind: RegisterChange) -> str:
    return EFFECTIVE_LABELS.get(kind, EFFECTIVE_LABEL)


# ---------------------------------------------------------------------------------------------
# Stored and shown values


def stored_value(value: Any) -> str | None:
    """A field's value as the register's history stores it: text, ISO date, integer or code."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # a code (StrEnum)
        return str(value.value)
    return str(value)


def shown_value(field: str, stored: str | None) -> str:
    """A stored history value as a clerk reads it (和暦, 円, labels, あり/なし)."""
    if stored is None or stored == "":
        return "（なし）"
    if field in ("mynumber_received_on", "acquired_on"):
        return format_wareki(date.fromisoformat(stored))
    if field == "standard_monthly_remuneration":
        return f"{int(stored):,}円"
    if field == "card_status":
        return CardStatus(stored).label
    if field == "needs_assistance":
        return "該当" if stored == "1" else "非該当"
    if field == "income_reduction":
        return "承認" if stored == "1" else "なし"
    return stored


# ---------------------------------------------------------------------------------------------
# When a change may take effect


def effective_from(kind: RegisterChange, entered: date) -> date:
    """The date a change takes effect from the date the clerk entered: an approved 基準収入額適用
    applies from the 1st of the month after the application; every other kind from the date
    entered (the 改定月's 1st, the day the 届出 arrived, the day of the change)."""
    if kind is RegisterChange.INCOME_REDUCTION:
        return first_day_of_next_month(entered)
    return entered


def check_effective(kind: RegisterChange, entered: date, *, acquired_on: date, lost_on: date | None,
                    today: date, last_effective: date | None = None) -> date:
    """The effective date of a change, or DomainError at the date field (`effective_from`):
    not before qualification began, not after it ended, not far in the future, a 改定月 on the
    1st, a 届出 not received in the future, and not before a change of the same field already
    recorded (an earlier mistake is a correction, not a change)."""
    label = effective_label(kind)
    field = "effective_from"
    if kind is RegisterChange.REMUNERATION and entered.day != 1:
        raise DomainError(f"改定月は月の初日（1日）で入力してください（{format_wareki(entered)}）。", field=field)
    if kind in (RegisterChange.MYNUMBER_RECEIVED, RegisterChange.INCOME_REDUCTION) and entered > today:
        raise DomainError(f"{label}（{format_wareki(entered)}）が未来の日付です。", field=field)
    if kind is RegisterChange.MYNUMBER_RECEIVED:
        if entered < acquired_on - timedelta(days=MYNUMBER_EARLIEST_DAYS):
            raise DomainError(f"受付日（{format_wareki(entered)}）が資格取得日より1年以上前です。", field=field)
    elif entered < acquired_on:
        raise DomainError(f"{label}（{format_wareki(entered)}）が資格取得日（{format_wareki(acquired_on)}）"
                          "より前です。", field=field)
    if (entered - today).days > FAR_FUTURE_DAYS:
        raise DomainError(f"{label}（{format_wareki(entered)}）が先すぎます（{FAR_FUTURE_DAYS}日以内で入力して"
                          "ください）。", field=field)
    effective = effective_from(kind, entered)
    if lost_on is not None and effective >= lost_on:
        raise DomainError(f"資格喪失日（{format_wareki(lost_on)}）以後の変更は記録できません。", field=field)
    if last_effective is not None and effective < last_effective:
        raise DomainError(f"この項目には{format_wareki(last_effective)}からの変更が記録済みです。"
                          "それより前の誤りは「訂正」で直してください。", field=field)
    return effective


def check_remuneration(value: Any, field: str = "standard_monthly_remuneration") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("標準報酬月額は円単位の数字で入力してください。", field=field)
    if not REMUNERATION_MIN <= value <= REMUNERATION_MAX:
        raise DomainError(f"標準報酬月額は{REMUNERATION_MIN:,}円から{REMUNERATION_MAX:,}円の間で入力して"
                          f"ください（{value:,}円）。", field=field)
    return value


def check_changed(changes: dict[str, tuple[Any, Any]], kind: RegisterChange) -> None:
    """Refuse a change that changes nothing, at the first of its fields."""
    if not any(old != new for old, new in changes.values()):
        raise DomainError("登録内容と同じです。変更された内容を入力してください。",
                          field=CHANGE_FIELDS[kind][0])


# ---------------------------------------------------------------------------------------------
# R5 consequences of a change


def ratio_change_from(old: Copay | None, new: Copay | None, effective: date) -> date | None:
    """The 発効期日 of a new printed 負担割合 when the change moves it, else None: only a 70–74
    ratio is printed, and it takes effect from the change's month, or from the person's own
    70–74 date when that is later."""
    if old is None or new is None or not (old.printed and new.printed) or old.ratio == new.ratio:
        return None
    return max(effective, new.effective_from or effective)


# ---------------------------------------------------------------------------------------------
# R17: certificates a 氏名変更 replaces


@dataclass(frozen=True)
class HeldDocument:
    """A document and who holds it, for deciding what a 氏名変更 replaces."""

    member_id: int
    document: Any  # kind, status, valid_until


def shows_name_of(changed_member_id: int, changed_is_insured: bool, holder_id: int) -> bool:
    """Does a document held by `holder_id` show the changed name? Everyone's shows their own; a
    dependent's also shows the insured person's (被保険者氏名)."""
    return holder_id == changed_member_id or changed_is_insured


def certificates_to_replace(changed_member_id: int, changed_is_insured: bool, effective: date,
                            held: Iterable[HeldDocument]) -> list[HeldDocument]:
    """The valid 資格確認書 that show the old name on the effective date: each must come back
    and a new one be issued. The whole family's when the insured person's name changes."""
    out = []
    for h in held:
        doc = h.document
        if (DocumentKind(doc.kind) is DocumentKind.ELIGIBILITY_CERTIFICATE
                and DocumentStatus(doc.status) is DocumentStatus.VALID
                and (doc.valid_until is None or doc.valid_until >= effective)
                and shows_name_of(changed_member_id, changed_is_insured, h.member_id)):
            out.append(h)
    return out
