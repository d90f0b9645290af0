"""資格取得 (an insured person with any dependents, from the employer's 資格取得届) and 扶養追加
(a dependent added to an insured person later): the checks, the 記号・番号・枝番, the possible
duplicates the clerk must see first, the register's first history row, and the お知らせ and
資格確認書 queued for issue via the employer. One transaction and one audit entry per action."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import peewee

from clerk_tui.db import enrolment as register
from clerk_tui.db.models import Employer, Member, MemberHistory, member_search_keys
from clerk_tui.domain import kana, rules
from clerk_tui.domain.codes import (AuditKind, CardStatus, DocumentKind, IssueCause, RegisterChange,
                                    Relationship, Sex)
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules.enrolment import PersonKeys
from clerk_tui.domain.text import TextKind, clean_text
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services import audit
from clerk_tui.services.context import Context, fetch_for_edit, touch
from clerk_tui.services.issue_queue import IssueRequestRow, queue_issue
from clerk_tui.services.rows import EmployerRow, MemberRow, member_row, to_row

# 標準報酬月額: the lowest and highest grades of the health insurance table (yen).
LOWEST_REMUNERATION = 58_000
HIGHEST_REMUNERATION = 1_390_000
_POSTAL = re.compile(r"\d{3}-?\d{4}")
_PHONE = re.compile(r"\+?[0-9][0-9-]{5,18}[0-9]")
EMPLOYER_CHOICES = 8


# ------------------------------------------------------------------ input and output


@dataclass(frozen=True, kw_only=True)
class PersonInput:
    """One person as written on the 届出. `mynumber_received_on`: the day the society received
    the My Number 届出, None when not received (never the number itself)."""

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date | None
    sex: Sex | None
    postal_code: str | None = None
    address: str | None = None
    phone: str | None = None
    card_status: CardStatus | None = CardStatus.NO_CARD
    mynumber_received_on: date | None = None
    needs_assistance: bool = False


@dataclass(frozen=True, kw_only=True)
class DependentInput(PersonInput):
    """A dependent; `acquired_on` None = the insured person's 資格取得日 (at enrolment). An empty
    address is the insured person's (the family lives together)."""

    relationship: Relationship | None
    acquired_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class EnrolmentInput:
    employer_id: int | None
    acquired_on: date | None
    insured: PersonInput
    standard_monthly_remuneration: int | None
    dependents: tuple[DependentInput, ...] = ()
    requalifies_id: int | None = None  # the earlier record of the same person coming back


@dataclass(frozen=True)
class DuplicateCandidate:
    """A member, current or former, who may be a person on the form (`person`: 0 the insured,
    1… the dependents in the order given)."""

    person: int
    member_id: int
    member_code: str
    full_name: str
    full_name_kana: str
    birth_date: date
    acquired_on: date
    lost_on: date | None
    employer_name: str
    former_name: str | None  # the matching 旧姓 when the match was on a former name

    @property
    def is_former_member(self) -> bool:
        return self.lost_on is not None


class PossibleDuplicates(DomainError):
    """People on the form may already be on the register: the clerk opens the existing record or
    confirms new people with a reason. Nothing was written."""

    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        super().__init__(f"同じ生年月日・氏名の加入員が{len(candidates)}件あります。既存の記録を確認してください。",
                         field="duplicates")
        self.candidates = candidates


@dataclass(frozen=True)
class EnrolmentResult:
    """The members created (the insured first at enrolment) and the documents queued."""

    members: tuple[MemberRow, ...]
    requests: tuple[IssueRequestRow, ...]

    @property
    def id(self) -> int:
        return self.members[0].id


# ------------------------------------------------------------------ reading


def find_employers(ctx: Context, text: str) -> list[EmployerRow]:
    """Employers for the enrolment's lookup: the one with that code, else those whose code starts
    with, or whose name (variant-folded) or kana contains, the text; at most a handful."""
    typed = (text or "").strip()
    if not typed:
        return []
    code = clean_text(typed, label="事業所", max_len=100, kind=TextKind.CODE, field="employer")
    kana_text = kana.to_katakana(kana.fold_width(typed)) if kana.is_kana(typed) else ""
    return [to_row(EmployerRow, e) for e in register.employers_matching(
        kana.name_key(typed), kana_text, code, EMPLOYER_CHOICES)]


def _keys(person: PersonInput) -> PersonKeys | None:
    if person.birth_date is None:
        return None
    keys = member_search_keys(person.family_name or "", person.given_name or "",
                              person.family_name_kana or "", person.given_name_kana or "")
    return PersonKeys(person.birth_date, keys["name_key"], keys["kana_key"])


