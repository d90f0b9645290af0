"""What services hand to the screens and the CLI are plain frozen rows: no database record (that
a screen could save, or that runs a query when an attribute is read) leaves `services`, and
what a screen shows through a link (the member's employer, a claim's patient) is on the row."""

from __future__ import annotations

import dataclasses
from datetime import date

import peewee
import pytest

from clerk_tui.domain.codes import (
    CardStatus,
    CollectionStatus,
    DocumentKind,
    DocumentStatus,
    IssueReason,
    LossCircumstance,
    RegisterChange,
    Relationship,
    ReturnVia,
    Route,
    WithdrawalReason,
)
from clerk_tui.services import audit
from clerk_tui.services.applications import (
    CancellationInput,
    LossReportInput,
    list_cancellations,
    record_cancellation,
    record_found,
    record_loss_report,
    withdraw_cancellation,
)
from clerk_tui.services.issuance import issue_document, plan_issue
from clerk_tui.services.changes import ChangeInput, apply_change, correct, member_history, plan_change
from clerk_tui.services.members import member_by_code, open_member, reload_member
from clerk_tui.services.reimbursement import ClaimInput, assess, get_claim, list_claims, record_claim, update_papers
from clerk_tui.services.withdrawal import (
    close_item,
    members_reaching_75,
    outstanding,
    preview_loss,
    record_return,
    record_withdrawal,
)
from tests.factories import make_document, make_employer, make_member


