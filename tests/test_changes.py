"""Changes to the register (変更届), their consequences, corrections and the history (R17)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from clerk_tui.db.models import AuditEntry, CollectionItem, FormerName, IssueRequest, Member, MemberHistory
from clerk_tui.domain.codes import (
    CardStatus,
    DocumentKind,
    IssueCause,
    RegisterChange,
    Relationship,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.changes import ChangeInput, apply_change, correct, member_history, plan_change
from clerk_tui.services.context import ConflictError
from clerk_tui.services.issue_queue import pending_requests
from tests.factories import make_document, make_employer, make_member

NAME = RegisterChange.NAME_CHANGE
NEW_NAME = {"family_name": "佐藤", "family_name_kana": "サトウ"}


def _change(ctx, member, kind, entered_on, **values):
    inp = ChangeInput(member.id, kind, entered_on, values)
    plan = plan_change(ctx, member.id, inp)
    return apply_change(ctx, plan, expected_version=Member.get_by_id(member.id).version)


def _family(ctx, *, birth=date(1980, 4, 2), spouse_birth=date(1982, 6, 3), remuneration=300_000):
    emp = make_employer(ctx)
    insured = make_member(ctx, emp, birth_date=birth, remuneration=remuneration)
    spouse = make_member(ctx, emp, number=insured.number, branch="01", insured=insured, family_name="山田",
                         given_name="花子", given_name_kana="ハナコ", birth_date=spouse_birth,
                         relationship=Relationship.SPOUSE)
    return insured, spouse


# ------------------------------------------------------------------ 氏名変更


def test_a_name_change_keeps_the_former_name_history_and_an_audit_entry_without_the_names(ctx):
    m = make_member(ctx, make_employer(ctx))
    done = _change(ctx, m, NAME, date(2025, 11, 1), **NEW_NAME)
    stored = Member.get_by_id(m.id)
    assert (stored.family_name, stored.family_name_kana, stored.given_name) == ("佐藤", "サトウ", "太郎")
    assert stored.version == m.version + 1 and stored.updated_by == "tester"
    former = FormerName.get_by_id(done.former_name_id)
    assert (former.family_name, former.given_name, former.used_until) == ("山田", "太郎", date(2025, 10, 31))
    assert former.name_key == "山田太郎"  # searchable by the former name
    rows = member_history(m.id)
    assert {(r.field, r.old_value, r.new_value) for r in rows} == {
        ("family_name", "山田", "佐藤"), ("family_name_kana", "ヤマダ", "サトウ")}
    assert all(r.effective_from == date(2025, 11, 1) and r.change is NAME and not r.is_correction for r in rows)
    entry = AuditEntry.get_by_id(done.id)
    summary = json.loads(entry.summary)
    assert entry.action == "member.change" and summary["fields"] == ["family_name", "family_name_kana"]
    assert "佐藤" not in entry.summary and "山田" not in entry.summary and "サトウ" not in entry.summary


def test_a_name_change_without_a_valid_certificate_queues_only_a_new_notice(ctx):
    m = make_member(ctx, make_employer(ctx))
    make_document(ctx, m, valid_until=date(2025, 10, 31))  # expired before the change
    done = _change(ctx, m, NAME, date(2025, 11, 1), **NEW_NAME)
    assert done.plan.returns == () and done.collection_item_ids == ()
    assert [(r.kind, r.cause, r.replaces_id) for r in pending_requests(m.id)] == [
        (DocumentKind.ELIGIBILITY_NOTICE, IssueCause.NAME_CHANGE, None)]


def test_a_name_change_with_a_valid_certificate_collects_it_and_queues_its_replacement(ctx):
    m = make_member(ctx, make_employer(ctx))
    cert = make_document(ctx, m)
    plan = plan_change(ctx, m.id, ChangeInput(m.id, NAME, date(2025, 11, 1), NEW_NAME))
    assert [r.document_id for r in plan.returns] == [cert.id]  # shown before the clerk confirms
    assert CollectionItem.select().count() == 0 and IssueRequest.select().count() == 0  # nothing written yet
    done = apply_change(ctx, plan, expected_version=m.version)
    item = CollectionItem.get_by_id(done.collection_item_ids[0])
    assert (item.document_id, item.member_id, item.lost_on) == (cert.id, m.id, date(2025, 11, 1))
    kinds = {(r.kind, r.replaces_id) for r in pending_requests(m.id)}
    assert kinds == {(DocumentKind.ELIGIBILITY_NOTICE, None), (DocumentKind.ELIGIBILITY_CERTIFICATE, cert.id)}
    assert json.loads(AuditEntry.get_by_id(done.id).summary)["collection_items"] == [item.id]


def test_the_insured_persons_name_change_replaces_the_whole_familys_certificates(ctx):
    insured, spouse = _family(ctx)
    own, spouses = make_document(ctx, insured), make_document(ctx, spouse)
    done = _change(ctx, insured, NAME, date(2025, 11, 1), **NEW_NAME)
    assert {r.document_id for r in done.plan.returns} == {own.id, spouses.id}
    assert {(r.kind, r.replaces_id) for r in pending_requests(spouse.id)} == {
        (DocumentKind.ELIGIBILITY_NOTICE, None), (DocumentKind.ELIGIBILITY_CERTIFICATE, spouses.id)}
    assert Member.get_by_id(spouse.id).family_name == "山田"  # only the insured person's name changed


def test_a_dependents_name_change_replaces_only_their_own_certificate(ctx):
    insured, spouse = _family(ctx)
    make_document(ctx, insured)
    spouses = make_document(ctx, spouse)
    done = _change(ctx, spouse, NAME, date(2025, 11, 1), **NEW_NAME)
    assert [r.document_id for r in done.plan.returns] == [spouses.id]
    assert pending_requests(insured.id) == []


# ------------------------------------------------------------------ 標準報酬月額, 基準収入額 (R5)

SEVENTY = date(1954, 5, 10)  # 71 on the test's today; the 70–74 ratio since 2024-06-01


@pytest.mark.parametrize("old, new, ratios", [
    (260_000, 280_000, (2, 3)),  # crosses the line upwards exactly at 28万円
    (280_000, 260_000, (3, 2)),
    (260_000, 270_000, None),  # both under the line: 2割 stays
    (300_000, 280_000, None),  # both on or over it: 3割 stays
])
def test_a_remuneration_change_crossing_28man_queues_a_notice_with_the_new_ratio_from_the_revision_month(
        ctx, old, new, ratios):
    m = make_member(ctx, make_employer(ctx), birth_date=SEVENTY, remuneration=old)
    done = _change(ctx, m, RegisterChange.REMUNERATION, date(2025, 12, 1), standard_monthly_remuneration=new)
    assert Member.get_by_id(m.id).standard_monthly_remuneration == new
    if ratios is None:
        assert done.plan.issues == () and pending_requests(m.id) == []
        return
    (issue,) = done.plan.issues
    assert (issue.old_ratio, issue.new_ratio, issue.ratio_effective_from) == (*ratios, date(2025, 12, 1))
    (req,) = pending_requests(m.id)
    assert (req.kind, req.cause, req.ratio_effective_from) == (
        DocumentKind.ELIGIBILITY_NOTICE, IssueCause.RATIO_CHANGE, date(2025, 12, 1))


def test_a_remuneration_typed_in_man_is_read_in_yen(ctx):
    m = make_member(ctx, make_employer(ctx), remuneration=300_000)
    _change(ctx, m, RegisterChange.REMUNERATION, date(2025, 12, 1), standard_monthly_remuneration="３２万円")
    assert Member.get_by_id(m.id).standard_monthly_remuneration == 320_000


def test_a_ratio_change_reaches_the_70_74_dependents_and_the_certificate_holders(ctx):
    insured, spouse = _family(ctx, birth=SEVENTY, spouse_birth=date(1953, 9, 9), remuneration=260_000)
    make_document(ctx, spouse)
    done = _change(ctx, insured, RegisterChange.REMUNERATION, date(2025, 12, 1),
                   standard_monthly_remuneration=300_000)
    assert {(i.member_id, i.kind, i.new_ratio) for i in done.plan.issues} == {
        (insured.id, DocumentKind.ELIGIBILITY_NOTICE, 3), (spouse.id, DocumentKind.ELIGIBILITY_NOTICE, 3),
        (spouse.id, DocumentKind.ELIGIBILITY_CERTIFICATE, 3)}


def test_a_70_74_dependent_of_an_insured_person_under_70_keeps_2wari(ctx):
    insured, spouse = _family(ctx, spouse_birth=date(1953, 9, 9), remuneration=260_000)
    done = _change(ctx, insured, RegisterChange.REMUNERATION, date(2025, 12, 1),
                   standard_monthly_remuneration=500_000)
    assert done.plan.issues == ()


def test_an_approved_income_reduction_applies_from_the_month_after_the_application(ctx):
    m = make_member(ctx, make_employer(ctx), birth_date=SEVENTY, remuneration=300_000)
    done = _change(ctx, m, RegisterChange.INCOME_REDUCTION, date(2025, 11, 10), income_reduction=True)
    assert done.plan.effective_from == date(2025, 12, 1)
    (issue,) = done.plan.issues
    assert (issue.old_ratio, issue.new_ratio, issue.ratio_effective_from) == (3, 2, date(2025, 12, 1))


def test_income_reduction_is_refused_under_70(ctx):
    m = make_member(ctx, make_employer(ctx))
    with pytest.raises(DomainError) as err:
        _change(ctx, m, RegisterChange.INCOME_REDUCTION, date(2025, 11, 10), income_reduction=True)
    assert err.value.field == "income_reduction"


# ------------------------------------------------------------------ the other kinds


def test_an_address_change_records_each_changed_field(ctx):
    m = make_member(ctx, make_employer(ctx), postal_code="1000001", address="東京都千代田区1")
    _change(ctx, m, RegisterChange.ADDRESS_CHANGE, date(2025, 11, 15), postal_code="１６０－０００１",
            address="東京都新宿区2", phone="")
    assert [(r.field, r.new_value) for r in member_history(m.id)] == [
        ("address", "東京都新宿区2"), ("postal_code", "160-0001")]


def test_a_mynumber_notification_shows_when_the_card_should_work(ctx):
    m = make_member(ctx, make_employer(ctx))
    done = _change(ctx, m, RegisterChange.MYNUMBER_RECEIVED, date(2025, 11, 20))
    assert Member.get_by_id(m.id).mynumber_received_on == date(2025, 11, 20)
    assert done.plan.mynumber_usable_from == date(2025, 11, 28)  # 11/23 and 11/24 are holidays


def test_card_status_and_needs_assistance_are_changes_with_history(ctx):
    m = make_member(ctx, make_employer(ctx))
    _change(ctx, m, RegisterChange.CARD_STATUS, date(2025, 11, 1), card_status=CardStatus.USABLE)
    _change(ctx, m, RegisterChange.NEEDS_ASSISTANCE, date(2025, 11, 2), needs_assistance=True)
    assert [(r.field, r.old_text, r.new_text) for r in member_history(m.id)] == [
        ("needs_assistance", "非該当", "該当"), ("card_status", "マイナンバーカード未取得", "マイナ保険証利用可")]


# ------------------------------------------------------------------ refusals: nothing written


def _refused(ctx, member, kind, entered_on, **values) -> DomainError:
    with pytest.raises(DomainError) as err:
        _change(ctx, member, kind, entered_on, **values)
    assert MemberHistory.select().count() == 0 and IssueRequest.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.action == "member.change").count() == 0
    return err.value


@pytest.mark.parametrize("kind, entered_on, values, field, words", [
    (NAME, date(2020, 3, 31), NEW_NAME, "effective_from", "資格取得日"),
    (NAME, date(2026, 6, 1), NEW_NAME, "effective_from", "先すぎます"),
    (NAME, date(2025, 11, 1), {"family_name": "山田"}, "family_name", "同じ"),
    (NAME, None, NEW_NAME, "effective_from", "変更日"),
    (RegisterChange.REMUNERATION, date(2025, 12, 2), {"standard_monthly_remuneration": 320_000},
     "effective_from", "1日"),
    (RegisterChange.REMUNERATION, date(2025, 12, 1), {"standard_monthly_remuneration": 5_000},
     "standard_monthly_remuneration", "58,000"),
    (RegisterChange.REMUNERATION, date(2025, 12, 1), {"standard_monthly_remuneration": "三十万"},
     "standard_monthly_remuneration", "数字"),
    (RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), {"address": "東京都 1234 5678 9012"}, "address", "個人番号"),
    (RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), {"address": "東京\x1b[2J"}, "address", "制御文字"),
    (RegisterChange.MYNUMBER_RECEIVED, date(2025, 11, 21), {}, "effective_from", "未来"),
    (NAME, date(2025, 11, 1), {"family_name_kana": "sato"}, "family_name_kana", ""),
])
def test_bad_input_is_refused_at_its_field(ctx, kind, entered_on, values, field, words):
    m = make_member(ctx, make_employer(ctx))
    err = _refused(ctx, m, kind, entered_on, **values)
    assert err.field == field and words in err.message


def test_markup_like_text_is_stored_as_text(ctx):
    m = make_member(ctx, make_employer(ctx))
    _change(ctx, m, RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), address="[bold]東京[/]")
    assert Member.get_by_id(m.id).address == "[bold]東京[/]"


def test_a_change_dated_before_one_already_recorded_is_sent_to_correction(ctx):
    m = make_member(ctx, make_employer(ctx))
    _change(ctx, m, NAME, date(2025, 11, 1), **NEW_NAME)
    with pytest.raises(DomainError, match="訂正"):
        _change(ctx, m, NAME, date(2025, 10, 1), family_name="鈴木", family_name_kana="スズキ")


def test_a_change_made_on_a_stale_copy_is_refused_and_writes_nothing(ctx):
    m = make_member(ctx, make_employer(ctx))
    make_document(ctx, m)
    plan = plan_change(ctx, m.id, ChangeInput(m.id, NAME, date(2025, 11, 1), NEW_NAME))
    _change(ctx, m, RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), address="別の職員の住所")  # another clerk
    before = (MemberHistory.select().count(), CollectionItem.select().count(), IssueRequest.select().count())
    with pytest.raises(ConflictError, match="tester"):
        apply_change(ctx, plan, expected_version=m.version)
    assert Member.get_by_id(m.id).family_name == "山田" and FormerName.select().count() == 0
    assert (MemberHistory.select().count(), CollectionItem.select().count(), IssueRequest.select().count()) == before


# ------------------------------------------------------------------ corrections


def test_a_correction_fixes_the_value_without_a_former_name(ctx):
    m = make_member(ctx, make_employer(ctx), given_name="太朗")
    row = correct(ctx, m.id, "given_name", "太郎", "入力誤り", expected_version=m.version)
    stored = Member.get_by_id(m.id)
    assert stored.given_name == "太郎" and stored.name_key == "山田太郎"
    assert FormerName.select().count() == 0
    assert (row.change, row.is_correction, row.effective_from, row.reason) == (
        RegisterChange.CORRECTION, True, None, "入力誤り")
    assert (row.old_value, row.new_value) == ("太朗", "太郎")
    entry = AuditEntry.select().where(AuditEntry.action == "member.correct").get()
    assert json.loads(entry.summary) == {"field": "given_name", "history": row.id}
    assert pending_requests(m.id) == []


def test_a_correction_needs_a_reason_a_new_value_and_the_current_copy(ctx):
    m = make_member(ctx, make_employer(ctx))
    with pytest.raises(DomainError) as err:
        correct(ctx, m.id, "given_name", "次郎", "", expected_version=m.version)
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        correct(ctx, m.id, "given_name", "太郎", "入力誤り", expected_version=m.version)
    assert err.value.field == "given_name"
    with pytest.raises(ConflictError):
        correct(ctx, m.id, "given_name", "次郎", "入力誤り", expected_version=m.version - 1)
    assert MemberHistory.select().count() == 0


def test_history_lists_changes_and_corrections_newest_first(ctx):
    m = make_member(ctx, make_employer(ctx))
    _change(ctx, m, RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), address="東京都新宿区2")
    correct(ctx, m.id, "address", "東京都新宿区3", "番地の誤り", expected_version=Member.get_by_id(m.id).version)
    rows = member_history(m.id)
    assert [(r.change, r.new_value) for r in rows][:2] == [
        (RegisterChange.CORRECTION, "東京都新宿区3"), (RegisterChange.ADDRESS_CHANGE, "東京都新宿区2")]


def test_a_certificate_collected_for_a_name_change_is_not_collected_twice_on_withdrawal(ctx):
    from clerk_tui.domain.codes import WithdrawalReason
    from clerk_tui.services.withdrawal import record_withdrawal

    m = make_member(ctx, make_employer(ctx))
    cert = make_document(ctx, m)
    _change(ctx, m, NAME, date(2025, 11, 1), **NEW_NAME)
    preview = record_withdrawal(ctx, m.id, lost_on=date(2025, 12, 1), reason=WithdrawalReason.RETIREMENT)
    assert preview.collect == [] and "氏名変更" in preview.not_collected[0][1].reason
    assert [i.document_id for i in CollectionItem.select()] == [cert.id]


def test_the_detail_says_a_name_change_item_is_a_former_name_not_a_loss(ctx):
    from clerk_tui.services.members import reload_member

    insured, spouse = _family(ctx)
    make_document(ctx, spouse)
    _change(ctx, insured, NAME, date(2025, 11, 1), **NEW_NAME)
    detail = reload_member(ctx, insured.id)
    (warning,) = [w for w in detail.warnings if w.code == "outstanding"]
    assert "氏名変更（令和7年11月1日）" in warning.text and "資格喪失" not in warning.text
    assert [r.field for r in detail.register_history] == ["family_name_kana", "family_name"]


def test_the_outstanding_list_marks_an_item_of_a_name_change(ctx):
    from clerk_tui.services.withdrawal import outstanding

    m = make_member(ctx, make_employer(ctx))
    make_document(ctx, m)
    _change(ctx, m, NAME, date(2025, 11, 1), **NEW_NAME)
    (row,) = outstanding(date(2025, 11, 20))
    assert row.name_change and row.document_label == "資格確認書（氏名変更）"


def test_after_a_name_change_search_finds_the_member_by_the_former_name_and_marks_it(ctx):
    from clerk_tui.services.search import search_members

    m = make_member(ctx, make_employer(ctx))
    _change(ctx, m, NAME, date(2025, 11, 1), **NEW_NAME)
    for typed in ("山田太郎", "ヤマダ"):
        rows = [r for r in search_members(ctx, typed).rows if r.member_id == m.id]
        assert len(rows) == 1 and rows[0].former_name == "山田\u3000太郎", typed
    current = [r for r in search_members(ctx, "サトウ").rows if r.member_id == m.id]
    assert len(current) == 1 and current[0].former_name is None
