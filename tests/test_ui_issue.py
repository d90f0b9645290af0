"""The issue, facility-code and batch screens by keyboard on the training scenario (today
2025-12-10): preview, confirm, PDF and audit; the override and 滅失届 reasons; a lost member; a
conflict with another clerk; waiting for a lock; double Ctrl+S; codes; a batch; a snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import cysqlite
import pytest
from textual.widgets import Button, Input

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import open_database
from clerk_tui.db.models import AuditEntry, Document, Member
from clerk_tui.db.schema import init_schema
from clerk_tui.domain.codes import DocumentKind, DocumentStatus, IssueReason, Route
from clerk_tui.scenarios import load_files, training_fixture_files
from clerk_tui.services.context import Context
from clerk_tui.services.issuance import issue_document, plan_issue
from clerk_tui.ui.app import ClerkApp
from clerk_tui.ui.screens import batch as batch_screen
from clerk_tui.ui.screens import issue as issue_screen
from clerk_tui.ui.screens.batch import BatchScreen
from clerk_tui.ui.screens.issue import (
    LOSS_REQUIRED,
    OVERRIDE_EXPLANATION,
    OVERRIDE_REQUIRED,
    WAITING,
    FieldsView,
    IssueScreen,
)
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.screens.search import SearchScreen
from clerk_tui.ui.screens.verify_code import VerifyCodeScreen
from tests.test_ui_support import HeldCall, settle, until

TODAY = date(2025, 12, 10)
SIZE = (80, 24)

KENICHI = "1001-101-00"  # no card: a 資格確認書 holder (reissue supersedes it)
MISAKI = "1001-101-01"  # マイナ保険証 usable: a 資格確認書 only with a written reason
TSUYOSHI = "1002-58-00"  # lost qualification on 2025-11-01


def make_training_app(tmp_path: Path) -> ClerkApp:
    path = tmp_path / "clerk.db"
    db = open_database(path)
    init_schema(db)
    load_files(db, training_fixture_files())
    config = Config(db=path, output_dir=tmp_path / "out")
    ctx = Context(db=db, clock=Clock(TODAY), clerk="tester", origin=None, config=config)
    return ClerkApp(ctx, config=config, db_path=path)


def member(code: str) -> Member:
    symbol, number, branch = code.split("-")
    return Member.get(Member.symbol == symbol, Member.number == number, Member.branch == branch)


def documents(code: str) -> list[Document]:
    return list(Document.select().where(Document.member == member(code).id).order_by(Document.id))


def writes(code: str) -> list[str]:
    """The member's audit actions other than views."""
    return [e.action for e in AuditEntry.select().where(AuditEntry.member_id == member(code).id)
            .order_by(AuditEntry.id) if e.action != "member.view"]


async def open_issue(pilot, code: str) -> IssueScreen:
    """From the search screen as a clerk: the code, Enter, Enter (detail), i."""
    await settle(pilot)
    pilot.app.screen.query_one(Input).cursor_blink = False
    await pilot.press(*code, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MemberDetailScreen)
    await pilot.press("i")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IssueScreen)
    for field in screen.query(Input):
        field.cursor_blink = False
    return screen


async def choose(pilot, kind: list[str], reason: list[str], route: list[str]) -> None:
    """Keys for each line of options; nothing is chosen before the first key on a line."""
    assert isinstance(pilot.app.focused, ChoiceBar) and pilot.app.focused.id == "kind"
    await pilot.press(*kind, "tab", *reason, "tab", *route)
    await settle(pilot)


# Left from nothing chosen takes the last option: 資格確認書; 有効期限到来 is the one before その他.
CERTIFICATE = ["left"]
NOTICE = ["right"]
NEW, LOST, EXPIRY = ["right"], ["right", "right"], ["left", "left"]
VIA_EMPLOYER, TO_MEMBER, COUNTER = ["right"], ["right", "right"], ["left"]


async def tab_to(pilot, widget) -> None:
    """Tab forward to `widget`; on the way only the preview may take the focus (when it does not
    fit and must be scrollable by keyboard)."""
    for _ in range(3):
        await pilot.press("tab")
        if pilot.app.focused is widget:
            return
        assert pilot.app.focused.id == "preview"
    raise AssertionError(f"Tab did not reach {widget}")


def preview(screen: IssueScreen) -> dict[str, str]:
    return dict(screen.query_one(FieldsView).plain_rows())


