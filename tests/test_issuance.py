"""Issuing お知らせ and 資格確認書: the plan shown before confirming, the R3 override, superseding,
two clerks at once, the 滅失届 expectation, and the facility code of R14."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clerk_tui.clock import Clock
from clerk_tui.db.models import AuditEntry, Document, LossReport
from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus, IssueReason, Route
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.context import ConflictError
from clerk_tui.services.issuance import issue_document, plan_issue, verify_facility_code
from tests.factories import make_employer, make_member

CERT, NOTICE = DocumentKind.ELIGIBILITY_CERTIFICATE, DocumentKind.ELIGIBILITY_NOTICE

HOME = {"postal_code": "176-0001", "address": "東京都練馬区練馬1-17-3"}  # where 本人送付 copies go


@pytest.fixture
def member(ctx):
    return make_member(ctx, make_employer(ctx), birth_date=date(1980, 4, 2), card_status=CardStatus.NO_CARD,
                       **HOME)


def _at(ctx, day):
    return replace(ctx, clock=Clock(day))


@pytest.mark.parametrize("issued, expected", [(date(2025, 1, 15), date(2027, 3, 31)),
                                               (date(2025, 4, 1), date(2028, 3, 31))])
def test_certificate_expiry_follows_the_seed_examples(ctx, member, issued, expected):
    plan = plan_issue(_at(ctx, issued), member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER)
    assert plan.valid_until == expected
    assert ("負担割合", "******") in plan.fields  # the 資格確認書 prints six asterisks (R5)
    doc = issue_document(_at(ctx, issued), plan).document
    assert Document.get_by_id(doc.id).valid_until == expected


def test_plan_caps_at_75_and_prints_the_ratio(ctx):
    emp = make_employer(ctx)
    old = make_member(ctx, emp, birth_date=date(1952, 6, 10), remuneration=300_000, **HOME)
    plan = plan_issue(ctx, old.id, CERT, IssueReason.NEW, Route.TO_MEMBER)
    assert plan.capped_at_75 and plan.valid_until == date(2027, 6, 9)
    # As the 資格確認書 prints it: the ratio with the day it took effect (the same text as the PDF).
    assert plan.copay.effective_from is not None
    assert ("負担割合", f"3割（発効期日 {format_wareki(plan.copay.effective_from)}）") in plan.fields


def test_a_plan_without_preview_makes_the_same_decisions(ctx):
    """The batch plans without the preview: the same checks and the same decisions (expiry, 75 cap,
    ratio, override), only the confirmation screen's fields, notes and form data are left out."""
    emp = make_employer(ctx)
    old = make_member(ctx, emp, birth_date=date(1952, 6, 10), remuneration=300_000, card_status=CardStatus.USABLE)
    full = plan_issue(ctx, old.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER)
    lean = plan_issue(ctx, old.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER, preview=False)
    assert lean == replace(full, fields=[], notes=[], data=None)
    assert lean.capped_at_75 and lean.needs_override and lean.copay.printed
    gone = make_member(ctx, emp, acquired_on=date(2020, 4, 1), lost_on=date(2021, 4, 1))
    with pytest.raises(DomainError, match="喪失"):
        plan_issue(ctx, gone.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER, preview=False)


def test_usable_card_needs_a_written_override(ctx):
    m = make_member(ctx, make_employer(ctx), card_status=CardStatus.USABLE)
    plan = plan_issue(ctx, m.id, CERT, IssueReason.NEW, Route.COUNTER)
    assert plan.needs_override
    with pytest.raises(DomainError, match="理由"):
        issue_document(ctx, plan)
    assert Document.select().count() == 0
    doc = issue_document(ctx, plan, override_reason="本人の強い希望（要配慮）").document
    assert doc.override_reason
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert entry.action == "document.issue" and '"override": true' in entry.summary


def test_reissue_supersedes_the_previous_document(ctx, member):
    first = issue_document(ctx, plan_issue(ctx, member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER)).document
    plan = plan_issue(ctx, member.id, CERT, IssueReason.DAMAGED, Route.COUNTER)
    assert plan.previous_id == first.id
    second = issue_document(ctx, plan).document
    assert Document.get_by_id(first.id).status is DocumentStatus.SUPERSEDED
    assert second.supersedes_id == first.id and second.serial != first.serial


def test_two_clerks_issuing_at_once_do_not_duplicate(ctx, member):
    plan_a = plan_issue(ctx, member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER)
    plan_b = plan_issue(replace(ctx, clerk="other"), member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER)
    issue_document(ctx, plan_a)
    with pytest.raises(ConflictError, match="別の職員"):
        issue_document(replace(ctx, clerk="other"), plan_b)
    assert Document.select().where(Document.status == DocumentStatus.VALID).count() == 1


def test_lost_reissue_expects_a_loss_report_or_a_reason(ctx, member):
    issue_document(ctx, plan_issue(ctx, member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER))
    plan = plan_issue(ctx, member.id, CERT, IssueReason.LOST, Route.TO_MEMBER)
    assert plan.needs_loss_report_reason
    with pytest.raises(DomainError, match="滅失届"):
        issue_document(ctx, plan)
    doc = issue_document(ctx, plan, no_loss_report_reason="後日提出予定").document
    assert "後日提出予定" in doc.reason_note


def _loss_report(ctx, member, kind=CERT, lost_on=date(2025, 11, 1)):
    from clerk_tui.domain.codes import LossCircumstance
    from clerk_tui.services.applications import LossReportInput, record_loss_report

    return record_loss_report(ctx, LossReportInput(member_id=member.id, document_kind=kind, lost_on=lost_on,
                                                   received_on=date(2025, 11, 18),
                                                   circumstance=LossCircumstance.MISLAID))