def _candidates(people: list[PersonInput]) -> list[DuplicateCandidate]:
    found: list[DuplicateCandidate] = []
    seen: set[tuple[int, int]] = set()
    employers: dict[int, str] = {}

    def add(index: int, member: Member, former: str | None) -> None:
        if (index, member.id) in seen:
            return
        seen.add((index, member.id))
        if member.employer_id not in employers:
            employers[member.employer_id] = Employer.fetch(member.employer_id).name
        found.append(DuplicateCandidate(index, member.id, member.member_code, member.full_name,
                                        member.full_name_kana, member.birth_date, member.acquired_on,
                                        member.lost_on, employers[member.employer_id], former))

    for index, person in enumerate(people):
        keys = _keys(person)
        if keys is None:
            continue
        for member in register.members_with_same_birth_and_name(keys.birth_date, keys.name_key, keys.kana_key):
            add(index, member, None)
        for member, former in register.members_with_former_name(keys.birth_date, keys.name_key, keys.kana_key):
            add(index, member, f"{former.family_name}\u3000{former.given_name}")
    return found


def find_duplicates(ctx: Context, data: EnrolmentInput | DependentInput) -> list[DuplicateCandidate]:
    """Members, current or former (also by a 旧姓), with the birth date and the name in kanji or
    kana of a person on the form, after variant and kana folding: what the clerk sees first."""
    people = [data] if isinstance(data, DependentInput) else [data.insured, *data.dependents]
    found = _candidates(people)
    _log_shown(ctx, found)
    return found


def _log_shown(ctx: Context, candidates: list[DuplicateCandidate]) -> None:
    """Showing the candidates shows other members' records: one view entry per member shown."""
    if not candidates:
        return

    def log() -> None:
        for member_id in dict.fromkeys(c.member_id for c in candidates):
            audit.record(ctx, AuditKind.VIEW, "member.duplicates", table="member", record_id=member_id,
                         member_id=member_id)

    ctx.write(log)


# ------------------------------------------------------------------ checking the input


def _text(value, label: str, field: str, max_len: int, kind: TextKind, required: bool = False) -> str | None:
    return clean_text(value, label=label, max_len=max_len, field=field, kind=kind, required=required) or None


def _check_person(p: PersonInput, prefix: str, acquired_on: date, today: date, *, insured: bool) -> dict:
    f = (lambda name: prefix + name)
    values = {
        "family_name": _text(p.family_name, "氏", f("family_name"), 40, TextKind.NAME, True),
        "given_name": _text(p.given_name, "名", f("given_name"), 40, TextKind.NAME, True),
        "family_name_kana": _text(p.family_name_kana, "氏（カナ）", f("family_name_kana"), 60, TextKind.KANA, True),
        "given_name_kana": _text(p.given_name_kana, "名（カナ）", f("given_name_kana"), 60, TextKind.KANA, True),
    }
    if p.birth_date is None:
        raise DomainError("生年月日を入力してください。", field=f("birth_date"))
    if p.sex is None:
        raise DomainError("性別を選んでください。", field=f("sex"))
    rules.check_person(p.birth_date, acquired_on, insured=insured, field=f("birth_date"))
    postal = _text(p.postal_code, "郵便番号", f("postal_code"), 8, TextKind.CODE)
    if postal and not _POSTAL.fullmatch(postal):
        raise DomainError("郵便番号は「123-4567」の形で入力してください。", field=f("postal_code"))
    if postal and "-" not in postal:
        postal = f"{postal[:3]}-{postal[3:]}"
    phone = _text(p.phone, "電話番号", f("phone"), 20, TextKind.CODE)
    if phone and not _PHONE.fullmatch(phone):
        raise DomainError("電話番号は数字とハイフンで入力してください。", field=f("phone"))
    if p.card_status is None:
        raise DomainError("マイナンバーカードの状況を選んでください。", field=f("card_status"))
    received = p.mynumber_received_on
    if received is not None and received > today:
        raise DomainError(f"マイナンバー届出の受付日（{format_wareki(received)}）が未来の日付です。",
                          field=f("mynumber_received_on"))
    values.update(birth_date=p.birth_date, sex=Sex(p.sex), postal_code=postal,
                  address=_text(p.address, "住所", f("address"), 200, TextKind.ADDRESS), phone=phone,
                  card_status=CardStatus(p.card_status), mynumber_received_on=received,
                  needs_assistance=bool(p.needs_assistance))
    return values


def _check_dependent(d: DependentInput, prefix: str, insured: dict, insured_acquired_on: date,
                     default_acquired_on: date, today: date) -> dict:
    acquired_on = d.acquired_on or default_acquired_on
    rules.check_acquired_on(acquired_on, today, field=prefix + "acquired_on")
    if d.relationship is None:
        raise DomainError("続柄を選んでください。", field=prefix + "relationship")
    values = _check_person(d, prefix, acquired_on, today, insured=False)
    try:
        rules.check_dependent(d.birth_date, Relationship(d.relationship), insured["birth_date"], acquired_on,
                              insured_acquired_on, field=prefix + "birth_date", date_field=prefix + "acquired_on")
    except DomainError as exc:
        if exc.field == "relationship":
            exc.field = prefix + "relationship"
        raise
    values.update(relationship=Relationship(d.relationship), acquired_on=acquired_on)
    if not values["address"]:  # the family's address unless the 届出 gives another
        values.update(postal_code=values["postal_code"] or insured["postal_code"], address=insured["address"])
    return values


