"""Changes to the register (変更届) and corrections (訂正), R17: plan a change and show its
consequences, apply it in one transaction (the new values, one history row per field, the former
name, the certificates that must come back and the documents queued for issue, one audit entry
naming the fields), correct a mistaken entry, and read a member's register history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clerk_tui.db.models import CollectionItem, Document, FormerName, Member, MemberHistory
from clerk_tui.db.standing import in_force
from clerk_tui.domain import rules
from clerk_tui.domain.codes import (
    AuditKind,
    CardStatus,
    CollectionStatus,
    DocumentKind,
    IssueCause,
    RegisterChange,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules import changes as change_rules
from clerk_tui.domain.text import TextKind, clean_text
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services import audit
from clerk_tui.services.context import Context, check_version, get_member, touch
from clerk_tui.services.issuance import copay_for
from clerk_tui.services.issue_queue import queue_issue
from clerk_tui.services.rows import MemberRow, member_row

# field → (max length, kind, required) for the register's text fields (labels: FIELD_LABELS).
_TEXT_FIELDS: dict[str, tuple[int, TextKind, bool]] = {
    "family_name": (40, TextKind.NAME, True),
    "given_name": (40, TextKind.NAME, True),
    "family_name_kana": (60, TextKind.KANA, True),
    "given_name_kana": (60, TextKind.KANA, True),
    "postal_code": (8, TextKind.CODE, False),
    "address": (200, TextKind.ADDRESS, True),
    "phone": (20, TextKind.CODE, False),
}
REASON_MAX = 200


@dataclass(frozen=True)
class ChangeInput:
    """A 変更届 as typed: the kind, the date the clerk entered (変更日, 改定月, 申請日 or, for a
    My Number 届出, the day it arrived) and the new values by field (fields left out keep theirs)."""

    member_id: int
    kind: RegisterChange
    entered_on: date | None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old_value: str | None  # as the history stores it
    new_value: str | None

    @property
    def old_text(self) -> str:
        return change_rules.shown_value(self.field, self.old_value)

    @property
    def new_text(self) -> str:
        return change_rules.shown_value(self.field, self.new_value)


@dataclass(frozen=True)
class PlannedReturn:
    """A valid 資格確認書 showing the old name: it must come back (a collection item)."""

    member_id: int
    member_code: str
    full_name: str
    document_id: int
    serial: str
    valid_until: date | None


@dataclass(frozen=True)
class PlannedIssue:
    """A document the change queues for issue via the employer (交付待ち)."""

    member_id: int
    member_code: str
    full_name: str
    kind: DocumentKind
    cause: IssueCause
    old_ratio: int | None = None  # a ratio change: 割 before and after
    new_ratio: int | None = None
    ratio_effective_from: date | None = None
    replaces_id: int | None = None


@dataclass(frozen=True)
class ChangePlan:
    """What a change will do, shown before the clerk confirms, and what `apply_change` did."""

    input: ChangeInput
    member: MemberRow  # as it was before the change
    effective_from: date
    changes: tuple[FieldChange, ...]
    returns: tuple[PlannedReturn, ...] = ()
    issues: tuple[PlannedIssue, ...] = ()
    mynumber_usable_from: date | None = None  # R11: about 5 business days after the 届出


@dataclass(frozen=True)
class AppliedChange:
    id: int  # the audit entry
    plan: ChangePlan
    history_ids: tuple[int, ...]
    former_name_id: int | None
    collection_item_ids: tuple[int, ...]
    issue_request_ids: tuple[int, ...]


@dataclass(frozen=True)
class HistoryRow:
    id: int
    member_id: int
    change: RegisterChange
    field: str
    field_label: str
    old_value: str | None
    new_value: str | None
    old_text: str
    new_text: str
    effective_from: date | None  # None for a correction
    recorded_at: datetime
    recorded_by: str
    reason: str | None

    @property
    def is_correction(self) -> bool:
        return self.change is RegisterChange.CORRECTION


# ---------------------------------------------------------------------------------------------
# Checking values


def _clean_value(name: str, value: Any, member: Member) -> Any:
    label = change_rules.FIELD_LABELS.get(name)
    if label is None:
        raise DomainError(f"変更・訂正できない項目です: {name}", field="field")
    if name in _TEXT_FIELDS:
        limit, kind, required = _TEXT_FIELDS[name]
        return clean_text(value, label=label, max_len=limit, field=name, kind=kind, required=required) or None
    if name == "standard_monthly_remuneration":
        if not member.is_insured:
            raise DomainError("標準報酬月額は被保険者について記録します。", field=name)
        if isinstance(value, str):
            digits = clean_text(value, label=label, max_len=12, field=name, kind=TextKind.CODE).replace(",", "")
            if not digits.isdigit():
                raise DomainError("標準報酬月額は円単位の数字で入力してください。", field=name)
            value = int(digits)
        return change_rules.check_remuneration(value, name)
    if name == "card_status":
        try:
            return CardStatus(value)
        except ValueError:
            raise DomainError("マイナンバーカードの状況を選んでください。", field=name) from None
    if name in ("needs_assistance", "income_reduction"):
        if not isinstance(value, bool):
            raise DomainError(f"{label}は「はい」か「いいえ」で指定してください。", field=name)
        return value
    if name == "mynumber_received_on":
        if value is not None and not isinstance(value, date):
            raise DomainError("受付日を日付で入力してください。", field=name)
        return value
    raise DomainError(f"変更・訂正できない項目です: {name}", field="field")


def _last_effective(member_id: int, fields: tuple[str, ...]) -> date | None:
    return (MemberHistory.select(MemberHistory.effective_from)
            .where(MemberHistory.member == member_id, MemberHistory.field.in_(fields),
                   MemberHistory.change != RegisterChange.CORRECTION, MemberHistory.effective_from.is_null(False))
            .order_by(MemberHistory.effective_from.desc()).limit(1).scalar())


# ---------------------------------------------------------------------------------------------
# Planning


@dataclass
class _Plan:
    """The plan with the stored records it acts on (inside a service only)."""

    public: ChangePlan
    member: Member  # holding the new values, not saved
    old: dict[str, Any]
    returns: list[tuple[Member, Document]]
    issues: list[tuple[Member, PlannedIssue, Document | None]]


def _family_in_force(member: Member, on: date) -> list[Member]:
    """The member and, for an insured person, the dependents still covered on `on`."""
    if not member.is_insured:
        return [member]
    deps = list(Member.select().where(Member.insured == member.id,
                                      Member.lost_on.is_null() | (Member.lost_on > on)).order_by(Member.branch))
    for dep in deps:
        dep.insured = member  # the copay rule reads the insured person's (new) values
    return [member, *deps]


def _valid_certificates(people: list[Member], on: date) -> list[change_rules.HeldDocument]:
    """The people's 資格確認書 in force on the day (the same test as every screen's standing)."""
    ids = [p.id for p in people]
    docs = Document.select().where(Document.member.in_(ids), Document.kind == DocumentKind.ELIGIBILITY_CERTIFICATE,
                                   in_force(on)).order_by(Document.id)
    return [change_rules.HeldDocument(d.member_id, d) for d in docs]


def _copay_or_none(person: Member, on: date) -> rules.Copay | None:
    try:
        return copay_for(person, on)
    except DomainError:  # 75 reached, remuneration missing …: no printed ratio to move
        return None


def _planned(person: Member, kind: DocumentKind, cause: IssueCause, **extra: Any) -> PlannedIssue:
    return PlannedIssue(person.id, person.member_code, person.full_name, kind, cause, **extra)


def _plan(member: Member, inp: ChangeInput, today: date) -> _Plan:
    try:
        kind = RegisterChange(inp.kind)
    except ValueError:
        kind = None
    if kind not in change_rules.CHANGE_FIELDS:
        raise DomainError("変更の種類を選んでください。", field="kind")
    label = change_rules.effective_label(kind)
    if inp.entered_on is None:
        raise DomainError(f"{label}を入力してください。", field="effective_from")
    fields = change_rules.CHANGE_FIELDS[kind]
    effective = change_rules.check_effective(
        kind, inp.entered_on, acquired_on=member.acquired_on, lost_on=member.lost_on, today=today,
        last_effective=_last_effective(member.id, fields))
    given = dict(inp.values)
    if kind is RegisterChange.MYNUMBER_RECEIVED:
        given = {"mynumber_received_on": inp.entered_on}
    unknown = [name for name in given if name not in fields]
    if unknown:
        raise DomainError(f"{kind.label}では変更できない項目です: {unknown[0]}", field="field")
    new = {name: _clean_value(name, value, member) for name, value in given.items()}
    pairs = {name: (getattr(member, name), value) for name, value in new.items()}
    change_rules.check_changed(pairs, kind)
    if kind is RegisterChange.INCOME_REDUCTION and rules.age_on(member.birth_date, effective) < 70:
        raise DomainError("基準収入額適用は70〜74歳の方が対象です。", field="income_reduction")

    people = _family_in_force(member, effective)
    old_copays = {p.id: _copay_or_none(p, effective) for p in people}
    old = {name: getattr(member, name) for name in fields}
    before_row = member_row(member)
    changes = []
    for name, (before, after) in pairs.items():
        if before != after:
            changes.append(FieldChange(name, change_rules.FIELD_LABELS[name], change_rules.stored_value(before),
                                       change_rules.stored_value(after)))
            setattr(member, name, after)

    returns: list[tuple[Member, Document]] = []
    issues: list[tuple[Member, PlannedIssue, Document | None]] = []
    by_id = {p.id: p for p in people}
    if kind is RegisterChange.NAME_CHANGE:
        shown = [p for p in people if change_rules.shows_name_of(member.id, member.is_insured, p.id)]
        replaced = change_rules.certificates_to_replace(member.id, member.is_insured, effective,
                                                        _valid_certificates(shown, effective))
        for person in shown:
            issues.append((person, _planned(person, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.NAME_CHANGE), None))
        for held in replaced:
            holder = by_id[held.member_id]
            returns.append((holder, held.document))
            issues.append((holder, _planned(holder, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.NAME_CHANGE,
                                            replaces_id=held.document.id), held.document))
    elif kind in (RegisterChange.REMUNERATION, RegisterChange.INCOME_REDUCTION):
        holders = {h.member_id for h in change_rules.certificates_to_replace(
            member.id, True, effective, _valid_certificates(people, effective))}
        for person in people:
            before, after = old_copays[person.id], _copay_or_none(person, effective)
            starts = change_rules.ratio_change_from(before, after, effective)
            if starts is None:
                continue
            ratio = {"old_ratio": before.ratio, "new_ratio": after.ratio, "ratio_effective_from": starts}
            issues.append((person, _planned(person, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.RATIO_CHANGE,
                                            **ratio), None))
            if person.id in holders:
                issues.append((person, _planned(person, DocumentKind.ELIGIBILITY_CERTIFICATE,
                                                IssueCause.RATIO_CHANGE, **ratio), None))

    usable = (rules.mynumber_usable_from(inp.entered_on) if kind is RegisterChange.MYNUMBER_RECEIVED else None)
    public = ChangePlan(
        input=inp, member=before_row, effective_from=effective, changes=tuple(changes),
        returns=tuple(PlannedReturn(h.id, h.member_code, h.full_name, d.id, d.serial, d.valid_until)
                      for h, d in returns),
        issues=tuple(p for _, p, _ in issues), mynumber_usable_from=usable)
    return _Plan(public, member, old, returns, issues)


def plan_change(ctx: Context, member_id: int, change: ChangeInput) -> ChangePlan:
    """What the change would do (for the preview); nothing is written. DomainError at the field
    for input the change cannot take."""
    if change.member_id != member_id:
        change = ChangeInput(member_id, change.kind, change.entered_on, change.values)
    return _plan(get_member(member_id), change, ctx.clock.today()).public


# ---------------------------------------------------------------------------------------------
# Applying


def _history(ctx: Context, member: Member, change: RegisterChange, name: str, old: str | None, new: str | None,
             effective: date | None, reason: str | None = None) -> int:
    return MemberHistory.create(member=member, change=change, field=name, old_value=old, new_value=new,
                                effective_from=effective, recorded_at=ctx.clock.now(), recorded_by=ctx.clerk,
                                reason=reason).id


def apply_change(ctx: Context, plan: ChangePlan, *, expected_version: int | None) -> AppliedChange:
    """Record the change planned, with its consequences, in one transaction; the plan is worked
    out again inside it from the register as it now is. Refused when another clerk changed the
    member since the clerk's copy (`expected_version`)."""
    inp = plan.input
    today = ctx.clock.today()

    def write() -> AppliedChange:
        member = get_member(inp.member_id)
        check_version(member, expected_version)
        p = _plan(member, inp, today)
        kind = RegisterChange(inp.kind)
        effective = p.public.effective_from
        former = None
        if kind is RegisterChange.NAME_CHANGE:
            member.refresh_search_keys()
            old = FormerName(member=member, used_until=effective - rules.ONE_DAY,
                             **{n: p.old[n] for n in change_rules.NAME_FIELDS})
            old.refresh_search_keys()
            old.save()
            former = old.id
        touch(member, ctx)
        member.save()
        history = tuple(_history(ctx, member, kind, c.field, c.old_value, c.new_value, effective)
                        for c in p.public.changes)
        items = []
        for holder, doc in p.returns:
            if CollectionItem.select().where(CollectionItem.document == doc.id).exists():
                continue  # already being collected
            items.append(CollectionItem.create(
                member=holder, document=doc, employer=holder.employer_id, lost_on=effective,
                status=CollectionStatus.OUTSTANDING, updated_at=ctx.clock.now(), updated_by=ctx.clerk).id)
        requests = tuple(queue_issue(person, planned.kind, planned.cause, today,
                                     ratio_effective_from=planned.ratio_effective_from, replaces=doc).id
                         for person, planned, doc in p.issues)
        # Which fields changed, never their values: those live in the register's history.
        entry = audit.record(ctx, AuditKind.WRITE, "member.change", table="member", record_id=member.id,
                             member_id=member.id, summary={
                                 "change": kind.value, "fields": [c.field for c in p.public.changes],
                                 "effective_from": effective, "history": list(history), "former_name": former,
                                 "collection_items": items, "issue_requests": list(requests)})
        return AppliedChange(entry.id, p.public, history, former, tuple(items), requests)

    return ctx.write(write)


