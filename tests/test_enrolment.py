"""Enrolment (資格取得) and 扶養追加: the rules, the service against a real file, the numbering
under two real processes, and the duplicate check with variant kanji."""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import replace
from datetime import date

import pytest

from clerk_tui.db.models import AuditEntry, Employer, IssueRequest, Member, MemberHistory
from clerk_tui.domain import rules
from clerk_tui.domain.codes import CardStatus, DocumentKind, IssueCause, RegisterChange, Relationship, Sex
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules.enrolment import PersonKeys
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services.enrolment import (
    DependentInput,
    EnrolmentInput,
    PersonInput,
    PossibleDuplicates,
    add_dependent,
    enrol,
    find_duplicates,
    find_employers,
)
from clerk_tui.services.issue_queue import pending_requests
from tests.conftest import TODAY
from tests.factories import make_employer, make_member

# ------------------------------------------------------------------ rules


def test_acquired_on_may_be_a_little_ahead_but_not_far():
    rules.check_acquired_on(date(2026, 2, 18), TODAY)  # 90 days
    with pytest.raises(DomainError) as e:
        rules.check_acquired_on(date(2026, 2, 19), TODAY)
    assert e.value.field == "acquired_on" and "先すぎます" in e.value.message


@pytest.mark.parametrize("birth, insured, fragment", [
    (date(2025, 12, 1), True, "より後です"),
    (date(1900, 1, 1), False, "125歳"),
    (date(1950, 11, 21), False, "75歳以上"),  # enrolled on the 75th birthday itself
    (date(2015, 1, 1), True, "15歳未満"),
])
def test_implausible_people_are_refused(birth, insured, fragment):
    acquired = date(2025, 11, 20) if birth != date(1950, 11, 21) else date(2025, 11, 21)
    with pytest.raises(DomainError) as e:
        rules.check_person(birth, acquired, insured=insured)
    assert fragment in e.value.message and e.value.field == "birth_date"


def test_the_day_before_the_75th_birthday_is_still_enrollable():
    rules.check_person(date(1950, 11, 22), date(2025, 11, 21), insured=False)


def test_a_child_older_than_the_insured_or_a_parent_younger_is_refused():
    insured_birth, day = date(1980, 4, 2), date(2025, 11, 1)
    rules.check_dependent(date(2010, 1, 1), Relationship.CHILD, insured_birth, day, day)
    rules.check_dependent(date(1955, 1, 1), Relationship.PARENT, insured_birth, day, day)
    with pytest.raises(DomainError, match="年上"):
        rules.check_dependent(date(1970, 1, 1), Relationship.CHILD, insured_birth, day, day)
    with pytest.raises(DomainError, match="年下"):
        rules.check_dependent(date(1990, 1, 1), Relationship.PARENT, insured_birth, day, day)
    with pytest.raises(DomainError) as e:
        rules.check_dependent(date(2010, 1, 1), Relationship.CHILD, insured_birth, date(2020, 1, 1), day)
    assert e.value.field == "acquired_on"


def test_next_number_and_branch():
    assert rules.next_number(None) == "1" and rules.next_number(9) == "10"
    assert rules.next_branch(["00"]) == "01"
    assert rules.next_branch(["00", "03", "01"]) == "04"  # 02 lost and gone: never given again
    with pytest.raises(DomainError):
        rules.next_branch(["00", "99"])


def test_who_gets_a_certificate_at_enrolment():
    assert rules.needs_certificate(CardStatus.NO_CARD, False, None)
    assert not rules.needs_certificate(CardStatus.USABLE, False, date(2025, 1, 1))
    assert rules.needs_certificate(CardStatus.USABLE, False, None)  # the society lacks the My Number
    assert rules.needs_certificate(CardStatus.USABLE, True, date(2025, 1, 1))  # 要配慮者