def shown(screen, selector: str) -> str:
    widget = screen.query_one(selector)
    return "" if widget.has_class("-hidden") else str(widget.render())


async def test_certificate_is_previewed_then_issued_printed_and_audited(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        assert screen.query_one("#confirm", Button).disabled  # nothing chosen yet
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)
        fields = preview(screen)
        assert fields["書類"] == "資格確認書"
        assert fields["氏名"] == "佐藤　健一"
        assert fields["有効期限"] == "令和10年3月31日"
        assert fields["負担割合"] == "******"  # what the 資格確認書 prints (R5)
        assert fields["交付方法"] == "窓口手交"
        [old] = [d for d in documents(KENICHI) if d.kind is DocumentKind.ELIGIBILITY_CERTIFICATE]
        assert old.serial in shown(screen, "#plan-notes") and "差替" in shown(screen, "#plan-notes")
        before = writes(KENICHI)

        await pilot.press("ctrl+s", "ctrl+s")  # the second press finds the action running or done
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert screen.done
        new = [d for d in documents(KENICHI) if d.id > old.id]
        assert len(new) == 1
        doc = new[0]
        assert (doc.kind, doc.reason, doc.route) == (DocumentKind.ELIGIBILITY_CERTIFICATE,
                                                     IssueReason.EXPIRY, Route.COUNTER)
        assert doc.valid_until == date(2028, 3, 31)
        assert Document.get_by_id(old.id).status is DocumentStatus.SUPERSEDED
        assert writes(KENICHI)[len(before):] == ["document.issue", "document.print"]
        pdfs = list((tmp_path / "out").glob("*.pdf"))
        assert len(pdfs) == 1 and doc.serial in pdfs[0].name
        result = shown(screen, "#issue-result").replace("\n", "")
        assert doc.serial in result and str(pdfs[0]) in result
        assert "印刷コマンドは設定されていません" in result

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        # The detail was read again: the new document is listed, the old one superseded.
        listed = {d.id: d.status for d in app.screen.detail.documents_by_member[member(KENICHI).id]}
        assert listed[doc.id] is DocumentStatus.VALID and listed[old.id] is DocumentStatus.SUPERSEDED


async def test_notice_preview_has_no_expiry(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, NOTICE, NEW, VIA_EMPLOYER)
        fields = preview(screen)
        assert fields["書類"] == "資格情報のお知らせ" and "有効期限" not in fields
        # Changing one choice plans again: now a 資格確認書 with its expiry.
        await pilot.press("shift+tab", "shift+tab", "right")
        await settle(pilot)
        assert preview(screen)["有効期限"] == "令和10年3月31日"
        # The mouse works too.
        route = screen.query_one("#route", ChoiceBar)
        await pilot.click(route, offset=(route.offset_of(2), 0))
        await settle(pilot)
        assert preview(screen)["交付方法"] == "窓口手交"


async def test_escape_cancels_and_writes_nothing(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, NEW, COUNTER)
        count = len(documents(KENICHI))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        assert len(documents(KENICHI)) == count


async def test_override_is_refused_until_a_reason_is_typed(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, MISAKI)
        await choose(pilot, CERTIFICATE, NEW, TO_MEMBER)
        assert screen.plan is not None and screen.plan.needs_override
        assert OVERRIDE_EXPLANATION in shown(screen, "#override-box .explain").replace("\n", "")
        count = len(documents(MISAKI))

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(documents(MISAKI)) == count
        assert shown(screen, "#override-error") == OVERRIDE_REQUIRED
        assert app.focused is screen.query_one("#override", Input)

        await pilot.press(*"本人の希望により窓口で交付")
        assert shown(screen, "#override-error") == ""  # typing clears the message
        await pilot.press("ctrl+s")
        await settle(pilot)
        [doc] = documents(MISAKI)[count:]
        assert doc.override_reason == "本人の希望により窓口で交付"
        assert doc.kind is DocumentKind.ELIGIBILITY_CERTIFICATE
        assert screen.done


async def test_lost_document_without_a_loss_report_asks_why(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, LOST, TO_MEMBER)
        assert "滅失届がありません" in shown(screen, "#plan-notes")
        count = len(documents(KENICHI))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown(screen, "#loss-error") == LOSS_REQUIRED
        assert len(documents(KENICHI)) == count
        await pilot.press(*"本人が電話で紛失を申出")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [doc] = documents(KENICHI)[count:]
        assert doc.reason is IssueReason.LOST
        assert "滅失届なし: 本人が電話で紛失を申出" in doc.reason_note


