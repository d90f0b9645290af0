"""A lost document found again: recorded from the member screen, returned document 返却済."""

from __future__ import annotations

from datetime import date

from clerk_tui.db.models import Document, LossReport
from clerk_tui.domain.codes import DocumentKind, DocumentStatus, LossCircumstance
from clerk_tui.services.applications import LossReportInput, record_loss_report
from clerk_tui.ui.app import ClerkApp
from clerk_tui.ui.screens.found import FoundScreen
from tests.factories import make_document, make_employer, make_member


async def test_found_document_is_recorded_and_returned(ctx):
    m = make_member(ctx, make_employer(ctx))
    cert = make_document(ctx, m)
    report = record_loss_report(ctx, LossReportInput(
        member_id=m.id, document_kind=DocumentKind.ELIGIBILITY_CERTIFICATE, lost_on=date(2025, 11, 10),
        received_on=date(2025, 11, 12), circumstance=LossCircumstance.MISLAID))
    app = ClerkApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_member(m.id)
        await pilot.pause(0.5)
        await pilot.press("f")
        await pilot.pause(0.5)
        assert isinstance(app.screen, FoundScreen)
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "MemberDetailScreen"
    assert LossReport.get_by_id(report.id).found_on == date(2025, 11, 20)
    assert Document.get_by_id(cert.id).status is DocumentStatus.RETURNED


async def test_no_open_loss_report_says_so(ctx):
    m = make_member(ctx, make_employer(ctx))
    app = ClerkApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(FoundScreen(m.id))
        await pilot.pause(0.5)
        assert "ありません" in str(app.screen.query_one("#found-message").render())
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, FoundScreen)


async def test_a_loss_report_used_by_a_reissue_is_shown_as_such(ctx):
    from textual.widgets import DataTable

    from clerk_tui.domain.codes import IssueReason, Route
    from clerk_tui.services.issuance import issue_document, plan_issue
    from tests.test_ui_support import cell_texts

    m = make_member(ctx, make_employer(ctx))
    make_document(ctx, m)
    record_loss_report(ctx, LossReportInput(
        member_id=m.id, document_kind=DocumentKind.ELIGIBILITY_CERTIFICATE, lost_on=date(2025, 11, 10),
        received_on=date(2025, 11, 12), circumstance=LossCircumstance.MISLAID))
    issue_document(ctx, plan_issue(ctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.LOST, Route.VIA_EMPLOYER))
    app = ClerkApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_member(m.id)
        await pilot.pause(0.5)
        await pilot.press("3")
        await pilot.pause(0.3)
        rows = cell_texts(app.screen.query_one("#applications-table", DataTable))
        assert [r[3] for r in rows if r[0] == "滅失届"] == ["再交付済"]
