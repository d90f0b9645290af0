"""R18 on screen: the documents tab, the warnings and the batch count read each document as of
today (legacy cards on 2025-12-01/02, a 資格確認書 on valid_until ± 1 day, a member who lost the
qualification), by keyboard on the shared scenario; and the 80×24 snapshot of the documents tab."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import DataTable

from clerk_tui.clock import Clock
from clerk_tui.db.models import Member
from clerk_tui.domain.codes import DocumentKind, DocumentStatus, Standing
from clerk_tui.domain.rules import DocumentStanding
from clerk_tui.ui.screens.batch import BatchScreen
from clerk_tui.ui.text import standing_cell, standing_text, status_cell
from clerk_tui.ui.widgets.warnings_panel import WarningsPanel
from tests.factories import make_document
from tests.test_ui_support import cell_texts, make_app, settle

SIZE = (80, 24)
DAY = timedelta(days=1)
UNTIL = date(2027, 3, 31)


def _app_on(tmp_path, today: date):
    app, ids = make_app(tmp_path)
    app.ctx.clock = Clock(today)
    return app, ids


def _certificate(app, member_id: int, valid_until: date = UNTIL, issued_on: date = date(2024, 4, 1)):
    return make_document(app.ctx, Member.get_by_id(member_id), issued_on=issued_on, valid_until=valid_until)


async def _documents(app, pilot, member_id: int) -> list[list[str]]:
    app.open_member(member_id)
    await settle(pilot)
    await pilot.press("2")
    return cell_texts(app.screen.query_one("#documents-table", DataTable))


def _states(rows: list[list[str]]) -> dict[str, str]:
    """Document kind → what the 状態 column says."""
    return {row[1]: row[4] for row in rows}


def _warnings(app) -> str:
    return "".join(str(s.render()) for s in app.screen.query_one(WarningsPanel).query("JaText")).replace("\n", "")


@pytest.mark.parametrize("today, legacy", [(date(2025, 12, 1), "有効 本日まで"), (date(2025, 12, 2), "失効")])
async def test_the_legacy_card_is_void_on_screen_from_2025_12_02(tmp_path, today, legacy):
    app, ids = _app_on(tmp_path, today)
    async with app.run_test(size=SIZE) as pilot:
        assert _states(await _documents(app, pilot, ids["taro"]))["健康保険証"] == legacy


@pytest.mark.parametrize("today, shown, warning", [
    (UNTIL - DAY, "有効 残1日", "資格確認書の有効期限まで残り1日です（令和9年3月31日まで）。"),
    (UNTIL, "有効 本日まで", "資格確認書の有効期限は本日（令和9年3月31日）までです。"),
    (UNTIL + DAY, "期限切れ", "資格確認書の有効期限（令和9年3月31日）が切れています（期限切れ）。"),
])
async def test_a_certificate_on_screen_around_its_valid_until(tmp_path, today, shown, warning):
    app, ids = _app_on(tmp_path, today)
    _certificate(app, ids["taro"])
    async with app.run_test(size=SIZE) as pilot:
        states = _states(await _documents(app, pilot, ids["taro"]))
        # The tab lists the family's documents: 花子's お知らせ has no end date.
        assert states == {"資格確認書": shown, "健康保険証": "失効", "資格情報のお知らせ": "有効"}
        assert warning in _warnings(app)
        # Never 有効 for a document that is not: an expired certificate asks for a new one.
        if today > UNTIL:
            assert "新しい資格確認書を交付してください" in _warnings(app)


async def test_a_lost_member_s_certificate_reads_qualification_lost(tmp_path):
    app, ids = _app_on(tmp_path, date(2025, 11, 20))
    _certificate(app, ids["jiro"], issued_on=date(2025, 4, 1), valid_until=date(2028, 3, 31))
    async with app.run_test(size=SIZE) as pilot:
        assert _states(await _documents(app, pilot, ids["jiro"])) == {"資格確認書": "資格喪失"}
        assert "資格確認書の有効期限" not in _warnings(app)


@pytest.mark.parametrize("today, count", [(UNTIL, 1), (UNTIL + DAY, 2)])
async def test_the_batch_count_takes_in_a_member_whose_certificate_expired(tmp_path, today, count):
    # E00001: 太郎 (no card) and 一郎 (not registered) need one, 花子 can use マイナ保険証.
    app, ids = _app_on(tmp_path, today)
    _certificate(app, ids["taro"])
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(BatchScreen())
        await settle(pilot)
        await pilot.press(*"E00001")
        await settle(pilot)
        need = str(app.screen.query_one("#batch-need").render()).replace("\n", "")
        assert f"交付が必要な方 {count}人" in need


def test_the_documents_tab_as_of_a_day_after_the_legacy_cards(snap_compare, tmp_path):
    """A void legacy card, an expired certificate and its successor ending in 90 days, a notice."""
    app, ids = _app_on(tmp_path, UNTIL + DAY)
    make_document(app.ctx, Member.get_by_id(ids["taro"]), kind=DocumentKind.ELIGIBILITY_CERTIFICATE,
                  issued_on=date(2024, 4, 1), valid_until=UNTIL)
    make_document(app.ctx, Member.get_by_id(ids["ichiro"]), kind=DocumentKind.ELIGIBILITY_CERTIFICATE,
                  issued_on=date(2024, 6, 1), valid_until=UNTIL + 90 * DAY)
    make_document(app.ctx, Member.get_by_id(ids["ichiro"]), kind=DocumentKind.ELIGIBILITY_CERTIFICATE,
                  issued_on=date(2023, 6, 1), valid_until=date(2026, 3, 31), status=DocumentStatus.RETURNED)

    async def run_before(pilot) -> None:
        app.open_member(ids["taro"])
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# ------------------------------------------------------------------ the display helpers


def test_standing_text_names_the_standing_and_the_days_left_when_close():
    assert standing_text(DocumentStanding(Standing.VALID, UNTIL, 200)) == "有効"
    assert standing_text(DocumentStanding(Standing.VALID, UNTIL, 119)) == "有効 残119日"
    assert standing_text(DocumentStanding(Standing.VALID, UNTIL, 0)) == "有効 本日まで"
    assert standing_text(DocumentStanding(Standing.VALID)) == "有効"
    assert standing_text(DocumentStanding(Standing.EXPIRED, UNTIL)) == "期限切れ"
    assert standing_text(DocumentStanding(Standing.VOID, date(2025, 12, 1))) == "失効"
    assert standing_cell(DocumentStanding(Standing.VALID, UNTIL, 30)).style == "bold"
    assert standing_cell(DocumentStanding(Standing.QUALIFICATION_LOST, UNTIL)).plain == "資格喪失"


def test_status_cells_are_bold_while_they_wait_for_the_clerk():
    from clerk_tui.domain.codes import CancellationStatus, ClaimStatus, CollectionStatus

    assert status_cell(CollectionStatus.OUTSTANDING).style == "bold"
    assert status_cell(ClaimStatus.INCOMPLETE).style == "bold"
    assert status_cell(CancellationStatus.RECEIVED).style == "bold"
    assert status_cell(CollectionStatus.RETURNED).style == ""
    assert status_cell(CancellationStatus.COMPLETED).plain == "完了"


@pytest.mark.parametrize("today, shown", [
    (UNTIL, "資格確認書 交付済・有効（令和9年3月31日まで）"),
    (UNTIL + DAY, "資格確認書 マイナンバーカードを取得していないため交付対象"),
])
async def test_the_header_says_a_holder_is_covered_not_waiting(tmp_path, today, shown):
    from textual.widgets import Static

    app, ids = _app_on(tmp_path, today)
    _certificate(app, ids["taro"])
    async with app.run_test(size=SIZE) as pilot:
        await _documents(app, pilot, ids["taro"])
        assert shown in str(app.screen.query_one("#member-header", Static).render()).replace("\n", "")