def test_same_person_match_needs_birth_date_and_a_name():
    a = PersonKeys(date(1980, 1, 1), "高橋一郎", "タカハシイチロウ")
    assert rules.may_be_same_person(a, PersonKeys(date(1980, 1, 1), "高橋一郎", "タカハシイチロ"))
    assert rules.may_be_same_person(a, PersonKeys(date(1980, 1, 1), "鷹橋一郎", "タカハシイチロウ"))
    assert not rules.may_be_same_person(a, PersonKeys(date(1980, 1, 2), "高橋一郎", "タカハシイチロウ"))
    assert not rules.may_be_same_person(a, PersonKeys(date(1980, 1, 1), "", ""))


# ------------------------------------------------------------------ the service

def _employer(ctx, symbol="2001", **kw):
    emp = make_employer(ctx, **kw)
    ctx.write(lambda: Employer.update(symbol=symbol).where(Employer.id == emp.id).execute())
    return emp


def _person(**kw) -> PersonInput:
    base = dict(family_name="佐藤", given_name="健一", family_name_kana="サトウ", given_name_kana="ケンイチ",
                birth_date=date(1990, 5, 6), sex=Sex.MALE, postal_code="1020071", address="東京都千代田区富士見2-1",
                phone="03-1234-5678", card_status=CardStatus.USABLE, mynumber_received_on=date(2025, 11, 10))
    base.update(kw)
    return PersonInput(**base)


def _dependent(**kw) -> DependentInput:
    base = dict(family_name="佐藤", given_name="花子", family_name_kana="サトウ", given_name_kana="ハナコ",
                birth_date=date(2018, 7, 1), sex=Sex.FEMALE, relationship=Relationship.CHILD,
                card_status=CardStatus.NO_CARD)
    base.update(kw)
    return DependentInput(**base)


def _input(emp, *dependents, **kw) -> EnrolmentInput:
    base = dict(employer_id=emp.id, acquired_on=date(2025, 11, 1), insured=_person(),
                standard_monthly_remuneration=300_000, dependents=tuple(dependents))
    base.update(kw)
    return EnrolmentInput(**base)


def test_enrolment_numbers_the_family_queues_documents_and_audits_ids_only(ctx):
    emp = _employer(ctx)
    make_member(ctx, emp, symbol="2001", number="9", family_name="別人", family_name_kana="ベツジン")
    result = enrol(ctx, _input(emp, _dependent(), _dependent(given_name="次郎", given_name_kana="ジロウ",
                                                            sex=Sex.MALE, birth_date=date(2020, 1, 2))))
    codes = [m.member_code for m in result.members]
    assert codes == ["2001-10-00", "2001-10-01", "2001-10-02"]
    insured, first, second = result.members
    assert first.insured_id == insured.id and first.address == insured.address  # the family's address
    assert insured.postal_code == "102-0071" and insured.standard_monthly_remuneration == 300_000
    # お知らせ for all three; 資格確認書 only for the children without a card (R3 a)
    kinds = {(r.member_id, r.kind) for r in result.requests}
    assert kinds == {(insured.id, DocumentKind.ELIGIBILITY_NOTICE), (first.id, DocumentKind.ELIGIBILITY_NOTICE),
                     (second.id, DocumentKind.ELIGIBILITY_NOTICE), (first.id, DocumentKind.ELIGIBILITY_CERTIFICATE),
                     (second.id, DocumentKind.ELIGIBILITY_CERTIFICATE)}
    assert all(r.cause is IssueCause.ENROLMENT for r in result.requests)
    assert [r.kind for r in pending_requests(first.id)] == [DocumentKind.ELIGIBILITY_NOTICE,
                                                            DocumentKind.ELIGIBILITY_CERTIFICATE]
    history = MemberHistory.get(MemberHistory.member == insured.id)
    assert history.change is RegisterChange.ENROLMENT and history.effective_from == date(2025, 11, 1)
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    assert entry.action == "member.enrol" and entry.record_id == insured.id
    assert "佐藤" not in entry.summary and "千代田" not in entry.summary
    assert str(sorted(r.id for r in result.requests)[0]) in entry.summary