def correct(ctx: Context, member_id: int, field: str, value: Any, reason: str, *,
            expected_version: int | None) -> HistoryRow:
    """Fix a mistaken entry (訂正): the value is replaced without a step in the person's history
    (a correction row, shown but not a former value; a corrected name is not a former name)."""
    reason = clean_text(reason, label="訂正の理由", max_len=REASON_MAX, field="reason", required=True)
    change_rules.kind_of_field(field)
    today = ctx.clock.today()

    def write() -> HistoryRow:
        member = get_member(member_id)
        check_version(member, expected_version)
        new = _clean_value(field, value, member)
        if field == "mynumber_received_on" and new is not None and new > today:
            raise DomainError("受付日が未来の日付です。", field=field)
        old = getattr(member, field)
        if old == new:
            raise DomainError("登録内容と同じです。正しい内容を入力してください。", field=field)
        setattr(member, field, new)
        if field in change_rules.NAME_FIELDS:
            member.refresh_search_keys()
        touch(member, ctx)
        member.save()
        history_id = _history(ctx, member, RegisterChange.CORRECTION, field, change_rules.stored_value(old),
                              change_rules.stored_value(new), None, reason)
        audit.record(ctx, AuditKind.WRITE, "member.correct", table="member", record_id=member.id,
                     member_id=member.id, summary={"field": field, "history": history_id})
        return _history_row(MemberHistory.get_by_id(history_id))

    return ctx.write(write)