async def test_a_lost_notice_is_reissued_without_mention_of_a_loss_report(tmp_path):
    # The お知らせ is never collected (the member destroys it): no 滅失届 to ask for.
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, NOTICE, LOST, TO_MEMBER)
        assert "滅失" not in shown(screen, "#plan-notes")
        assert not screen.query_one("#loss-box").display or screen.query_one("#loss-box").has_class("-hidden")
        count = len(documents(KENICHI))
        await pilot.press("ctrl+s")
        await settle(pilot)
        [doc] = documents(KENICHI)[count:]
        assert doc.kind is DocumentKind.ELIGIBILITY_NOTICE and doc.reason is IssueReason.LOST
        assert "滅失" not in (doc.reason_note or "")


async def test_a_loss_report_already_used_by_a_reissue_does_not_count_again(tmp_path):
    from clerk_tui.domain.codes import LossCircumstance
    from clerk_tui.services.applications import LossReportInput, record_loss_report

    app = make_training_app(tmp_path)
    kenichi = member(KENICHI)
    record_loss_report(app.ctx, LossReportInput(
        member_id=kenichi.id, document_kind=DocumentKind.ELIGIBILITY_CERTIFICATE, lost_on=date(2025, 12, 1),
        received_on=date(2025, 12, 3), circumstance=LossCircumstance.MISLAID))
    first = issue_document(app.ctx, plan_issue(app.ctx, kenichi.id, DocumentKind.ELIGIBILITY_CERTIFICATE,
                                               IssueReason.LOST, Route.TO_MEMBER)).document
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, LOST, TO_MEMBER)
        notes = shown(screen, "#plan-notes")
        assert "令和7年12月3日受付の滅失届は再交付" in notes and first.serial in notes and "使用済み" in notes
        count = len(documents(KENICHI))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown(screen, "#loss-error") == LOSS_REQUIRED
        assert len(documents(KENICHI)) == count


async def test_a_service_refusal_is_shown_at_its_field_and_the_input_stays(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, MISAKI)
        await choose(pilot, CERTIFICATE, NEW, TO_MEMBER)
        await tab_to(pilot, screen.query_one("#override", Input))
        typed = "番号 123456789012 を確認"  # a My Number: the service refuses to record it
        await pilot.press(*typed, "ctrl+s")
        await settle(pilot)
        assert "マイナンバー" in shown(screen, "#override-error")
        assert screen.query_one("#override", Input).value == typed
        assert not screen.done and not screen.query_one("#confirm", Button).disabled
        assert len(documents(MISAKI)) == 0


async def test_lost_member_shows_the_error_and_writes_nothing(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, TSUYOSHI)
        count, audit = len(documents(TSUYOSHI)), writes(TSUYOSHI)
        await choose(pilot, CERTIFICATE, NEW, TO_MEMBER)
        message = shown(screen, "#plan-message")
        assert "交付できません" in message and "令和7年11月1日に資格を喪失" in message
        assert screen.plan is None and screen.query_one("#confirm", Button).disabled
        assert shown(screen, "#plan-fields") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(documents(TSUYOSHI)) == count and writes(TSUYOSHI) == audit
        assert list((tmp_path / "out").glob("*.pdf")) == []
        await pilot.press("escape")
        assert isinstance(app.screen, MemberDetailScreen)


async def test_conflict_with_another_clerk_plans_again(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)
        # Meanwhile another clerk issues the same document.
        other = replace(app.ctx, clerk="other")
        theirs = issue_document(other, plan_issue(other, member(KENICHI).id,
                                                  DocumentKind.ELIGIBILITY_CERTIFICATE,
                                                  IssueReason.EXPIRY, Route.VIA_EMPLOYER)).document
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.done
        assert "別の職員" in shown(screen, "#form-message")
        assert theirs.serial in shown(screen, "#plan-notes")  # planned again: theirs is superseded
        assert documents(KENICHI)[-1].id == theirs.id
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.done
        mine = documents(KENICHI)[-1]
        assert mine.supersedes_id == theirs.id and mine.updated_by == "tester"