def test_a_second_family_gets_the_next_number_numerically(ctx):
    emp = _employer(ctx)
    make_member(ctx, emp, symbol="2001", number="9")
    make_member(ctx, emp, symbol="2001", number="10")
    make_member(ctx, emp, symbol="9999", number="500")  # another 記号 does not count
    assert enrol(ctx, _input(emp)).members[0].member_code == "2001-11-00"


@pytest.mark.parametrize("change, field", [
    (dict(insured=_person(birth_date=date(2026, 1, 1))), "birth_date"),
    (dict(acquired_on=date(2027, 1, 1)), "acquired_on"),
    (dict(employer_id=None), "employer"),
    (dict(employer_id=99999), "employer"),
    (dict(insured=_person(address="東京都 123456789012")), "address"),
    (dict(insured=_person(phone="1234 5678 9012")), "phone"),
    (dict(insured=_person(family_name_kana="佐藤")), "family_name_kana"),
    (dict(standard_monthly_remuneration=5_000), "standard_monthly_remuneration"),
    (dict(dependents=(_dependent(birth_date=date(1970, 1, 1)),)), "dependents.0.birth_date"),
    (dict(dependents=(_dependent(), _dependent(relationship=None))), "dependents.1.relationship"),
    (dict(dependents=(_dependent(given_name="1234-5678-9012"),)), "dependents.0.given_name"),
])
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(ctx, change, field):
    emp = _employer(ctx)
    before = (Member.select().count(), IssueRequest.select().count(), AuditEntry.select().count())
    with pytest.raises(DomainError) as e:
        enrol(ctx, _input(emp, **change))
    assert e.value.field == field
    assert (Member.select().count(), IssueRequest.select().count(), AuditEntry.select().count()) == before


def test_an_employer_without_a_symbol_is_refused(ctx):
    emp = make_employer(ctx)
    with pytest.raises(DomainError, match="記号がまだありません") as e:
        enrol(ctx, _input(emp))
    assert e.value.field == "employer"


def test_a_taken_member_code_is_refused_by_the_database(ctx):
    emp = _employer(ctx)
    make_member(ctx, emp, symbol="2001", number="1")
    with pytest.raises(Exception):
        make_member(ctx, emp, symbol="2001", number="1")


def test_duplicates_with_variant_kanji_are_shown_before_saving(ctx):
    emp = _employer(ctx)
    old = make_member(ctx, emp, symbol="2001", number="1", family_name="髙橋", given_name="一郎",
                      family_name_kana="タカハシ", given_name_kana="イチロウ", birth_date=date(1985, 3, 3),
                      lost_on=date(2024, 4, 1))
    data = _input(emp, insured=_person(family_name="高橋", given_name="一郎", family_name_kana="ﾀｶﾊｼ",
                                       given_name_kana="イチロウ", birth_date=date(1985, 3, 3)))
    found = find_duplicates(ctx, data)
    assert [(c.person, c.member_id, c.is_former_member) for c in found] == [(0, old.id, True)]
    count = Member.select().count()
    with pytest.raises(PossibleDuplicates) as e:
        enrol(ctx, data)
    assert [c.member_id for c in e.value.candidates] == [old.id]
    assert Member.select().count() == count
    # showing the candidate is a view of that member's record, in the trail
    shown = AuditEntry.select().where(AuditEntry.action == "member.duplicates")
    assert [(a.kind.value, a.member_id) for a in shown] == [("view", old.id), ("view", old.id)]
    # same birth date, other name: no candidate
    assert find_duplicates(ctx, replace(data, insured=_person(birth_date=date(1985, 3, 3)))) == []


def test_a_confirmed_new_person_is_enrolled_with_the_reason_in_the_history(ctx):
    emp = _employer(ctx)
    make_member(ctx, emp, symbol="2001", number="1", family_name="佐藤", given_name="健一",
                family_name_kana="サトウ", given_name_kana="ケンイチ", birth_date=date(1990, 5, 6))
    with pytest.raises(DomainError) as e:
        enrol(ctx, _input(emp), confirmed_new_reason="  ")
    assert e.value.field == "confirmed_new_reason"
    result = enrol(ctx, _input(emp), confirmed_new_reason="同姓同名の別人（住所・電話で確認）")
    history = MemberHistory.get(MemberHistory.member == result.id)
    assert history.reason.startswith("同姓同名")
    assert '"duplicate_confirmed": true' in AuditEntry.select().order_by(AuditEntry.id.desc()).get().summary