def _check_remuneration(value) -> int:
    if value is None:
        raise DomainError("標準報酬月額を入力してください。", field="standard_monthly_remuneration")
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("標準報酬月額は円単位の整数で入力してください。", field="standard_monthly_remuneration")
    if not LOWEST_REMUNERATION <= value <= HIGHEST_REMUNERATION:
        raise DomainError(f"標準報酬月額は{LOWEST_REMUNERATION:,}円から{HIGHEST_REMUNERATION:,}円の範囲です"
                          f"（入力: {value:,}円）。", field="standard_monthly_remuneration")
    return value


def _reason(text: str | None) -> str | None:
    if text is None:
        return None
    return clean_text(text, label="新規登録の理由", max_len=200, field="confirmed_new_reason", required=True)


def _insured_values(data: EnrolmentInput, today: date) -> tuple[date, dict, list[dict]]:
    if data.employer_id is None:
        raise DomainError("事業所を選んでください（コード・名称・カナで検索）。", field="employer")
    if data.acquired_on is None:
        raise DomainError("資格取得日を入力してください。", field="acquired_on")
    rules.check_acquired_on(data.acquired_on, today)
    insured = _check_person(data.insured, "", data.acquired_on, today, insured=True)
    insured.update(standard_monthly_remuneration=_check_remuneration(data.standard_monthly_remuneration),
                   relationship=Relationship.SELF, acquired_on=data.acquired_on)
    dependents = [_check_dependent(d, f"dependents.{i}.", insured, data.acquired_on, data.acquired_on, today)
                  for i, d in enumerate(data.dependents)]
    return data.acquired_on, insured, dependents


# ------------------------------------------------------------------ writing


def _create(ctx: Context, values: dict, *, employer_id: int, symbol: str, number: str, branch: str,
            insured: Member | None, reason: str | None) -> Member:
    now = ctx.clock.now()
    member = Member(symbol=symbol, number=number, branch=branch, insured=insured, employer=employer_id,
                    registered_on=ctx.clock.today(), updated_at=now, updated_by=ctx.clerk, **values)
    member.refresh_search_keys()
    member.save()
    MemberHistory.create(member=member, change=RegisterChange.ENROLMENT, field="acquired_on", old_value=None,
                         new_value=member.acquired_on.isoformat(), effective_from=member.acquired_on,
                         recorded_at=now, recorded_by=ctx.clerk, reason=reason)
    return member


def _queue(member: Member, cause: IssueCause, today: date) -> list:
    """The お知らせ for every new member (R1); a 資格確認書 too for one who cannot use マイナ保険証."""
    requests = [queue_issue(member, DocumentKind.ELIGIBILITY_NOTICE, cause, today)]
    if rules.needs_certificate(member.card_status, member.needs_assistance, member.mynumber_received_on):
        requests.append(queue_issue(member, DocumentKind.ELIGIBILITY_CERTIFICATE, cause, today))
    return requests


def _refuse_unconfirmed(candidates: list[DuplicateCandidate], reason: str | None, requalifies_id: int | None) -> None:
    open_ones = [c for c in candidates if not (c.person == 0 and c.member_id == requalifies_id)]
    if open_ones and reason is None:
        raise PossibleDuplicates(candidates)


def _result(members: list[Member], requests: list) -> EnrolmentResult:
    return EnrolmentResult(tuple(member_row(m) for m in members),
                           tuple(to_row(IssueRequestRow, r) for r in requests))