def _models_in(value, path="result", seen=None) -> list[str]:
    """Where in a service result a peewee record sits (walks rows, lists, dicts, tuples)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, peewee.Model):
        return [f"{path}: {type(value).__name__}"]
    found: list[str] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            found += _models_in(getattr(value, f.name), f"{path}.{f.name}", seen)
    elif isinstance(value, dict):
        for k, v in value.items():
            found += _models_in(v, f"{path}[{k!r}]", seen)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += _models_in(v, f"{path}[{i}]", seen)
    return found


@pytest.fixture
def family(ctx):
    emp = make_employer(ctx, name="株式会社行テスト")
    insured = make_member(ctx, emp, symbol="3001", number="7", branch="00", card_status=CardStatus.USABLE,
                          birth_date=date(1950, 12, 10))
    spouse = make_member(ctx, emp, symbol="3001", number="7", branch="01", insured=insured, given_name="花子",
                         given_name_kana="ハナコ", relationship=Relationship.SPOUSE, birth_date=date(1982, 5, 5))
    return emp, insured, spouse


def test_member_detail_is_rows_only_and_frozen(ctx, family, db, monkeypatch):
    emp, insured, spouse = family
    make_document(ctx, spouse, kind=DocumentKind.LEGACY_CARD, issued_on=date(2020, 4, 1),
                  valid_until=date(2025, 12, 1))
    record_claim(ctx, ClaimInput(member_id=spouse.id, institution_name="千代田クリニック",
                                 treatment_month=date(2025, 10, 1), paid_on=date(2025, 10, 15), amount_paid="10000"))
    record_cancellation(ctx, CancellationInput(member_id=insured.id, applicant_name="山田 太郎",
                                               applicant_birth_date=insured.birth_date, received_on=date(2025, 11, 20)))
    detail = open_member(ctx, insured.id)
    assert _models_in(detail) == []
    assert detail.documents_by_member[spouse.id] and detail.claims and detail.cancellations and detail.audit_entries
    # What the screen shows through links is on the rows, read with the detail.
    statements = []
    original = type(db).execute_sql
    monkeypatch.setattr(type(db), "execute_sql",
                        lambda self, sql, params=None, *a, **k: statements.append(sql) or original(self, sql, params, *a, **k))
    assert detail.member.employer_name == "株式会社行テスト"
    assert (detail.claims[0].member_code, detail.claims[0].member_name) == ("3001-7-01", "山田\u3000花子")
    assert detail.cancellations[0].member_code == "3001-7-00"
    assert [m.member_code for m in detail.family] == ["3001-7-00", "3001-7-01"]
    assert detail.family[1].full_name == "山田\u3000花子" and not detail.family[1].is_insured
    assert statements == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.member.lost_on = date(2025, 12, 1)  # type: ignore[misc]
    assert reload_member(ctx, spouse.id).member.employer_name == "株式会社行テスト"


def test_action_results_are_rows(ctx, family):
    emp, insured, spouse = family
    cert = make_document(ctx, insured, kind=DocumentKind.ELIGIBILITY_CERTIFICATE)
    change = ChangeInput(spouse.id, RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), {"phone": "03-0000-0000"})
    results = {"plan_change": plan_change(ctx, spouse.id, change)}
    results["apply_change"] = apply_change(ctx, results["plan_change"], expected_version=spouse.version)
    results["correct"] = correct(ctx, spouse.id, "phone", "03-0000-0001", "入力誤り",
                                 expected_version=spouse.version + 1)
    results["member_history"] = member_history(spouse.id)
    results["member_by_code"] = member_by_code(ctx, "3001-7-01")
    claim_input = ClaimInput(member_id=spouse.id, institution_name="千代田薬局", treatment_month=date(2025, 10, 1),
                             paid_on=date(2025, 10, 15), amount_paid="10000", is_pharmacy=True)
    results["assess"] = assess(ctx, claim_input)
    claim = results["record_claim"] = record_claim(ctx, claim_input)
    results["update_papers"] = update_papers(ctx, claim.id, expected_version=claim.version, receipt_received=True)
    results["get_claim"] = get_claim(claim.id)
    results["list_claims"] = list_claims()
    app = results["record_cancellation"] = record_cancellation(ctx, CancellationInput(
        member_id=insured.id, applicant_name="山田 太郎", applicant_birth_date=insured.birth_date,
        received_on=date(2025, 11, 20)))
    results["list_cancellations"] = list_cancellations()
    results["withdraw_cancellation"] = withdraw_cancellation(ctx, app.id, expected_version=app.version)
    make_document(ctx, spouse, kind=DocumentKind.LEGACY_CARD, issued_on=date(2020, 4, 1),
                  valid_until=date(2025, 12, 1))
    report = results["record_loss_report"] = record_loss_report(ctx, LossReportInput(
        member_id=spouse.id, document_kind=DocumentKind.LEGACY_CARD, lost_on=date(2025, 11, 1),
        received_on=date(2025, 11, 20), circumstance=LossCircumstance.MISLAID))
    results["record_found"] = record_found(ctx, report.id, found_on=date(2025, 11, 20), returned=False,
                                           expected_version=report.version)
    plan = plan_issue(ctx, spouse.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER)
    results["issue_document"] = issue_document(ctx, plan, override_reason="テスト" if plan.needs_override else None)
    results["members_reaching_75"] = members_reaching_75(date(2025, 12, 1))
    results["preview_loss"] = preview_loss(ctx, insured.id, date(2025, 12, 1))
    results["record_withdrawal"] = record_withdrawal(ctx, insured.id, lost_on=date(2025, 12, 1),
                                                     reason=WithdrawalReason.RETIREMENT)
    rows = results["outstanding"] = outstanding(date(2025, 12, 1))
    results["record_return"] = record_return(ctx, rows[0].item.id, returned_on=date(2025, 11, 20),
                                             via=ReturnVia.EMPLOYER, expected_version=rows[0].item.version)
    results["close_item"] = close_item(ctx, rows[1].item.id, status=CollectionStatus.LOST, reason="紛失",
                                       expected_version=rows[1].item.version)
    results["audit.entries"] = audit.entries(member_id=insured.id)
    assert _models_in(results) == []
    # The rows carry what the lists show, read with them.
    assert results["member_by_code"].phone == results["correct"].new_value == "03-0000-0001"
    assert results["list_claims"][0].member_name == "山田\u3000花子"
    assert results["list_cancellations"][0].member_code == "3001-7-00"
    assert results["members_reaching_75"][0].employer_name == "株式会社行テスト"
    assert results["preview_loss"].collect[0][1].document.id == cert.id
    assert {r.document.kind for r in rows} == {DocumentKind.ELIGIBILITY_CERTIFICATE}
    assert results["record_withdrawal"].people[0].lost_on == date(2025, 12, 1)
    assert results["issue_document"].document.status is DocumentStatus.VALID
