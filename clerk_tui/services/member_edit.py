"""Editing a member's own details that clerks keep up to date: address and telephone, the My
Number card situation (R3), the date the My Number 届出 arrived (R11), 要配慮者. Refused on a
stale copy, so two clerks never overwrite each other unseen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.db.models import Member
from clerk_tui.domain.codes import AuditKind, CardStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind, clean_text
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services import audit
from clerk_tui.services.context import Context, check_version, get_member, touch
from clerk_tui.services.rows import MemberRow, member_row

_UNSET = object()


@dataclass(frozen=True)
class MemberChanges:
    postal_code: object = _UNSET
    address: object = _UNSET
    phone: object = _UNSET
    card_status: object = _UNSET
    mynumber_received_on: object = _UNSET
    needs_assistance: object = _UNSET

    def items(self):
        return [(k, v) for k, v in self.__dict__.items() if v is not _UNSET]


_TEXT_LIMITS = {"postal_code": ("郵便番号", 8, TextKind.CODE), "address": ("住所", 200, TextKind.ADDRESS),
                "phone": ("電話番号", 20, TextKind.CODE)}


def _clean(field: str, value, member: Member, today: date):
    if field in _TEXT_LIMITS:
        label, limit, kind = _TEXT_LIMITS[field]
        return clean_text(value, label=label, max_len=limit, field=field, kind=kind) or None
    if field == "card_status":
        return CardStatus(value)
    if field == "mynumber_received_on":
        if value is None:
            return None
        if value > today:
            raise DomainError("マイナンバー届出の受付日が未来の日付です。", field=field)
        if value < member.acquired_on.replace(year=member.acquired_on.year - 1):
            raise DomainError(f"受付日（{format_wareki(value)}）が資格取得日より1年以上前です。", field=field)
        return value
    if field == "needs_assistance":
        return bool(value)
    raise DomainError(f"変更できない項目です: {field}")


def update_member(ctx: Context, member_id: int, changes: MemberChanges, *, expected_version: int) -> MemberRow:
    today = ctx.clock.today()

    def write() -> MemberRow:
        member = get_member(member_id)
        check_version(member, expected_version)
        changed = {}
        for field, value in changes.items():
            value = _clean(field, value, member, today)
            if getattr(member, field) != value:
                setattr(member, field, value)
                changed[field] = value
        if not changed:
            return member_row(member)
        touch(member, ctx)
        member.save()
        # Only which fields changed, and codes/dates: no address or telephone in the trail.
        summary = {k: (v if k in ("card_status", "mynumber_received_on", "needs_assistance") else "changed")
                   for k, v in changed.items()}
        audit.record(ctx, AuditKind.WRITE, "member.update", table="member", record_id=member.id,
                     member_id=member.id, summary=summary)
        return member_row(member)

    return ctx.write(write)