def test_requalification_links_the_earlier_record(ctx):
    emp = _employer(ctx)
    old = make_member(ctx, emp, symbol="2001", number="1", family_name="佐藤", given_name="健一",
                      family_name_kana="サトウ", given_name_kana="ケンイチ", birth_date=date(1990, 5, 6),
                      lost_on=date(2023, 4, 1))
    result = enrol(ctx, _input(emp, requalifies_id=old.id))
    assert result.members[0].member_code == "2001-2-00"
    assert f'"requalifies": {old.id}' in AuditEntry.select().order_by(AuditEntry.id.desc()).get().summary
    assert MemberHistory.get(MemberHistory.member == result.id).reason == "再取得（以前の記録 2001-1-00）"
    with pytest.raises(DomainError, match="生年月日が違います"):
        enrol(ctx, _input(emp, requalifies_id=old.id, insured=_person(birth_date=date(1990, 5, 7))),
              confirmed_new_reason="x")
    current = make_member(ctx, emp, symbol="2001", number="7")
    with pytest.raises(DomainError, match="喪失した記録ではありません"):
        enrol(ctx, _input(emp, requalifies_id=current.id))


def test_add_dependent_takes_the_next_branch_never_reused(ctx):
    emp = _employer(ctx)
    insured = make_member(ctx, emp, symbol="2001", number="5")
    make_member(ctx, emp, symbol="2001", number="5", branch="01", insured=insured, given_name="一",
                given_name_kana="ハジメ", birth_date=date(2010, 1, 1))
    make_member(ctx, emp, symbol="2001", number="5", branch="02", insured=insured, given_name="二",
                given_name_kana="フタバ", birth_date=date(2012, 1, 1), lost_on=date(2024, 1, 1))
    version = Member.get_by_id(insured.id).version
    result = add_dependent(ctx, insured.id, _dependent(acquired_on=date(2025, 11, 15)), expected_version=version)
    dep = result.members[0]
    assert dep.member_code == "2001-5-03" and dep.acquired_on == date(2025, 11, 15)
    assert {r.cause for r in result.requests} == {IssueCause.DEPENDENT_ADDED}
    assert AuditEntry.select().order_by(AuditEntry.id.desc()).get().action == "member.add_dependent"
    # the stale copy of the family is refused
    with pytest.raises(DomainError, match="変更しました"):
        add_dependent(ctx, insured.id, _dependent(given_name="三", given_name_kana="ミツ",
                                                   acquired_on=date(2025, 11, 15)), expected_version=version)


def test_add_dependent_refuses_a_start_before_the_insured_and_a_dependent_as_insured(ctx):
    emp = _employer(ctx)
    insured = make_member(ctx, emp, symbol="2001", number="5", acquired_on=date(2020, 4, 1))
    with pytest.raises(DomainError) as e:
        add_dependent(ctx, insured.id, _dependent(acquired_on=date(2019, 1, 1)), expected_version=None)
    assert e.value.field == "acquired_on"
    dep = make_member(ctx, emp, symbol="2001", number="5", branch="01", insured=insured,
                      birth_date=date(2010, 1, 1))
    with pytest.raises(DomainError, match="被扶養者には"):
        add_dependent(ctx, dep.id, _dependent(acquired_on=date(2025, 11, 1)), expected_version=None)


def test_find_employers_by_code_name_or_kana(ctx):
    a = _employer(ctx, code="E70001", name="髙島屋商事株式会社")
    ctx.write(lambda: Employer.update(name_kana="タカシマヤショウジ").where(Employer.id == a.id).execute())
    _employer(ctx, symbol="2002", code="E70002", name="株式会社サンプル")
    assert [e.code for e in find_employers(ctx, "E70001")] == ["E70001"]
    assert [e.code for e in find_employers(ctx, "高島屋")] == ["E70001"]
    assert [e.code for e in find_employers(ctx, "ﾀｶｼﾏﾔ")] == ["E70001"]
    assert find_employers(ctx, "E70001")[0].symbol == "2001"
    assert find_employers(ctx, "") == []


