"""The withdrawal screens by keyboard: 退職等 with the family cascade, the last-day/loss-date
derivation, refused input, reinstatement, the outstanding list (return, closure, 督促状, filter),
the 75歳到達 list, the home-screen counts, and 80×24 snapshots."""

from __future__ import annotations

from datetime import date

import pytest
from textual import events
from textual.keys import _character_to_key

from textual.app import App, ComposeResult
from textual.widgets import Input

from clerk_tui.config import Config
from clerk_tui.db.models import AuditEntry, CollectionItem, Insurer, IssueRequest, Member
from clerk_tui.domain.codes import (
    CollectionStatus,
    DocumentKind,
    IssueCause,
    IssueRequestStatus,
    Relationship,
    ReturnVia,
    Sex,
    WithdrawalReason,
)
from clerk_tui.services.issue_queue import queue_issue
from clerk_tui.services.withdrawal import record_withdrawal
from clerk_tui.ui.screens import reaching75 as reaching75_screen
from clerk_tui.ui.screens import withdrawal as withdrawal_screen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from clerk_tui.ui.screens.outstanding import CloseDialog, OutstandingScreen, ReturnDialog
from clerk_tui.ui.screens.reaching75 import Reaching75Screen
from clerk_tui.ui.screens.withdrawal import ReinstateDialog, WithdrawalScreen
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.outstanding_counts import OutstandingCounts
from tests.factories import make_document, make_member
from tests.test_ui_support import TODAY, HeldCall, cell_texts, make_app, settle, until

SIZE = (80, 24)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render()).replace("\n", "")


async def open_withdrawal(app, pilot, member_id: int) -> WithdrawalScreen:
    """From the member's detail screen with `w`, as the clerk does."""
    app.open_member(member_id)
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)
    assert isinstance(app.screen, WithdrawalScreen)
    return app.screen


def withdraw(app, member_id: int, lost_on: date) -> None:
    record_withdrawal(app.ctx, member_id, lost_on=lost_on, reason=WithdrawalReason.RETIREMENT)


def with_outstanding(tmp_path):
    """The scenario with two employers' documents outstanding: 山田 (legacy card, 19 days) and
    the markup-named member of E00002 (資格確認書, 111 days)."""
    app, ids = make_app(tmp_path)
    # What the 督促状 needs: an output folder and the insurer's profile.
    app.ctx.config = Config(output_dir=tmp_path / "out")
    app.ctx.write(lambda: Insurer.create(
        insurer_number="06139999", name="東京都情報サービス産業健康保険組合", postal_code="102-8017",
        address="東京都千代田区富士見1-12-8", enrolment_phone="03-3239-9819", benefits_phone="03-3239-9817"))
    markup = Member.get_by_id(ids["markup"])
    make_document(app.ctx, markup, kind=DocumentKind.ELIGIBILITY_CERTIFICATE, issued_on=date(2025, 4, 1),
                  valid_until=date(2028, 3, 31))
    withdraw(app, ids["taro"], date(2025, 11, 1))
    withdraw(app, ids["markup"], date(2025, 8, 1))
    return app, ids


# ------------------------------------------------------------------ 退職等 / 扶養削除


