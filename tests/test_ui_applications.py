"""利用登録解除申請 and 被保険者証滅失届 by keyboard: from the member screen and from the 受付 entry
point, mismatch then acceptance, duplicates, refused input that writes nothing, the legacy-card
question, theft without a police report, the list's filters, withdrawal; snapshots of both forms."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.database import PRAGMAS, ClerkDatabase, open_database
from clerk_tui.db.models import Document, Insurer, LossReport, Member, RegistrationCancellation
from clerk_tui.db.schema import init_schema
from clerk_tui.domain.codes import CancellationStatus, CardStatus, DocumentKind, DocumentStatus
from clerk_tui.scenarios.loader import load_files, training_fixture_files
from clerk_tui.services.applications import CancellationInput, record_cancellation
from clerk_tui.services.context import Context
from clerk_tui.ui.screens.applications import ApplicationsScreen
from clerk_tui.ui.screens.cancellation import CancellationScreen
from clerk_tui.ui.screens.confirm import ConfirmScreen
from clerk_tui.ui.screens.loss_report import LossReportScreen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from clerk_tui.ui.screens.form import FormScreen
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.tick import Tick
from tests.test_ui_support import TODAY, cell_texts, make_app, settle

SIZE = (80, 24)
TRAINING_TODAY = date(2025, 12, 10)


def app_with_output(tmp_path):
    """The UI scenario plus what letters need: the insurer's profile and an output folder."""
    app, ids = make_app(tmp_path)
    app.ctx.config = Config(output_dir=tmp_path / "out")
    app.ctx.write(lambda: Insurer.create(
        insurer_number="06139999", name="東京都情報サービス産業健康保険組合", postal_code="102-8017",
        address="東京都千代田区富士見1-12-8", enrolment_phone="03-3239-9819", benefits_phone="03-3239-9817"))
    return app, ids


def training_app(tmp_path):
    """The trainers' scenarios as loaded by `clerk-tui fixtures load fixtures/training/*.toml`."""
    from clerk_tui.ui.app import ClerkApp

    path = tmp_path / "training.db"
    db = open_database(path)
    init_schema(db)
    load_files(db, training_fixture_files(), clerk_clock=Clock(TRAINING_TODAY), clerk="trainer")
    ctx = Context(db=db, clock=Clock(TRAINING_TODAY), clerk="tester", origin=None,
                  config=Config(output_dir=tmp_path / "out"))
    return ClerkApp(ctx, db_path=path)


def message(screen) -> str:
    """What the form tells the clerk: a refusal under the field it names, then the form's message."""
    errors = [line.source_text().plain for line in screen.query(".field-error.-shown")]
    return "\n".join([*errors, screen.query_one("#form-message").source_text().plain])


def list_message(screen) -> str:
    return screen.query_one("#applications-message").source_text().plain


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def open_form(app, pilot, member_id: int, key: str) -> FormScreen:
    app.open_member(member_id)
    await settle(pilot)
    assert isinstance(app.screen, MemberDetailScreen)
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(app.screen, FormScreen)
    return app.screen


async def fill_cancellation(pilot, *, name: str, birth: str, received: str | None = None) -> None:
    """Types the paper's fields from 氏名 on, moving with Enter as a clerk does."""
    await type_text(pilot, name)
    await pilot.press("enter")
    await type_text(pilot, birth)
    await pilot.press("enter")
    await type_text(pilot, "東京都千代田区富士見1-1-1")
    await pilot.press("enter")
    await type_text(pilot, "03-0000-0001")
    await pilot.press("enter", "enter")  # 理由 left empty (optional)
    if received is not None:
        await pilot.press("ctrl+u")
        await type_text(pilot, received)
    await settle(pilot)


def cancellations(member_id: int | None = None) -> list[RegistrationCancellation]:
    q = RegistrationCancellation.select()
    if member_id is not None:
        q = q.where(RegistrationCancellation.member == member_id)
    return list(q)