def enrol(ctx: Context, data: EnrolmentInput, *, confirmed_new_reason: str | None = None) -> EnrolmentResult:
    """Enrol an insured person and any dependents as one family: 記号 of the employer, the next
    free 番号 in it, 枝番 00, 01, …. Refused with `PossibleDuplicates` while people on the form
    may be on the register already, unless the clerk gave the reason they are new (or named the
    earlier record of the insured person coming back, `requalifies_id`)."""
    today = ctx.clock.today()
    acquired_on, insured_values, dependents = _insured_values(data, today)
    reason = _reason(confirmed_new_reason)

    def write() -> EnrolmentResult:
        employer = Employer.fetch(data.employer_id)
        if employer is None:
            raise DomainError("事業所が見つかりません。", field="employer")
        if not employer.symbol:
            raise DomainError(f"事業所「{employer.name}」には記号がまだありません。記号を登録してから入力してください。",
                              field="employer")
        previous = None
        if data.requalifies_id is not None:
            previous = Member.fetch(data.requalifies_id)
            if previous is None or previous.lost_on is None or previous.lost_on > acquired_on:
                raise DomainError("再取得として選んだ記録は、資格取得日より前に資格を喪失した記録ではありません。",
                                  field="duplicates")
            if previous.birth_date != insured_values["birth_date"]:
                raise DomainError(f"再取得として選んだ記録（{previous.member_code}）は生年月日が違います。",
                                  field="duplicates")
        _refuse_unconfirmed(_candidates([data.insured, *data.dependents]), reason, data.requalifies_id)
        number = rules.next_number(register.highest_number(employer.symbol))
        # The history of the new record says where the person was before (the earlier record keeps its own).
        insured_reason = f"再取得（以前の記録 {previous.member_code}）" if previous is not None else reason
        insured = _create(ctx, insured_values, employer_id=employer.id, symbol=employer.symbol, number=number,
                          branch="00", insured=None, reason=insured_reason)
        members, requests = [insured], _queue(insured, IssueCause.ENROLMENT, today)
        for i, values in enumerate(dependents, start=1):
            dep = _create(ctx, values, employer_id=employer.id, symbol=employer.symbol, number=number,
                          branch=f"{i:02d}", insured=insured, reason=reason)
            members.append(dep)
            requests += _queue(dep, IssueCause.ENROLMENT, today)
        summary = {"members": [m.id for m in members], "requests": [r.id for r in requests],
                   "employer_id": employer.id, "acquired_on": acquired_on,
                   "duplicate_confirmed": reason is not None}
        if previous is not None:
            summary["requalifies"] = previous.id
        audit.record(ctx, AuditKind.WRITE, "member.enrol", table="member", record_id=insured.id,
                     member_id=insured.id, summary=summary)
        return _result(members, requests)

    return _write_new_members(ctx, write)


def add_dependent(ctx: Context, insured_id: int, data: DependentInput, *, expected_version: int | None,
                  confirmed_new_reason: str | None = None) -> EnrolmentResult:
    """扶養追加: a dependent with its own 資格取得日, the family's next 枝番 (never one used before).
    The insured person's record must not have changed since the clerk opened it."""
    today = ctx.clock.today()
    if data.acquired_on is None:
        raise DomainError("資格取得日を入力してください。", field="acquired_on")
    reason = _reason(confirmed_new_reason)

    def write() -> EnrolmentResult:
        insured = fetch_for_edit(Member, insured_id, expected_version, f"被保険者が見つかりません（ID {insured_id}）。")
        if not insured.is_insured:
            raise DomainError("被扶養者には扶養追加できません。被保険者の画面から追加してください。", field="member")
        if insured.lost_on is not None and insured.lost_on <= data.acquired_on:
            raise DomainError(f"被保険者は{format_wareki(insured.lost_on)}に資格を喪失しています。", field="acquired_on")
        values = _check_dependent(data, "", {"birth_date": insured.birth_date, "postal_code": insured.postal_code,
                                             "address": insured.address},
                                  insured.acquired_on, data.acquired_on, today)
        _refuse_unconfirmed(_candidates([data]), reason, None)
        branch = rules.next_branch(register.branches_used(insured.symbol, insured.number))
        dep = _create(ctx, values, employer_id=insured.employer_id, symbol=insured.symbol, number=insured.number,
                      branch=branch, insured=insured, reason=reason)
        requests = _queue(dep, IssueCause.DEPENDENT_ADDED, today)
        touch(insured, ctx)  # the family changed: a copy of it opened earlier is stale
        insured.save()
        audit.record(ctx, AuditKind.WRITE, "member.add_dependent", table="member", record_id=dep.id,
                     member_id=dep.id, summary={"insured": insured.id, "requests": [r.id for r in requests],
                                                "acquired_on": dep.acquired_on,
                                                "duplicate_confirmed": reason is not None})
        return _result([dep], requests)

    return _write_new_members(ctx, write)


def _write_new_members(ctx: Context, write) -> EnrolmentResult:
    """The write; a 記号・番号・枝番 taken meanwhile (a row written around the numbering, e.g. by a
    scenario file) is refused by the database's unique index and told, with nothing written."""
    try:
        return ctx.write(write)
    except PossibleDuplicates as exc:  # nothing was written; the clerk is shown these records
        _log_shown(ctx, exc.candidates)
        raise
    except peewee.IntegrityError as exc:
        if f"{Member._meta.table_name}.symbol" not in str(exc):  # the (symbol, number, branch) index
            raise
        raise DomainError("記号・番号・枝番が既に使われています。もう一度保存してください"
                          "（続く場合はシステム管理者に連絡してください）。", field="employer") from None