async def test_withdrawal_of_an_insured_person_takes_the_family_and_creates_items(tmp_path):
    app, ids = make_app(tmp_path)
    hanako = Member.get_by_id(ids["hanako"])
    waiting = app.ctx.write(lambda: queue_issue(hanako, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        assert "退職等" in text_of(screen, "#wd-header")
        assert app.focused is screen.query_one("#wd-reason", ChoiceBar)
        await pilot.press("1", "tab", *"R7.11.30")
        await settle(pilot)
        assert screen.query_one("#wd-lost", DateInput).value == date(2025, 12, 1)
        # The clerk sees every person who loses coverage, and what comes back and what does not.
        people = cell_texts(screen.query_one("#wd-people"))
        assert [row[0] for row in people] == ["山田　太郎", "山田　花子", "山田　一郎"]
        docs = cell_texts(screen.query_one("#wd-docs"))
        assert [(row[1], row[2]) for row in docs] == [("健康保険証", "回収"), ("資格情報のお知らせ", "不要")]
        assert "3名が資格を失います" in text_of(screen, "#form-message")
        assert "交付待ちの書類 1件は取り消します" in text_of(screen, "#form-message")
        assert not CollectionItem.select().exists()  # a preview writes nothing

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.mode == "done"
        assert "交付待ちの書類1件を取り消し、回収対象を1件作成しました" in text_of(screen, "#form-message")
        assert IssueRequest.get_by_id(waiting.id).status is IssueRequestStatus.CANCELLED
        for key in ("taro", "hanako", "ichiro"):
            member = Member.get_by_id(ids[key])
            assert member.lost_on == date(2025, 12, 1)
            assert member.loss_reason == "retirement"
        items = list(CollectionItem.select())
        assert [(i.member_id, i.status) for i in items] == [(ids["taro"], CollectionStatus.OUTSTANDING)]
        # Back on the member, the detail shows the loss.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        assert "資格喪失予定日" in text_of(app.screen, "#member-header")


async def test_typing_on_shows_only_the_preview_of_the_last_date(tmp_path, monkeypatch):
    """Every date typed is previewed at once; a preview still being read when the clerk types on
    is never shown, neither before nor after the one of the date now in the field."""
    app, ids = make_app(tmp_path)
    held = HeldCall(withdrawal_screen.preview_loss, lambda _ctx, _id, lost_on: lost_on == date(2025, 12, 2))
    monkeypatch.setattr(withdrawal_screen, "preview_loss", held)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        shown: list[date] = []
        fill = screen._fill_preview
        screen._fill_preview = lambda preview: (shown.append(preview.lost_on), fill(preview))
        await pilot.press("1", "tab", *"R7.12.1")  # 最終出勤日 12/1: the loss on 12/2, its read held
        await until(pilot, held.held.is_set)
        await pilot.press("5")  # 最終出勤日 12/15: the loss on 12/16
        await settle(pilot)
        assert shown[-1] == date(2025, 12, 16)
        held.release()  # the older read finishes now, after the newer one
        await until(pilot, held.finished.is_set)
        await settle(pilot)
        assert date(2025, 12, 2) not in shown
        assert screen.preview is not None and screen.preview.lost_on == date(2025, 12, 16)
        assert "資格喪失日 令和7年12月16日" in text_of(screen, "#form-message")


async def test_last_day_and_loss_date_derive_each_other(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        last = screen.query_one("#wd-last", DateInput)
        lost = screen.query_one("#wd-lost", DateInput)
        await pilot.press("tab", *"R7.12.31")
        await settle(pilot)
        assert (last.value, lost.value) == (date(2025, 12, 31), date(2026, 1, 1))
        assert lost.query_one(Input).value == "R8.01.01"  # the shape clerks type
        await pilot.press("tab", "ctrl+u", *"2025-12-16")
        await settle(pilot)
        assert (last.value, lost.value) == (date(2025, 12, 15), date(2025, 12, 16))
        assert screen.preview is not None and screen.preview.lost_on == date(2025, 12, 16)
        # Clearing one clears the other: never a pair that disagrees.
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert (last.value, lost.value) == (None, None)
        assert screen.preview is None
        # No reason chosen yet: the preview is shown but Ctrl+S stays disabled.
        await pilot.press(*"R7.12.1")
        await settle(pilot)
        assert screen.preview is not None
        assert "理由を数字キーで選んでください" in text_of(screen, "#form-message")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Member.get_by_id(ids["taro"]).lost_on is None


async def test_a_loss_date_before_acquisition_is_refused_and_nothing_is_written(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        await pilot.press("1", "tab", "tab", *"R2.4.1")  # the day of acquisition
        await settle(pilot)
        assert "資格取得日" in text_of(screen, "#form-message")
        assert screen.query_one("#form-message").has_class("error")
        assert screen.check_action("save", ()) is None  # shown, but disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.mode == "form"
        assert Member.get_by_id(ids["taro"]).lost_on is None
        assert not CollectionItem.select().exists()
        assert not AuditEntry.select().where(AuditEntry.action == "member.withdraw").exists()
        # Far in the future: refused the same way.
        await pilot.press("ctrl+u", *"R9.1.1")
        await settle(pilot)
        assert "先すぎます" in text_of(screen, "#form-message")


async def test_a_dependent_is_removed_alone_with_its_own_reasons(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["hanako"])
        assert "扶養削除" in text_of(screen, "#wd-header")
        assert "扶養最終日" in str(screen.widget("last_work_day").parent.query_one(".field-label").render())
        bar = screen.query_one("#wd-reason", ChoiceBar)
        assert "6 その他" in str(bar.render())
        await pilot.press("1", "tab", "tab", *"R7.12.1")  # 1 就職
        await settle(pilot)
        assert [row[0] for row in cell_texts(screen.query_one("#wd-people"))] == ["山田　花子"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Member.get_by_id(ids["hanako"]).loss_reason == "employed"
        assert Member.get_by_id(ids["taro"]).lost_on is None


async def test_75_as_reason_fills_the_birthday_and_refuses_another_date(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["hanako"])  # born S57.7.7
        await pilot.press("5")  # 75歳到達
        await settle(pilot)
        assert screen.query_one("#wd-lost", DateInput).value == date(2057, 7, 7)
        assert "先すぎます" in text_of(screen, "#form-message")
        await pilot.press("tab", "tab", *"R7.12.1")  # the field is selected on focus: typing replaces it
        await settle(pilot)
        assert screen.preview is not None
        assert "75歳の誕生日" in text_of(screen, "#form-message")
        assert screen.check_action("save", ()) is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Member.get_by_id(ids["hanako"]).lost_on is None


@pytest.mark.parametrize("typed", ["R7.12.2", "2025/12/2", "12/2", "7.12.2", "令和7年12月2日", "１２．２"])
async def test_a_date_typed_into_the_reason_choice_changes_nothing(tmp_path, typed):
    """The focus is still on the reason when the clerk types the date: the digits in it must not
    pick an option (2 is 死亡), whatever shape the date has."""
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        bar = screen.query_one("#wd-reason", ChoiceBar)
        assert app.focused is bar
        for ch in typed:  # as the terminal sends them (the Pilot cannot name every character)
            app._driver.send_message(events.Key(ch if ch.isalnum() else _character_to_key(ch), ch))
        await settle(pilot)
        assert bar.value is None
        assert "[" not in str(bar.render())  # nothing shown as chosen
        assert any("数字キー" in n.message for n in app._notifications)
        await pilot.press("tab", *"R7.11.30")  # the date where it belongs
        await settle(pilot)
        assert screen.preview is not None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Member.get_by_id(ids["taro"]).lost_on is None  # no reason: nothing recorded


async def test_a_choice_made_just_before_typed_text_is_undone_with_what_it_filled_in(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["hanako"])
        bar = screen.query_one("#wd-reason", ChoiceBar)
        await pilot.press("5")  # 75歳到達 on its own: chosen, and the birthday filled in
        await settle(pilot)
        assert bar.value == "age_75"
        assert screen.query_one("#wd-lost", DateInput).value == date(2057, 7, 7)
        await pilot.press("tab", "shift+tab")  # away and back: a new run of typing
        await pilot.press(*"3/1")  # 3 (別居) then text: the 3 does not stand
        await settle(pilot)
        assert bar.value == "age_75"
        assert screen.query_one("#wd-lost", DateInput).value == date(2057, 7, 7)
        # From nothing, "5/7" leaves nothing, not even the dates the 5 filled in.
        await pilot.press("escape", "w")
        await settle(pilot)
        screen = app.screen
        bar = screen.query_one("#wd-reason", ChoiceBar)
        assert app.focused is bar and bar.value is None
        await pilot.press(*"5/7")
        await settle(pilot)
        assert bar.value is None
        assert screen.query_one("#wd-lost", DateInput).value is None
        assert screen.query_one("#wd-last", DateInput).value is None
        # Digits one after another are choices too: the last one counts.
        await pilot.press("tab", "shift+tab", "1", "2")
        await settle(pilot)
        assert bar.value == "income"


async def test_the_preview_reads_back_the_reason_and_dates_in_wareki(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        await pilot.press("2", "tab", *"R7.11.30")  # 2 死亡
        await settle(pilot)
        message = text_of(screen, "#form-message")
        assert "理由 死亡" in message and "Ctrl+S で記録します" in message
        # Why the legacy card comes back, in 和暦 as everywhere else on the screen.
        detail = text_of(screen, "#wd-detail")
        assert "令和7年12月1日以前の資格喪失" in detail
        assert "2025年" not in detail
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Member.get_by_id(ids["taro"]).loss_reason == "death"
        assert "理由 死亡" in text_of(screen, "#form-message")


async def test_an_already_withdrawn_member_is_offered_reinstatement(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["jiro"])
        assert screen.mode == "lost"
        assert "x で取り消せます" in text_of(screen, "#form-message")
        assert not screen.query_one("#fields").display  # no second loss can be typed
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ReinstateDialog)
        await pilot.press("enter")  # the reason is required
        await settle(pilot)
        assert "理由を入力してください" in text_of(app.screen, "#reinstate-reason-error")
        assert Member.get_by_id(ids["jiro"]).lost_on == date(2025, 10, 1)
        await pilot.press(*"entry error")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert "資格喪失を取り消しました" in text_of(screen, "#form-message")
        jiro = Member.get_by_id(ids["jiro"])
        assert (jiro.lost_on, jiro.loss_reason) == (None, None)
        assert AuditEntry.select().where(AuditEntry.action == "member.cancel_loss",
                                         AuditEntry.member_id == ids["jiro"]).exists()


async def test_reinstating_an_insured_person_restores_the_family_and_cancels_the_items(tmp_path):
    app, ids = make_app(tmp_path)
    hanako = Member.get_by_id(ids["hanako"])
    waiting = app.ctx.write(lambda: queue_issue(hanako, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, TODAY))
    withdraw(app, ids["taro"], date(2025, 11, 1))
    assert IssueRequest.get_by_id(waiting.id).status is IssueRequestStatus.CANCELLED
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["taro"])
        assert [row[0] for row in cell_texts(screen.query_one("#wd-people"))] == [
            "山田　太郎", "山田　花子", "山田　一郎"]
        assert [row[1:3] for row in cell_texts(screen.query_one("#wd-docs"))] == [["健康保険証", "未回収"]]
        await pilot.press("x", *"wrong date", "enter")
        await settle(pilot)
        assert "3名の資格が戻りました" in text_of(screen, "#form-message")
        assert "交付待ちの書類1件を戻しました" in text_of(screen, "#form-message")
        assert IssueRequest.get_by_id(waiting.id).status is IssueRequestStatus.PENDING
        assert all(Member.get_by_id(ids[k]).lost_on is None for k in ("taro", "hanako", "ichiro"))
        assert CollectionItem.get().status is CollectionStatus.CANCELLED


async def test_reinstatement_can_be_abandoned_with_escape(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_withdrawal(app, pilot, ids["jiro"])
        await pilot.press("x", *"abc", "escape")
        await settle(pilot)
        assert app.screen is screen and screen.mode == "lost"
        assert Member.get_by_id(ids["jiro"]).lost_on == date(2025, 10, 1)


# ------------------------------------------------------------------ 未回収一覧


async def open_outstanding(app, pilot) -> OutstandingScreen:
    await pilot.pause()
    await pilot.press("f8")
    await settle(pilot)
    assert isinstance(app.screen, OutstandingScreen)
    return app.screen


async def test_outstanding_list_by_employer_and_age(tmp_path):
    app, ids = with_outstanding(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outstanding(app, pilot)
        rows = cell_texts(screen.query_one("#os-table"))
        assert [(r[0], r[1], r[3], r[5]) for r in rows] == [
            ("E00001", "1234-567-00", "健康保険証", "19日"),
            ("E00002", "1234-569-00", "資格確認書", "111日"),
        ]
        # Stored text stays literal: the markup-named member is shown as typed.
        assert rows[1][2].startswith("[bold]田中")
        counts = text_of(screen, "#os-counts")
        assert "30日以内 1件" in counts and "91日以上 1件" in counts
        # e: filter by employer code; empty shows all again.
        await pilot.press("e", *"e00002", "enter")
        await settle(pilot)
        assert [r[1] for r in cell_texts(screen.query_one("#os-table"))] == ["1234-569-00"]
        await pilot.press("e", "ctrl+u", "enter")
        await settle(pilot)
        assert len(cell_texts(screen.query_one("#os-table"))) == 2
        # The cursor stayed on the item it was on; o opens that item's member.
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen) and app.screen.member_id == ids["markup"]


async def test_recording_a_return_from_the_outstanding_list(tmp_path):
    app, ids = with_outstanding(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outstanding(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReturnDialog)
        # 返却日 defaults to today; via: 2 郵送; condition typed.
        await pilot.press("tab", "2", "tab", *"damaged")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        item = CollectionItem.get(CollectionItem.member == ids["taro"])
        assert (item.status, item.returned_on, item.return_via, item.condition) == (
            CollectionStatus.RETURNED, TODAY, ReturnVia.POST, "damaged")
        assert [r[1] for r in cell_texts(screen.query_one("#os-table"))] == ["1234-569-00"]


async def test_a_return_dated_in_the_future_is_refused_in_the_dialog(tmp_path):
    app, ids = with_outstanding(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_outstanding(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+u", *"R7.12.31", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReturnDialog)
        assert "未来" in text_of(app.screen, "#return-date-error")
        assert CollectionItem.get(CollectionItem.member == ids["taro"]).status is CollectionStatus.OUTSTANDING


async def test_closing_an_item_as_unrecoverable(tmp_path):
    app, ids = with_outstanding(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outstanding(app, pilot)
        await pilot.press("down", "d")
        await settle(pilot)
        assert isinstance(app.screen, CloseDialog)
        await pilot.press("ctrl+s")  # neither kind chosen nor a reason
        await settle(pilot)
        assert "数字キーで選んでください" in text_of(app.screen, "#close-status-error")
        await pilot.press("2", "tab", *"no contact", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        item = CollectionItem.get(CollectionItem.member == ids["markup"])
        assert (item.status, item.closed_reason) == (CollectionStatus.UNRECOVERABLE, "no contact")
        assert item.document.status.value == "unrecoverable"


async def test_printing_the_reminder_records_the_date_and_shows_the_path(tmp_path):
    app, ids = with_outstanding(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outstanding(app, pilot)
        await pilot.press("p")
        await settle(pilot)
        item = CollectionItem.get(CollectionItem.member == ids["taro"])
        assert item.reminder_sent_on == TODAY
        pdfs = list((tmp_path / "out").glob("*.pdf"))
        assert len(pdfs) == 1
        detail = text_of(screen, "#os-detail")
        assert "督促" in detail and "記録" in detail and str(tmp_path / "out") in detail
        assert cell_texts(screen.query_one("#os-table"))[0][-1] == "R7.11.20"  # 督促日
        # The other employer's item is untouched.
        assert CollectionItem.get(CollectionItem.member == ids["markup"]).reminder_sent_on is None


async def test_home_screen_counts_widget(tmp_path):
    app, _ = with_outstanding(tmp_path)

    class _App(App):
        def __init__(self) -> None:
            super().__init__()
            self.ctx = app.ctx

        def compose(self) -> ComposeResult:
            yield OutstandingCounts()

    counts_app = _App()
    async with counts_app.run_test() as pilot:
        await settle(pilot)
        text = str(counts_app.query_one(OutstandingCounts).render())
        assert text == "未回収 30日以内 1件 / 31〜90日 0件 / 91日以上 1件  F8 一覧"


# ------------------------------------------------------------------ 75歳到達


async def test_the_75_list_records_a_member_and_the_family(tmp_path):
    app, ids = make_app(tmp_path)
    ctx = app.ctx
    employer = Member.get_by_id(ids["taro"]).employer
    elder = make_member(ctx, employer, symbol="1234", number="600", branch="00", family_name="高木",
                        given_name="正男", family_name_kana="タカギ", given_name_kana="マサオ",
                        birth_date=date(1950, 11, 25), acquired_on=date(1975, 4, 1))
    wife = make_member(ctx, employer, symbol="1234", number="600", branch="01", insured=elder,
                       relationship=Relationship.SPOUSE, family_name="高木", given_name="和子",
                       family_name_kana="タカギ", given_name_kana="カズコ", sex=Sex.FEMALE,
                       birth_date=date(1955, 3, 3), acquired_on=date(1980, 4, 1))
    async with app.run_test(size=SIZE) as pilot:
        await open_outstanding(app, pilot)
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, Reaching75Screen)
        assert screen.query_one("#r75-month", Input).value == "R7.11"  # this month
        rows = cell_texts(screen.query_one("#r75-table"))
        assert [(r[0], r[1], r[3]) for r in rows] == [("[ ]", "R7.11.25", "高木　正男")]
        assert screen.check_action("record", ()) is None  # nothing chosen yet
        await pilot.press("space")
        assert cell_texts(screen.query_one("#r75-table"))[0][0] == "[x]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        for member in (elder, wife):
            member = Member.get_by_id(member.id)
            assert (member.lost_on, member.loss_reason) == (date(2025, 11, 25), "age_75")
        assert "1名の75歳到達による資格喪失を記録しました（家族を含め2名" in text_of(screen, "#r75-message")
        assert cell_texts(screen.query_one("#r75-table")) == []
        # Another month: typed in 和暦 and read live.
        await pilot.press("shift+tab", "ctrl+u", *"R8.1")
        await settle(pilot)
        assert screen.month == date(2026, 1, 1)
        assert "令和8年1月に75歳になる方 0名" in text_of(screen, "#r75-message")


async def test_typing_a_month_on_lists_only_the_last_month(tmp_path, monkeypatch):
    """The list follows the month as it is typed; a list still being read for an earlier month
    is never shown over the one of the month now in the field."""
    app, ids = make_app(tmp_path)
    employer = Member.get_by_id(ids["taro"]).employer
    for number, given, kana, birth in (("601", "一月", "イチガツ", date(1950, 1, 20)),
                                       ("602", "師走", "シワス", date(1950, 12, 10))):
        make_member(app.ctx, employer, symbol="1234", number=number, branch="00", family_name="高木",
                    given_name=given, family_name_kana="タカギ", given_name_kana=kana, birth_date=birth,
                    acquired_on=date(1975, 4, 1))
    held = HeldCall(reaching75_screen.members_reaching_75, lambda month: month == date(2025, 1, 1))
    monkeypatch.setattr(reaching75_screen, "members_reaching_75", held)
    async with app.run_test(size=SIZE) as pilot:
        await open_outstanding(app, pilot)
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, Reaching75Screen)
        shown: list[list[str]] = []
        fill = screen._fill
        screen._fill = lambda: (shown.append([r.member.full_name for r in screen.rows]), fill())
        await pilot.press("shift+tab", "ctrl+u", *"R7.1")  # January: its list is held
        await until(pilot, held.held.is_set)
        await pilot.press("2")  # R7.12: December
        await settle(pilot)
        held.release()  # January's list comes now, after December's
        await until(pilot, held.finished.is_set)
        await settle(pilot)
        assert screen.month == date(2025, 12, 1)
        assert shown[-1] == ["高木　師走"]
        assert ["高木　一月"] not in shown
        assert [r[3] for r in cell_texts(screen.query_one("#r75-table"))] == ["高木　師走"]


# ------------------------------------------------------------------ snapshots


def _no_blink(screen) -> None:
    for field in screen.query(Input):
        field.cursor_blink = False


class TestSnapshots:
    def test_withdrawal_preview(self, snap_compare, tmp_path):
        app, ids = make_app(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            pilot.app.push_screen(WithdrawalScreen(ids["taro"]))
            await settle(pilot)
            _no_blink(pilot.app.screen)
            await pilot.press("1", "tab", *"R7.11.30")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_outstanding_list(self, snap_compare, tmp_path):
        app, _ = with_outstanding(tmp_path)

        async def run_before(pilot) -> None:
            await open_outstanding(pilot.app, pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