# ------------------------------------------------------------------ 利用登録解除申請


async def test_record_from_the_member_screen_then_print_the_receipt(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        assert isinstance(form, CancellationScreen)
        assert app.focused is form.query_one("#name", Input)
        # The effective date is shown before anything is typed (received today, R7).
        assert "解除予定日  令和7年12月31日（原則、受付月の翌月末日）" in str(form.query_one("#effective").render())
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
        await pilot.press("ctrl+s", "ctrl+s")  # pressed twice: one record
        await settle(pilot)
        rows = cancellations(ids["hanako"])
        assert len(rows) == 1
        c = rows[0]
        assert (c.received_on, c.effective_on, c.status) == (TODAY, date(2025, 12, 31),
                                                             CancellationStatus.AWAITING_CERTIFICATE)
        assert c.applicant_address == "東京都千代田区富士見1-1-1" and c.reason is None
        assert "受け付けました（状態: 確認書交付待ち）" in message(form)
        assert "令和7年12月31日" in str(form.query_one("#effective").render())
        assert Member.get_by_id(ids["hanako"]).card_status is CardStatus.REGISTRATION_CANCELLED
        assert form.query_one("#fields").disabled  # locked: p reaches the screen
        await pilot.press("p")
        await settle(pilot)
        pdfs = list((tmp_path / "out").glob("*.pdf"))
        assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")
        assert str(pdfs[0]) in message(form)
        await pilot.press("escape")  # nothing unsaved: straight back, and the detail reloads
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        await pilot.press("3")
        rows = cell_texts(app.screen.query_one("#applications-table", DataTable))
        assert any(r[0] == "利用登録解除申請" and r[3] == "確認書交付待ち" for r in rows)


async def test_intake_by_code_unknown_then_known(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ApplicationsScreen)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CancellationScreen) and form.member_id is None
        assert app.focused is form.query_one("#code", Input)
        await type_text(pilot, "9999-999")
        await pilot.press("enter")
        await settle(pilot)
        assert "記号・番号 9999-999 の加入員は登録されていません" in message(form)
        assert app.focused is form.query_one("#code", Input)
        await pilot.press("ctrl+s")  # no member yet: refused, nothing written
        await settle(pilot)
        assert "Enter で加入員を確かめて" in message(form)
        assert cancellations() == []
        form.query_one("#code", Input).focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "1234-567-01")
        await pilot.press("enter")
        await settle(pilot)
        assert form.member_id == ids["hanako"]
        assert "山田　花子" in str(form.query_one("#member-line").render())
        assert app.focused is form.query_one("#name", Input)
        await fill_cancellation(pilot, name="山田　花子", birth="1982-07-07")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(cancellations(ids["hanako"])) == 1
        await pilot.press("escape")
        await settle(pilot)
        # Back on the list, which shows the new application.
        assert isinstance(app.screen, ApplicationsScreen)
        rows = cell_texts(app.screen.query_one(DataTable))
        assert rows[0][1:3] == ["1234-567-01", "山田　花子"] and rows[0][4] == "確認書交付待ち"