# ---------------------------------------------------------------------------------------------
# Reading


def _history_row(h: MemberHistory) -> HistoryRow:
    return HistoryRow(
        id=h.id, member_id=h.member_id, change=h.change, field=h.field,
        field_label=change_rules.HISTORY_LABELS.get(h.field, h.field), old_value=h.old_value, new_value=h.new_value,
        old_text=change_rules.shown_value(h.field, h.old_value), new_text=change_rules.shown_value(h.field, h.new_value),
        effective_from=h.effective_from, recorded_at=h.recorded_at, recorded_by=h.recorded_by, reason=h.reason)


def member_history(member_id: int) -> list[HistoryRow]:
    """The member's register history, newest recorded first."""
    query = (MemberHistory.select().where(MemberHistory.member == member_id)
             .order_by(MemberHistory.recorded_at.desc(), MemberHistory.id.desc()))
    return [_history_row(h) for h in query]


# ---------------------------------------------------------------------------------------------
# Wording shared by the screen and the command line


def describe(plan: ChangePlan) -> list[str]:
    """The plan as the lines a clerk reads before confirming: what changes, from when, and what
    follows (certificates to collect, documents queued, the ratio, when マイナ保険証 should work)."""
    kind = RegisterChange(plan.input.kind)
    lines = [f"{kind.label}（{change_rules.effective_label(kind)} {format_wareki(plan.input.entered_on)}"
             + (f"、{format_wareki(plan.effective_from)}から適用" if plan.effective_from != plan.input.entered_on
                else "") + "）"]
    lines += [f"  {c.label}: {c.old_text}{change_rules.ARROW}{c.new_text}" for c in plan.changes]
    if kind is RegisterChange.NAME_CHANGE:
        lines.append(f"  旧氏名は{format_wareki(plan.effective_from - rules.ONE_DAY)}までの氏名として検索できます。")
    if plan.mynumber_usable_from is not None:
        lines.append(f"  マイナ保険証は{format_wareki(plan.mynumber_usable_from)}頃から使える見込みです"
                     "（受付から5営業日後）。")
    # One line per person: what is queued for them, and which certificate comes back.
    people: dict[int, tuple[str, list[str]]] = {}
    for i in plan.issues:
        what = people.setdefault(i.member_id, (f"{i.member_code} {i.full_name}", []))[1]
        text = "お知らせ" if i.kind is DocumentKind.ELIGIBILITY_NOTICE else "資格確認書"
        if i.replaces_id is not None:
            text += "（旧氏名のものは回収）"
        if i.new_ratio is not None and i.kind is DocumentKind.ELIGIBILITY_NOTICE:
            text += (f"（負担割合 {i.old_ratio}割{change_rules.ARROW}{i.new_ratio}割、"
                     f"{format_wareki(i.ratio_effective_from)}から）")
        what.append(text)
    if people:
        lines.append(f"交付待ち（事業所経由）{len(plan.issues)}件・回収 {len(plan.returns)}件:")
        lines += [f"  {who}  {'・'.join(what)}" for who, what in people.values()]
    if kind in (RegisterChange.REMUNERATION, RegisterChange.INCOME_REDUCTION) and not plan.issues:
        lines.append("  負担割合の変わる方はいません（書類の交付はありません）。")
    return lines