async def test_waiting_for_another_clerks_transaction_is_shown(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)
        other = cysqlite.connect(str(tmp_path / "clerk.db"))
        other.execute("BEGIN IMMEDIATE")  # another clerk's write in progress
        try:
            await pilot.press("ctrl+s")
            await pilot.pause(0.8)
            assert screen.running
            assert WAITING in shown(screen, "#form-message")
            assert screen.query_one("#confirm", Button).disabled
            await pilot.press("ctrl+s", "escape")  # neither issues twice nor leaves mid-write
            assert app.screen is screen
        finally:
            other.execute("ROLLBACK")
            other.close()
        await settle(pilot)
        assert screen.done and not screen.running
        assert len([d for d in documents(KENICHI) if d.reason is IssueReason.EXPIRY
                    and d.issued_on == TODAY]) == 1


async def test_verify_code_valid_and_forged(tmp_path):
    app = make_training_app(tmp_path)
    ctx = app.ctx
    code = issue_document(ctx, plan_issue(ctx, member(KENICHI).id, DocumentKind.ELIGIBILITY_NOTICE,
                                          IssueReason.NEW, Route.VIA_EMPLOYER)).facility_code
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, VerifyCodeScreen)
        screen.query_one(Input).cursor_blink = False

        await pilot.press("enter")
        assert "コードを入力してください" in shown(screen, "#verify-text")

        await pilot.press(*code, "enter")
        await settle(pilot)
        assert screen.result.status == "valid"
        assert shown(screen, "#verdict") == "有効" and screen.query_one("#verdict").has_class("-valid")
        assert "佐藤　健一" in shown(screen, "#verify-text")
        assert screen.query_one(Input).value == ""  # ready for the next scan

        await pilot.press(*forged, "enter")
        await settle(pilot)
        assert screen.result.status == "forged"
        assert shown(screen, "#verdict") == "偽造・読取誤り" and screen.query_one("#verdict").has_class("-bad")

        await pilot.press(*"hello", "enter")
        await settle(pilot)
        assert screen.result is None and "形ではありません" in shown(screen, "#verify-text")

        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)


async def test_batch_issues_for_one_employer_and_shows_the_file(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        screen.query_one(Input).cursor_blink = False
        # The training set's 交付待ち (scenario 70) are counted with the certificates needed.
        assert "全事業所（5事業所）: 交付する書類 5件（うち交付待ち 3件）" in shown(screen, "#batch-need")

        await pilot.press(*"E999")
        await settle(pilot)
        assert "登録されていません" in shown(screen, "#batch-need")
        await pilot.press("ctrl+s")  # no count for an unknown employer: nothing starts
        await settle(pilot)
        assert screen.report is None

        await pilot.press(*["backspace"] * 3, *"003")
        await settle(pilot)
        assert "E003 株式会社ひかりシステムズ: 交付する書類 3件（うち交付待ち 1件）" in shown(screen, "#batch-need")
        await pilot.press("ctrl+s", "ctrl+s")
        await settle(pilot)
        assert screen.report is not None and (screen.report.issued, screen.report.requests) == (3, 1)
        issued = list(Document.select().where(Document.batch_key == f"B{TODAY:%Y%m%d}-E003"))
        assert len(issued) == 3
        [pdf] = list((tmp_path / "out").glob("*.pdf"))
        report = shown(screen, "#batch-report").replace("\n", "")
        assert "交付 3件（うち交付待ち 1件）" in report and str(pdf) in report
        assert "交付が必要な方 0人" in shown(screen, "#batch-need")  # counted again after the run
        report = screen.report
        await pilot.press("ctrl+s")  # done: the same batch does not start again by accident
        await settle(pilot)
        assert screen.report is report
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)


async def test_typing_on_shows_only_the_count_of_the_last_code(tmp_path, monkeypatch):
    """Every code typed is counted at once; a count still being read when the clerk types on is
    never shown, and Ctrl+S starts the batch of the code in the field."""
    app = make_training_app(tmp_path)
    held = HeldCall(batch_screen.certificate_need, lambda _ctx, code: code == "E003")
    monkeypatch.setattr(batch_screen, "certificate_need", held)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        counted: list[str | None] = []
        need_text = screen._need_text
        screen._need_text = lambda need: (counted.append(need.employer_code), need_text(need))[1]
        await pilot.press(*"E003")  # its count is held
        await until(pilot, held.held.is_set)
        await pilot.press("backspace", "2")  # E002
        await settle(pilot)
        held.release()  # the count of E003 comes now, after the one of E002
        await until(pilot, held.finished.is_set)
        await settle(pilot)
        assert counted[-1] == "E002" and "E003" not in counted
        assert screen.need is not None and screen.need.employer_code == "E002"
        assert shown(screen, "#batch-need").startswith("E002 ")