async def test_intake_refuses_a_member_who_lost_qualification(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CancellationScreen())
        await settle(pilot)
        form = app.screen
        await type_text(pilot, "1234-568")
        await pilot.press("enter")
        await settle(pilot)
        assert "令和7年10月1日に資格を喪失しています" in message(form)
        assert "資格喪失 R7.10.01" in str(form.query_one("#member-line").render())
        form.query_one("#name", Input).focus()
        await fill_cancellation(pilot, name="山本次郎", birth="S50.1.15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "資格を喪失しています" in message(form)
        assert cancellations() == []


async def test_intake_refuses_a_member_without_a_registration_and_keeps_the_register(tmp_path):
    # 山田太郎 has no My Number card (R3(a)): there is no insurance-use registration to cancel (R7).
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CancellationScreen())
        await settle(pilot)
        form = app.screen
        await type_text(pilot, "1234-567-00")
        await pilot.press("enter")
        await settle(pilot)
        assert "マイナンバーカードを取得していない方" in message(form)
        assert "利用登録解除申請は受け付けられません" in message(form)
        form.query_one("#name", Input).focus()
        await fill_cancellation(pilot, name="山田太郎", birth="S55.4.2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "受け付けられません" in message(form) and "資格確認書は申請がなくても交付対象" in message(form)
        assert cancellations() == []
        assert Member.get_by_id(ids["taro"]).card_status is CardStatus.NO_CARD


async def test_the_member_screen_form_says_at_once_that_there_is_nothing_to_cancel(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["ichiro"], "c")  # card not registered (R3(b))
        await settle(pilot)
        assert "健康保険証利用登録をしていない方" in message(form) and "受け付けられません" in message(form)


async def test_mismatch_is_listed_then_accepted(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田華子", birth="S57.7.8")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = message(form)
        assert "申請書の記載が登録内容と異なります" in text
        assert "・氏名（登録: 山田　花子）" in text and "・生年月日（登録: 昭和57年7月7日）" in text
        assert cancellations() == []
        accept = form.query_one("#accept", Tick)
        assert accept.display and app.focused is accept and not accept.value
        await pilot.press("ctrl+s")  # not yet accepted: refused again
        await settle(pilot)
        assert cancellations() == []
        await pilot.press("space")
        assert accept.value
        await pilot.press("ctrl+s")
        await settle(pilot)
        (c,) = cancellations(ids["hanako"])
        assert c.mismatch_accepted and c.applicant_name == "山田華子"
        assert "受け付けました" in message(form)


async def test_correcting_the_name_withdraws_the_acceptance(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田華子", birth="S57.7.7")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("space")  # accepted ...
        form.query_one("#name", Input).focus()
        await pilot.press("end", "backspace", "backspace")
        await type_text(pilot, "花子")  # ... then resolved instead
        await settle(pilot)
        assert not form.query_one("#accept", Tick).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "受け付けました" in message(form), message(form)
        (c,) = cancellations(ids["hanako"])
        assert not c.mismatch_accepted


async def test_duplicate_shows_the_existing_application(tmp_path):
    app, ids = app_with_output(tmp_path)
    # Another clerk recorded the same paper a moment ago.
    first = record_cancellation(app.ctx, CancellationInput(
        member_id=ids["hanako"], applicant_name="山田花子", applicant_birth_date=date(1982, 7, 7),
        received_on=TODAY))
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = message(form)
        assert "既に記録されています" in text
        assert "記録済み: 受付日 令和7年11月20日  状態 確認書交付待ち  解除予定日 令和7年12月31日" in text
        assert len(cancellations()) == 1
        assert form.state == "duplicate" and form.record_id == first.id
        await pilot.press("p")  # the existing application's 受付控
        await settle(pilot)
        assert len(list((tmp_path / "out").glob("*.pdf"))) == 1
        await pilot.press("e")  # back to the fields, which are kept
        assert form.state == "editing" and form.query_one("#name", Input).value == "山田花子"


async def test_future_received_date_is_refused_and_nothing_written(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7", received="R7.11.21")
        # The effective date follows the typed date before saving.
        assert "令和7年12月31日" in str(form.query_one("#effective").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "受付日（令和7年11月21日）が未来の日付です" in message(form)
        assert app.focused is form.query_one("#received Input")
        assert cancellations() == []
        assert Member.get_by_id(ids["hanako"]).card_status is CardStatus.USABLE
        # A date before the member's qualification is refused the same way.
        await pilot.press("ctrl+u")
        await type_text(pilot, "2019-03-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "資格取得日（令和2年4月1日）より前です" in message(form)
        assert cancellations() == []


async def test_unsaved_form_asks_before_esc_discards_it(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await type_text(pilot, "山田")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and form.query_one("#name", Input).value == "山田"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)


async def test_write_waiting_for_another_clerk_says_so(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
        other = ClerkDatabase(str(app.db_path.resolve()), pragmas=PRAGMAS)
        other.connect()
        other.execute_sql("BEGIN IMMEDIATE")  # another clerk's write holds the file
        try:
            await pilot.press("ctrl+s")
            await pilot.pause(0.8)
            assert form.state == "saving"
            assert "他の職員の処理を待っています" in message(form)
            assert form.check_action("save", ()) is None  # shown, but off while it runs
        finally:
            other.execute_sql("ROLLBACK")
            other.close()
        await settle(pilot)
        assert form.state == "recorded" and len(cancellations()) == 1


async def test_legacy_card_question_for_a_training_member(tmp_path):
    # 1001-101-00 佐藤健一 still held a valid 健康保険証 before 2025-12-02 (R6, R7). The scenario
    # has him without a My Number card (nothing to cancel, R7); here he has registered one since.
    app = training_app(tmp_path)
    app.ctx.write(lambda: Member.update(card_status=CardStatus.USABLE).where(
        Member.symbol == "1001", Member.number == "101", Member.branch == "00").execute())
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CancellationScreen())
        await settle(pilot)
        form = app.screen
        await type_text(pilot, "1001-101")
        await pilot.press("enter")
        await settle(pilot)
        member = Member.get(Member.symbol == "1001", Member.number == "101", Member.branch == "00")
        assert form.member_id == member.id
        row = form.query_one("#legacy-row")
        assert not row.display  # received today (令和7年12月10日): the legacy card is dead
        await fill_cancellation(pilot, name="佐藤健一", birth="S53.6.14", received="R7.11.28")
        assert row.display
        await pilot.press("ctrl+s")  # unanswered: refused, the cursor on the question
        await settle(pilot)
        assert "保険証が手元にあるか" in message(form)
        assert app.focused is form.query_one("#legacy", ChoiceBar)
        assert cancellations(member.id) == []
        await pilot.press("2")  # 滅失
        await pilot.press("ctrl+s")
        await settle(pilot)
        (c,) = cancellations(member.id)
        assert c.legacy_card_at_hand is False and c.status is CancellationStatus.RECEIVED
        assert "滅失届が必要です" in message(form)
        # l: the 滅失届 the application waits for, then the application is complete on paper.
        await pilot.press("l")
        await settle(pilot)
        loss = app.screen
        assert isinstance(loss, LossReportScreen)
        assert loss.query_one("#kind", ChoiceBar).value is DocumentKind.LEGACY_CARD
        loss.query_one("#lost-on Input").focus()
        await type_text(pilot, "R7.11.1")
        await pilot.press("enter", "enter", "1", "ctrl+s")  # 紛失
        await settle(pilot)
        assert LossReport.select().where(LossReport.member == member.id).count() == 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        # He holds the 資格確認書 issued in November (valid until 令和10年3月31日): nothing is
        # awaited, the application is complete (R18), not 確認書交付待ち.
        assert "状態: 完了" in message(form) and "有効な資格確認書をお持ちのため" in message(form)
        assert "確認書交付待ち" not in message(form)
        assert RegistrationCancellation.get_by_id(c.id).status is CancellationStatus.COMPLETED


# ------------------------------------------------------------------ 被保険者証滅失届


async def test_loss_report_theft_needs_the_police_reference(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["taro"], "l")
        assert isinstance(form, LossReportScreen)
        assert app.focused is form.query_one("#kind", ChoiceBar)
        await pilot.press("1", "enter")  # 健康保険証
        await type_text(pilot, "R7.11.1")
        await pilot.press("enter", "enter")  # 受付日: today
        police_row = form.query_one("#police-row")
        assert not police_row.display
        await pilot.press("2")  # 盗難
        await settle(pilot)
        assert police_row.display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "盗難の場合は警察への届出" in message(form)
        assert app.focused is form.query_one("#police", Input)
        assert LossReport.select().count() == 0
        await type_text(pilot, "丸の内署123")
        await pilot.press("enter", "space")  # 再交付を希望する
        assert form.query_one("#reissue", Tick).value
        await pilot.press("ctrl+s")
        await settle(pilot)
        (report,) = LossReport.select()
        assert report.police_report_ref == "丸の内署123" and report.reissue_requested
        doc = Document.get(Document.member == ids["taro"], Document.kind == DocumentKind.LEGACY_CARD)
        assert doc.status is DocumentStatus.LOST and report.document_id == doc.id
        assert "受け付けました" in message(form) and "i で資格確認書を交付します" in message(form)
        assert form.check_action("issue", ()) is True
        await pilot.press("p")
        await settle(pilot)
        assert len(list((tmp_path / "out").glob("*.pdf"))) == 1
        await pilot.press("i")
        await settle(pilot)
        from clerk_tui.ui.screens.issue import IssueScreen

        assert isinstance(app.screen, IssueScreen)


async def test_a_refusal_is_shown_under_the_field_it_names_and_goes_when_saved(tmp_path):
    """The form base puts a service's refusal on the line under its field (not only somewhere
    below the form), the cursor on the field; a later save clears it."""
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["taro"], "l")
        await pilot.press("1", "enter")  # 健康保険証; 滅失日 left empty
        await pilot.press("ctrl+s")
        await settle(pilot)
        lost_error = form.query_one("#lost-on-error")
        assert lost_error.has_class("-shown") and lost_error.display
        assert "滅失日: 日付を入力してください。" == lost_error.source_text().plain
        assert app.focused is form.query_one("#lost-on Input")
        # Only that field's line speaks; the others stay empty.
        assert [w.id for w in form.query(".field-error.-shown")] == ["lost-on-error"]
        assert LossReport.select().count() == 0
        await type_text(pilot, "R7.11.1")
        await pilot.press("enter", "enter", "1")  # 受付日: today; 紛失
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert LossReport.select().count() == 1
        assert list(form.query(".field-error.-shown")) == [] and not lost_error.display


async def test_loss_report_twice_shows_the_existing_one(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for attempt in range(2):
            form = await open_form(app, pilot, ids["taro"], "l")
            await pilot.press("1", "enter")
            await type_text(pilot, "R7.11.1")
            await pilot.press("enter", "enter", "1", "ctrl+s")
            await settle(pilot)
            if attempt == 0:
                await pilot.press("escape", "escape")
                await settle(pilot)
        assert "既に記録されています" in message(form)
        assert "記録済み: 健康保険証  滅失日 令和7年11月1日" in message(form)
        assert LossReport.select().count() == 1


async def test_loss_report_lost_after_received_is_refused(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, ids["taro"], "l")
        await pilot.press("ctrl+s")  # nothing chosen
        await settle(pilot)
        assert "滅失した書類を選んでください" in message(form)
        await pilot.press("1", "enter")
        await type_text(pilot, "R7.11.25")
        await pilot.press("enter", "enter", "1", "ctrl+s")
        await settle(pilot)
        assert "未来の日付" in message(form) or "滅失日が受付日より後です" in message(form)
        assert LossReport.select().count() == 0


# ------------------------------------------------------------------ the list


def _seed_list(app, ids) -> None:
    ctx = app.ctx
    for key, name, birth, received in (("hanako", "山田花子", date(1982, 7, 7), date(2025, 11, 20)),
                                       ("saburo", "佐藤三郎", date(1955, 1, 15), date(2025, 10, 15))):
        record_cancellation(ctx, CancellationInput(member_id=ids[key], applicant_name=name,
                                                   applicant_birth_date=birth, received_on=received))
    # 山田太郎 held a valid legacy card and lost it: the application waits at 受付. The register
    # said he had no My Number card; he has since registered one (nothing to cancel otherwise, R7).
    ctx.write(lambda: Member.update(card_status=CardStatus.USABLE).where(Member.id == ids["taro"]).execute())
    record_cancellation(ctx, CancellationInput(member_id=ids["taro"], applicant_name="山田太郎",
                                               applicant_birth_date=date(1980, 4, 2),
                                               received_on=date(2025, 11, 19), legacy_card_at_hand=False))


async def test_list_filters_by_status_and_month(tmp_path):
    app, ids = app_with_output(tmp_path)
    _seed_list(app, ids)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(DataTable)
        assert [r[2] for r in cell_texts(table)] == ["山田　花子", "山田　太郎", "佐藤　三郎"]
        await pilot.press("s")  # 受付
        await settle(pilot)
        assert [r[2] for r in cell_texts(table)] == ["山田　太郎"]
        assert "状態 受付" in str(screen.query_one("#applications-title").render())
        await pilot.press("s")  # 確認書交付待ち
        await settle(pilot)
        assert [r[2] for r in cell_texts(table)] == ["山田　花子", "佐藤　三郎"]
        await pilot.press("m")
        await settle(pilot)
        await type_text(pilot, "R7.13")
        await pilot.press("enter")
        await settle(pilot)
        assert "13月はありません" in str(app.screen.query_one("#month-error").source_text())
        await pilot.press("ctrl+u")
        await type_text(pilot, "2025-10")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert [r[2] for r in cell_texts(table)] == ["佐藤　三郎"]
        assert "受付月 令和7年10月" in str(screen.query_one("#applications-title").render())
        await pilot.press("s", "s", "s")  # 完了, 取下げ, 全て
        await settle(pilot)
        assert "状態 全て" in str(screen.query_one("#applications-title").render())
        assert [r[2] for r in cell_texts(table)] == ["佐藤　三郎"]
        await pilot.press("m", "ctrl+u", "enter")  # empty: every month
        await settle(pilot)
        assert len(cell_texts(table)) == 3
        await pilot.press("enter")  # the cursor stayed on 佐藤三郎's application: his screen
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen) and app.screen.member_id == ids["saburo"]


async def test_withdraw_after_confirmation_restores_the_registration(tmp_path):
    app, ids = app_with_output(tmp_path)
    _seed_list(app, ids)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert Member.get_by_id(ids["hanako"]).card_status is CardStatus.REGISTRATION_CANCELLED
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # Esc is No
        await settle(pilot)
        assert app.screen is screen
        assert cell_texts(screen.query_one(DataTable))[0][4] == "確認書交付待ち"
        await pilot.press("x", "y")
        await settle(pilot)
        assert cell_texts(screen.query_one(DataTable))[0][4] == "取下げ"
        assert "取り下げました" in list_message(screen)
        assert Member.get_by_id(ids["hanako"]).card_status is CardStatus.USABLE
        await pilot.press("x", "y")  # already withdrawn: the service says why
        await settle(pilot)
        assert "取下げのため取り下げできません" in list_message(screen)
        await pilot.press("p")
        await settle(pilot)
        assert "受付控を出力しました" in list_message(screen)


# ------------------------------------------------------------------ snapshots at 80×24


def _no_blink(app) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


class TestForms:
    def test_cancellation_form(self, snap_compare, tmp_path):
        app, ids = app_with_output(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            app.push_screen(CancellationScreen(ids["hanako"]))
            await settle(pilot)
            _no_blink(app)
            await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_loss_report_form(self, snap_compare, tmp_path):
        app, ids = app_with_output(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            app.push_screen(LossReportScreen(ids["taro"]))
            await settle(pilot)
            _no_blink(app)
            await pilot.press("1", "enter")
            await type_text(pilot, "R7.11.1")
            await pilot.press("enter", "enter", "2", "enter")  # 盗難: the police field appears
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