# ------------------------------------------------------------------ two clerks, two processes


def _enrol_in_process(db_path: str, clerk: str, start, out) -> None:
    from clerk_tui.clock import Clock
    from clerk_tui.db.database import open_database
    from clerk_tui.services.context import Context

    db = open_database(db_path)
    ctx = Context(db=db, clock=Clock(TODAY), clerk=clerk, origin=None)
    emp = Employer.get(Employer.code == "E90001")
    start.wait()
    codes = []
    for i in range(5):
        person = _person(given_name=f"{clerk}{i}", given_name_kana="タロウ" + "ア" * i, birth_date=date(1990, 1, 1 + i))
        if clerk == "suzuki":
            person = replace(person, family_name="鈴木", family_name_kana="スズキ")
        codes.append(enrol(ctx, _input(emp, insured=person)).members[0].member_code)
    out.put((clerk, codes))


def test_two_processes_enrolling_into_one_symbol_get_different_numbers(tmp_path):
    from clerk_tui.clock import Clock
    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema
    from clerk_tui.services.context import Context

    db_path = tmp_path / "shared.db"
    db = open_database(db_path)
    init_schema(db)
    ctx = Context(db=db, clock=Clock(TODAY), clerk="setup", origin=None)
    _employer(ctx, code="E90001")
    db.close()
    spawn = mp.get_context("spawn")
    start, out = spawn.Event(), spawn.Queue()
    procs = [spawn.Process(target=_enrol_in_process, args=(str(db_path), clerk, start, out))
             for clerk in ("sato", "suzuki")]
    for p in procs:
        p.start()
    start.set()
    results = dict(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    codes = results["sato"] + results["suzuki"]
    assert len(set(codes)) == 10
    assert sorted(int(c.split("-")[1]) for c in codes) == list(range(1, 11))


def test_a_member_code_taken_around_the_numbering_is_refused_in_japanese(ctx, monkeypatch):
    from clerk_tui.db import enrolment as register

    emp = _employer(ctx)
    make_member(ctx, emp, symbol="2001", number="3")
    monkeypatch.setattr(register, "highest_number", lambda symbol: 2)  # as if the row came in since
    count = Member.select().count()
    with pytest.raises(DomainError, match="既に使われています") as e:
        enrol(ctx, _input(emp))
    assert e.value.field == "employer" and Member.select().count() == count


def test_a_former_name_is_a_duplicate_candidate_too(ctx):
    from clerk_tui.db.models import FormerName

    emp = _employer(ctx)
    m = make_member(ctx, emp, symbol="2001", number="4", family_name="鈴木", family_name_kana="スズキ",
                    given_name="花子", given_name_kana="ハナコ", birth_date=date(1988, 8, 8))

    def former():
        f = FormerName(member=m, family_name="髙橋", given_name="花子", family_name_kana="タカハシ",
                       given_name_kana="ハナコ", used_until=date(2020, 3, 31))
        f.refresh_search_keys()
        f.save()

    ctx.write(former)
    found = find_duplicates(ctx, _input(emp, insured=_person(family_name="高橋", given_name="花子",
                                                             family_name_kana="タカハシ", given_name_kana="ハナコ",
                                                             birth_date=date(1988, 8, 8), sex=Sex.FEMALE)))
    assert [(c.member_id, c.former_name) for c in found] == [(m.id, "髙橋\u3000花子")]


def test_the_register_history_starts_with_the_enrolment_in_wareki(ctx):
    from clerk_tui.services.changes import member_history

    emp = _employer(ctx)
    insured = enrol(ctx, _input(emp)).members[0]
    [start] = member_history(insured.id)
    assert start.change is RegisterChange.ENROLMENT and start.old_value is None
    assert (start.field_label, start.new_text) == ("資格取得日", format_wareki(insured.acquired_on))