async def test_choosing_on_shows_only_the_plan_of_the_last_choice(tmp_path, monkeypatch):
    """Every choice is planned at once, even one the arrow keys only pass over; a plan still
    being read when the clerk moves on is never shown, and Ctrl+S would issue the plan of the
    choice on screen."""
    app = make_training_app(tmp_path)
    held = HeldCall(issue_screen.plan_issue, lambda _ctx, _id, kind, reason, route: route is Route.TO_MEMBER)
    monkeypatch.setattr(issue_screen, "plan_issue", held)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, VIA_EMPLOYER)
        assert screen.plan is not None and screen.plan.route is Route.VIA_EMPLOYER
        planned: list[Route] = []
        show_plan = screen._show_plan
        screen._show_plan = lambda plan: (planned.append(plan.route), show_plan(plan))
        await pilot.press("right")  # 本人へ郵送: its plan is held
        await until(pilot, held.held.is_set)
        assert screen.plan is None  # nothing to issue until the plan of the choice arrives
        await pilot.press("right")  # 窓口手交
        await settle(pilot)
        held.release()  # the plan for 本人へ郵送 comes now, after the one for 窓口手交
        await until(pilot, held.finished.is_set)
        await settle(pilot)
        assert planned == [Route.COUNTER]
        assert screen.plan is not None and screen.plan.route is Route.COUNTER
        assert preview(screen)["交付方法"] == "窓口手交"


async def test_batch_ignores_escape_while_running(tmp_path):
    app = make_training_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"E003")
        await settle(pilot)
        other = cysqlite.connect(str(tmp_path / "clerk.db"))
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("ctrl+s")
            await pilot.pause(0.5)
            assert screen.running
            await pilot.press("escape", "ctrl+s")
            assert app.screen is screen
            assert any("実行中" in n.message for n in app._notifications)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await settle(pilot)
        assert not screen.running and screen.report.issued == 3  # 2 certificates and 1 交付待ち


def test_snapshot_issue_confirmation(snap_compare, tmp_path):
    app = make_training_app(tmp_path)

    async def run_before(pilot) -> None:
        await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_sending_to_a_member_without_an_address_is_refused_at_the_preview(tmp_path):
    app = make_training_app(tmp_path)
    kenichi = member(KENICHI)
    app.ctx.write(lambda: Member.update(postal_code=None, address=None).where(Member.id == kenichi.id).execute())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        count, audit = len(documents(KENICHI)), writes(KENICHI)
        await choose(pilot, CERTIFICATE, NEW, TO_MEMBER)
        message = shown(screen, "#plan-message")
        assert "交付できません" in message and "本人送付には郵便番号と住所の登録が必要です" in message
        assert screen.plan is None and screen.query_one("#confirm", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(documents(KENICHI)) == count and writes(KENICHI) == audit
        assert list((tmp_path / "out").glob("*.pdf")) == []


@pytest.mark.parametrize("setting", ["print_command", "output_dir"])
async def test_a_bad_print_command_or_output_folder_refuses_before_anything_is_issued(tmp_path, setting):
    """The screen checks the output folder and the print command as the command line does:
    before the document is issued, so that a wrong setting costs the clerk no second issue."""
    app = make_training_app(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    bad = {"print_command": ["no-such-printer-command-xyz", "{file}"],
           "output_dir": blocker / "out"}[setting]
    app.ctx = replace(app.ctx, config=replace(app.ctx.config, **{setting: bad}))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_issue(pilot, KENICHI)
        await choose(pilot, CERTIFICATE, EXPIRY, COUNTER)
        before_docs, before_writes = documents(KENICHI), writes(KENICHI)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.done
        assert documents(KENICHI) == before_docs and writes(KENICHI) == before_writes
        message = shown(screen, "#form-message").replace("\n", "")
        assert ("印刷コマンド" if setting == "print_command" else "出力フォルダ") in message
        assert "何も交付していません" in message
        assert not screen.query_one("#confirm", Button).disabled  # the clerk may fix it and try again