def test_a_reissue_uses_up_its_loss_report(ctx, member):
    """R8: one 滅失届, one reissue. The second reissue on the same report is refused unless a new
    report comes in or the clerk records why there is none; nothing is written when refused."""
    issue_document(ctx, plan_issue(ctx, member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER))
    report = _loss_report(ctx, member)
    plan = plan_issue(ctx, member.id, CERT, IssueReason.LOST, Route.TO_MEMBER)
    assert plan.loss_report_id == report.id and not plan.needs_loss_report_reason
    first = issue_document(ctx, plan).document
    assert LossReport.get_by_id(report.id).reissue_id == first.id  # in the same transaction

    again = plan_issue(ctx, member.id, CERT, IssueReason.LOST, Route.TO_MEMBER)
    assert again.loss_report_id is None and again.needs_loss_report_reason
    assert any("使用済み" in n and first.serial in n for n in again.notes)
    count = Document.select().count()
    with pytest.raises(DomainError, match="滅失届"):
        issue_document(ctx, again)
    assert Document.select().count() == count
    # A new 滅失届 for the reissued certificate allows the next reissue, and is used up by it.
    second_report = _loss_report(ctx, member, lost_on=date(2025, 11, 15))
    plan = plan_issue(ctx, member.id, CERT, IssueReason.LOST, Route.TO_MEMBER)
    assert plan.loss_report_id == second_report.id
    second = issue_document(ctx, plan).document
    assert LossReport.get_by_id(second_report.id).reissue_id == second.id
    assert LossReport.get_by_id(report.id).reissue_id == first.id


def test_a_lost_notice_is_reissued_without_a_loss_report(ctx, member):
    """The お知らせ is never collected: its reissue neither asks for nor mentions a 滅失届."""
    issue_document(ctx, plan_issue(ctx, member.id, NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER))
    plan = plan_issue(ctx, member.id, NOTICE, IssueReason.LOST, Route.TO_MEMBER)
    assert not plan.needs_loss_report_reason and plan.loss_report_id is None
    assert not any("滅失" in n for n in plan.notes)
    doc = issue_document(ctx, plan).document
    assert doc.reason is IssueReason.LOST and "滅失" not in (doc.reason_note or "")


def test_a_notice_reissue_leaves_the_certificates_loss_report_unused(ctx, member):
    issue_document(ctx, plan_issue(ctx, member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER))
    report = _loss_report(ctx, member)
    issue_document(ctx, plan_issue(ctx, member.id, NOTICE, IssueReason.LOST, Route.TO_MEMBER))
    assert LossReport.get_by_id(report.id).reissue_id is None
    assert plan_issue(ctx, member.id, CERT, IssueReason.LOST, Route.TO_MEMBER).loss_report_id == report.id


def test_lost_member_cannot_be_issued(ctx):
    m = make_member(ctx, make_employer(ctx), lost_on=date(2025, 10, 1))
    with pytest.raises(DomainError, match="喪失"):
        plan_issue(ctx, m.id, NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER)


def test_my_number_in_a_reason_is_refused(ctx):
    m = make_member(ctx, make_employer(ctx), card_status=CardStatus.USABLE)
    plan = plan_issue(ctx, m.id, CERT, IssueReason.NEW, Route.COUNTER)
    with pytest.raises(DomainError, match="マイナンバー"):
        issue_document(ctx, plan, override_reason="番号 1234 5678 9012")
    assert Document.select().count() == 0


def test_facility_code_verifies_and_dies_with_its_notice(ctx, member):
    first = issue_document(ctx, plan_issue(ctx, member.id, NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER))
    code = first.facility_code
    assert code.startswith("TJKF1-") and member.symbol not in code  # R2: no 記号・番号 in the QR
    assert verify_facility_code(ctx, code).status == "valid"
    assert verify_facility_code(ctx, code.lower()).status == "valid"  # typed by hand
    forged = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    assert verify_facility_code(ctx, forged).status == "forged"
    second = issue_document(ctx, plan_issue(ctx, member.id, NOTICE, IssueReason.DETAILS_CHANGED, Route.TO_MEMBER))
    assert verify_facility_code(ctx, code).status == "superseded"
    assert verify_facility_code(ctx, second.facility_code).status == "valid"
    later = _at(ctx, date(2031, 1, 1))
    ctx.write(lambda: type(member).update(lost_on=date(2030, 1, 1)).where(type(member).id == member.id).execute())
    assert verify_facility_code(later, second.facility_code).status == "not_qualified"
    with pytest.raises(DomainError):
        verify_facility_code(ctx, "1234-567-00")


def test_verify_code_command(ctx, member, db_path, facility_key, tmp_path, capsys):
    from clerk_tui.cli import main

    code = issue_document(ctx, plan_issue(ctx, member.id, NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER)).facility_code
    conf = tmp_path / "key.toml"
    conf.write_text(f'facility_secret_file = "{facility_key}"\n')
    common = ["--db", str(db_path), "--config", str(conf)]
    assert main(["verify-code", code, *common, "--today", "2025-11-20"]) == 0
    assert "資格あり" in capsys.readouterr().out
    assert main(["verify-code", code[:-3] + "AAA", *common]) == 1
    assert "偽造" in capsys.readouterr().out
    assert main(["verify-code", "nonsense", *common]) == 2
