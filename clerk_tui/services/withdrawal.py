"""The end of qualification (退職, 扶養削除, 75歳到達) and the return of documents (R9, R10):
record the loss with its family cascade, create the collection items, track returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from clerk_tui.db.models import AuditEntry, CollectionItem, Document, Employer, Member
from clerk_tui.domain import rules
from clerk_tui.domain.codes import (
    AuditKind,
    CollectionStatus,
    DependentRemovalReason,
    DocumentStatus,
    ReturnVia,
    WithdrawalReason,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import clean_text
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services import audit
from clerk_tui.services.context import Context, check_version, get_member, mark_returned, touch
from clerk_tui.services.issue_queue import cancel_requests, pending_request_ids, restore_requests
from clerk_tui.services.rows import (CollectionItemRow, DocumentRow, EmployerRow, MemberRow, document_row,
                                     member_row, to_row)

FAR_FUTURE_DAYS = 92  # a loss date further ahead than this is almost certainly a typing error



def _active_dependents(insured: Member) -> list[Member]:
    return list(Member.select().where(Member.insured == insured, Member.lost_on.is_null())
                .order_by(Member.branch))


@dataclass(frozen=True)
class _LossPlan:
    """Who loses coverage and what each of their documents needs, as stored records."""

    lost_on: date
    people: list[Member]
    collect: list[tuple[Member, rules.CollectionDecision]]
    not_collected: list[tuple[Member, rules.CollectionDecision]]
    pending_requests: list[int]  # 交付待ち of these people: nothing is issued to someone leaving


@dataclass(frozen=True)
class LossPreview:
    """Shown before the clerk confirms: who loses coverage and which documents must come back
    (each decision's `document` is a DocumentRow)."""

    lost_on: date
    last_work_day: date
    people: list[MemberRow]
    collect: list[tuple[MemberRow, rules.CollectionDecision]]
    not_collected: list[tuple[MemberRow, rules.CollectionDecision]]
    # Documents waiting in the 交付待ち queue for these people: cancelled with the loss.
    pending_requests: int = 0


def _preview(plan: _LossPlan, today: date) -> LossPreview:
    rows = {m.id: member_row(m) for m in plan.people}

    def decided(pairs: list[tuple[Member, rules.CollectionDecision]]):
        return [(rows[m.id], replace(d, document=document_row(d.document, today=today, lost_on=m.lost_on)))
                for m, d in pairs]

    return LossPreview(lost_on=plan.lost_on, last_work_day=rules.last_work_day_for(plan.lost_on),
                       people=list(rows.values()), collect=decided(plan.collect),
                       not_collected=decided(plan.not_collected), pending_requests=len(plan.pending_requests))


def _validate_loss(member: Member, lost_on: date, today: date) -> None:
    if member.lost_on is not None:
        raise DomainError(f"この方は既に{format_wareki(member.lost_on)}に資格を喪失しています。", field="member")
    if lost_on <= member.acquired_on:
        raise DomainError(f"喪失日（{format_wareki(lost_on)}）が資格取得日（{format_wareki(member.acquired_on)}）"
                          "以前です。", field="lost_on")
    if (lost_on - today).days > FAR_FUTURE_DAYS:
        raise DomainError(f"喪失日（{format_wareki(lost_on)}）が先すぎます（{FAR_FUTURE_DAYS}日以内で入力してください）。",
                          field="lost_on")


def preview_loss(ctx: Context, member_id: int, lost_on: date) -> LossPreview:
    return _preview(_plan_loss(ctx, member_id, lost_on), ctx.clock.today())


def _plan_loss(ctx: Context, member_id: int, lost_on: date) -> _LossPlan:
    member = get_member(member_id)
    _validate_loss(member, lost_on, ctx.clock.today())
    people = [member] + (_active_dependents(member) if member.is_insured else [])
    collect, not_collected = [], []
    for person in people:
        docs = list(Document.select().where(Document.member == person))
        for decision in rules.collection_decisions(lost_on, docs):
            if decision.collect and CollectionItem.select().where(CollectionItem.document == decision.document).exists():
                # Already being collected (a 氏名変更 asked for it back): one item per document.
                decision = replace(decision, collect=False, reason="既に回収中（氏名変更による返却待ち）")
            (collect if decision.collect else not_collected).append((person, decision))
    return _LossPlan(lost_on=lost_on, people=people, collect=collect, not_collected=not_collected,
                     pending_requests=pending_request_ids([p.id for p in people]))


def _record_loss(ctx: Context, member_id: int, lost_on: date, reason_code: str, action: str,
                 expected_version: int | None) -> LossPreview:
    today = ctx.clock.today()
    if reason_code == WithdrawalReason.AGE_75.value:
        birthday = rules.loss_on_reaching_75(get_member(member_id).birth_date)
        if lost_on != birthday:
            raise DomainError(f"75歳到達による喪失日は75歳の誕生日（{format_wareki(birthday)}）です。",
                              field="lost_on")

    def write() -> LossPreview:
        member = get_member(member_id)
        check_version(member, expected_version)
        preview = _plan_loss(ctx, member_id, lost_on)
        for person in preview.people:
            person.lost_on = lost_on
            person.loss_reason = reason_code
            touch(person, ctx)
            person.save()
        items = []
        for person, decision in preview.collect:
            item = CollectionItem.create(member=person, document=decision.document, employer=person.employer_id,
                                         lost_on=lost_on, status=CollectionStatus.OUTSTANDING,
                                         updated_at=ctx.clock.now(), updated_by=ctx.clerk)
            items.append(item.id)
        cancel_requests(ctx, preview.pending_requests)
        audit.record(ctx, AuditKind.WRITE, action, table="member", record_id=member.id, member_id=member.id,
                     summary={"lost_on": lost_on, "reason": reason_code, "today": today,
                              "members": [p.id for p in preview.people], "collection_items": items,
                              "cancelled_requests": preview.pending_requests})
        return _preview(preview, today)

    return ctx.write(write)


def record_withdrawal(ctx: Context, member_id: int, *, lost_on: date, reason: WithdrawalReason,
                      expected_version: int | None = None) -> LossPreview:
    """An insured person loses qualification; every dependent loses coverage the same day (R9)."""
    member = get_member(member_id)
    if not member.is_insured:
        raise DomainError("被扶養者の資格喪失は「扶養削除」で記録してください。", field="member")
    return _record_loss(ctx, member_id, lost_on, WithdrawalReason(reason).value, "member.withdraw", expected_version)


def remove_dependent(ctx: Context, member_id: int, *, lost_on: date, reason: DependentRemovalReason,
                     expected_version: int | None = None) -> LossPreview:
    member = get_member(member_id)
    if member.is_insured:
        raise DomainError("被保険者の資格喪失は「退職等」で記録してください。", field="member")
    return _record_loss(ctx, member_id, lost_on, DependentRemovalReason(reason).value, "member.remove_dependent",
                        expected_version)


def members_reaching_75(month: date) -> list[MemberRow]:
    """Active members whose 75th birthday (the day they leave for 後期高齢者医療, R5) is in `month`."""
    start = month.replace(day=1)
    end = rules.last_day_of_month(start)
    # Born 75 years before the month; Feb 29 births reach 75 on Mar 1 in common years.
    lo = date(start.year - 75, start.month, 1)
    hi = rules.last_day_of_month(lo)
    candidates = Member.select(Member, Employer).join(Employer).where(Member.lost_on.is_null(), Member.birth_date.between(
        lo - rules.ONE_DAY, hi)).order_by(Member.birth_date, Member.symbol, Member.number, Member.branch)
    return [member_row(m, employer_name=m.employer.name)
            for m in candidates if start <= rules.loss_on_reaching_75(m.birth_date) <= end]


def record_reaching_75(ctx: Context, member_ids: list[int]) -> list[LossPreview]:
    """Record the loss on the 75th birthday for each chosen member, each in its own transaction
    (an insured person's dependents lose coverage with them)."""
    results = []
    for member_id in member_ids:
        member = get_member(member_id)
        if member.lost_on is not None:
            continue  # already recorded (e.g. as the dependent of an earlier one in the list)
        lost_on = rules.loss_on_reaching_75(member.birth_date)
        if member.is_insured:
            results.append(record_withdrawal(ctx, member_id, lost_on=lost_on, reason=WithdrawalReason.AGE_75))
        else:
            results.append(remove_dependent(ctx, member_id, lost_on=lost_on, reason=DependentRemovalReason.AGE_75))
    return results


@dataclass(frozen=True)
class Reinstatement:
    """A mistaken loss cancelled: who got their qualification back, and how many of the
    documents the loss had taken off the 交付待ち queue went back on it."""

    members: list[int]
    requests_restored: int


def cancel_loss(ctx: Context, member_id: int, *, reason: str,
                expected_version: int | None = None) -> Reinstatement:
    """A loss recorded by mistake: restore qualification for the people it ended, cancel their
    outstanding collection items, and put back on the queue the documents the loss cancelled."""
    reason = clean_text(reason, label="取消の理由", max_len=200, field="reason", required=True)

    def write() -> list[int]:
        member = get_member(member_id)
        check_version(member, expected_version)
        if member.lost_on is None:
            raise DomainError("この方は資格を喪失していません。", field="member")
        if not member.is_insured:
            insured = get_member(member.insured_id)
            if insured.lost_on is not None and insured.lost_on <= member.lost_on:
                # A dependent cannot be qualified under an insured person who is not.
                raise DomainError(
                    f"被保険者 {insured.full_name} さんの資格喪失（{format_wareki(insured.lost_on)}）に伴う"
                    "喪失です。被保険者の画面で喪失を取り消してください（家族も一緒に戻ります）。", field="member")
        entry = (AuditEntry.select().where(AuditEntry.record_id == member.id, AuditEntry.table_name == "member",
                                           AuditEntry.action.in_(["member.withdraw", "member.remove_dependent"]))
                 .order_by(AuditEntry.id.desc()).first())
        summary = json.loads(entry.summary) if entry else {}
        people = summary.get("members", [member.id])
        restored = []
        for pid in people:
            person = Member.get_by_id(pid)
            if person.lost_on != member.lost_on:
                continue
            person.lost_on = None
            person.loss_reason = None
            touch(person, ctx)
            person.save()
            restored.append(pid)
        (CollectionItem.update(status=CollectionStatus.CANCELLED, closed_reason=reason,
                               updated_at=ctx.clock.now(), updated_by=ctx.clerk,
                               version=CollectionItem.version + 1)
         .where(CollectionItem.member.in_(restored), CollectionItem.status == CollectionStatus.OUTSTANDING)
         .execute())
        requests = restore_requests(ctx, summary.get("cancelled_requests", []), restored)
        audit.record(ctx, AuditKind.WRITE, "member.cancel_loss", table="member", record_id=member.id,
                     member_id=member.id, summary={"members": restored, "restored_requests": requests})
        return Reinstatement(restored, len(requests))

    return ctx.write(write)


def record_return(ctx: Context, item_id: int, *, returned_on: date, via: ReturnVia,
                  condition: str | None = None, expected_version: int | None = None) -> CollectionItemRow:
    today = ctx.clock.today()
    condition = clean_text(condition, label="状態", max_len=100, field="condition") or None

    def write() -> CollectionItemRow:
        item = _item(item_id)
        check_version(item, expected_version)
        if returned_on > today:
            raise DomainError("返却日が未来の日付です。", field="returned_on")
        item.status = CollectionStatus.RETURNED
        item.returned_on = returned_on
        item.return_via = ReturnVia(via)
        item.condition = condition
        touch(item, ctx)
        item.save()
        doc = Document.fetch(item.document_id)
        mark_returned(ctx, doc, returned_on)
        audit.record(ctx, AuditKind.WRITE, "collection.return", table="collection_item", record_id=item.id,
                     member_id=item.member_id, summary={"document": doc.id, "via": item.return_via.value})
        return to_row(CollectionItemRow, item)

    return ctx.write(write)


def close_item(ctx: Context, item_id: int, *, status: CollectionStatus, reason: str,
               expected_version: int | None = None) -> CollectionItemRow:
    """Close with a 滅失届 or 回収不能届 (R9)."""
    status = CollectionStatus(status)
    if status not in (CollectionStatus.LOST, CollectionStatus.UNRECOVERABLE):
        raise DomainError("滅失または回収不能を選んでください。", field="status")
    reason = clean_text(reason, label="理由", max_len=200, field="reason", required=True)

    def write() -> CollectionItemRow:
        item = _item(item_id)
        check_version(item, expected_version)
        item.status = status
        item.closed_reason = reason
        touch(item, ctx)
        item.save()
        doc = item.document
        doc.status = DocumentStatus.LOST if status is CollectionStatus.LOST else DocumentStatus.UNRECOVERABLE
        doc.status_changed_on = ctx.clock.today()
        touch(doc, ctx)
        doc.save()
        audit.record(ctx, AuditKind.WRITE, "collection.close", table="collection_item", record_id=item.id,
                     member_id=item.member_id, summary={"status": status.value})
        return to_row(CollectionItemRow, item)

    return ctx.write(write)


def _item(item_id: int) -> CollectionItem:
    item = CollectionItem.fetch(item_id)
    if item is None:
        raise DomainError(f"回収対象が見つかりません（ID {item_id}）。")
    if item.status is not CollectionStatus.OUTSTANDING:
        raise DomainError(f"この回収対象は既に{item.status.label}です。")
    return item


@dataclass(frozen=True)
class OutstandingRow:
    item: CollectionItemRow
    member: MemberRow
    employer: EmployerRow
    document: DocumentRow
    days: int

    @property
    def name_change(self) -> bool:
        return for_name_change(self.item, self.member)

    @property
    def document_label(self) -> str:
        """The document's kind, marked when it comes back for a 氏名変更 rather than a loss."""
        return self.document.kind.label + ("（氏名変更）" if self.name_change else "")


def for_name_change(item, holder) -> bool:
    """Was the item created by a 氏名変更 (R17)? Items of a loss carry that loss's date (and are
    cancelled with it); a 氏名変更's carry its effective date while the holder stays qualified."""
    return holder.lost_on != item.lost_on


def outstanding(today: date, *, employer_id: int | None = None) -> list[OutstandingRow]:
    """The items still to come back, oldest first per employer; each row carries its member,
    employer and document, read in the one query (the list shows the document's kind)."""
    q = (CollectionItem.select(CollectionItem, Member, Employer, Document)
         .join(Member, on=CollectionItem.member)
         .switch(CollectionItem).join(Employer, on=CollectionItem.employer)
         .switch(CollectionItem).join(Document, on=CollectionItem.document)
         .where(CollectionItem.status == CollectionStatus.OUTSTANDING))
    if employer_id is not None:
        q = q.where(CollectionItem.employer == employer_id)
    return [OutstandingRow(to_row(CollectionItemRow, i), member_row(i.member), to_row(EmployerRow, i.employer),
                           document_row(i.document, today=today, lost_on=i.member.lost_on), (today - i.lost_on).days)
            for i in q.order_by(Employer.code, CollectionItem.lost_on)]


def outstanding_counts(today: date) -> dict[str, int]:
    """For the home screen: outstanding items by age band."""
    bands = {"30日以内": 0, "31〜90日": 0, "91日以上": 0}
    for item in CollectionItem.select(CollectionItem.lost_on).where(
            CollectionItem.status == CollectionStatus.OUTSTANDING):
        days = (today - item.lost_on).days
        bands["30日以内" if days <= 30 else "31〜90日" if days <= 90 else "91日以上"] += 1
    return bands

