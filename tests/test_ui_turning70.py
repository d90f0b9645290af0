"""The 70歳到達 screen (R5, R19), reached from the 交付待ち list (F4, key 7): the month's people
with their ratio and documents, choosing, Ctrl+S queuing, and the queue showing them on return."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from clerk_tui.db.models import IssueRequest, Member
from clerk_tui.domain.codes import DocumentKind, IssueCause, IssueRequestStatus, Relationship, Sex
from clerk_tui.ui.screens.issue_queue import IssueQueueScreen
from clerk_tui.ui.screens.turning70 import Turning70Screen
from tests.factories import make_document, make_member
from tests.test_ui_support import cell_texts, make_app, settle

SIZE = (80, 24)
DEC = date(2025, 12, 1)


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render()).replace("\n", "")


def _with_seventy(tmp_path):
    """The shared scenario plus a family whose insured person turns 70 in November (ratio from
    1 December, 3割, the 72-year-old wife 2割 -> 3割) and one without a 標準報酬月額."""
    app, ids = make_app(tmp_path)
    ctx = app.ctx
    employer = Member.get_by_id(ids["taro"]).employer
    kenji = make_member(ctx, employer, symbol="1234", number="700", branch="00", family_name="木村",
                        given_name="健二", family_name_kana="キムラ", given_name_kana="ケンジ",
                        birth_date=date(1955, 11, 10), acquired_on=date(1978, 4, 1), remuneration=340_000)
    yoko = make_member(ctx, employer, symbol="1234", number="700", branch="01", insured=kenji,
                       relationship=Relationship.SPOUSE, family_name="木村", given_name="洋子",
                       family_name_kana="キムラ", given_name_kana="ヨウコ", sex=Sex.FEMALE,
                       birth_date=date(1953, 5, 5), acquired_on=date(1980, 4, 1))
    make_document(ctx, yoko)  # she holds a 資格確認書: a new one with the ratio too
    unknown = make_member(ctx, employer, symbol="1234", number="701", branch="00", family_name="石井",
                          given_name="誠", family_name_kana="イシイ", given_name_kana="マコト",
                          birth_date=date(1955, 11, 12), acquired_on=date(1978, 4, 1), remuneration=None)
    ids.update(kenji=kenji.id, yoko=yoko.id, unknown=unknown.id)
    return app, ids


async def _open(app, pilot) -> Turning70Screen:
    await pilot.pause()
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, IssueQueueScreen)
    await pilot.press("7")
    await settle(pilot)
    assert isinstance(app.screen, Turning70Screen)
    return app.screen


async def test_the_month_after_today_is_listed_and_the_chosen_are_queued(tmp_path):
    app, ids = _with_seventy(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        assert screen.query_one("#t70-month", Input).value == "R7.12"  # next month: run the month before
        rows = cell_texts(screen.query_one("#t70-table"))
        # Each insured person turning 70 with, under them, the dependents whose ratio follows.
        assert [(r[0], r[1], r[2], r[-3], r[-2], r[-1]) for r in rows] == [
            ("[ ]", "1234-700-00", "木村\u3000健二", "3割->3割", "お知らせ", ""),
            ("[ ]", "1234-700-01", "木村\u3000洋子", "2割->3割", "お知らせ・確認書", ""),
            (" - ", "1234-701-00", "石井\u3000誠", "未登録", "お知らせ", ""),
        ]
        assert "発効期日令和7年12月1日: 3名（交付待ちにできる方 2名" in _text(screen, "#t70-message")
        assert screen.check_action("record", ()) is None  # nothing chosen yet
        await pilot.press("a")  # everyone who can be queued; not the one without a ratio
        assert screen.selected == {ids["kenji"], ids["yoko"]}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2名の書類3件を交付待ちにしました（発効期日令和7年12月1日）" in _text(screen, "#t70-message")
        assert {r[1]: r[-1] for r in cell_texts(screen.query_one("#t70-table"))} == {
            "1234-700-00": "登録済", "1234-700-01": "登録済", "1234-701-00": ""}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IssueQueueScreen)
        queued = cell_texts(app.screen.query_one("#issue-queue-table"))
        assert sum(1 for r in queued if r[4] == "負担割合変更") == 3
    requests = list(IssueRequest.select().where(IssueRequest.status == IssueRequestStatus.PENDING))
    assert {(r.member_id, r.kind) for r in requests} == {
        (ids["kenji"], DocumentKind.ELIGIBILITY_NOTICE), (ids["yoko"], DocumentKind.ELIGIBILITY_NOTICE),
        (ids["yoko"], DocumentKind.ELIGIBILITY_CERTIFICATE)}
    assert all(r.cause is IssueCause.RATIO_CHANGE and r.ratio_effective_from == DEC for r in requests)


async def test_a_bad_month_is_said_in_japanese_and_nothing_can_be_queued(tmp_path):
    app, _ids = _with_seventy(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("a")
        await pilot.press("shift+tab", "ctrl+u", *"R7.13")
        await settle(pilot)
        assert screen.month is None and cell_texts(screen.query_one("#t70-table")) == []
        assert screen.query_one("#t70-echo").has_class("-error")
        assert screen.check_action("record", ()) is None
        await pilot.press("ctrl+u", *"令和8年1月")
        await settle(pilot)
        assert screen.month == date(2026, 1, 1)
        assert "発効期日令和8年1月1日: 0名" in _text(screen, "#t70-message")
    assert IssueRequest.select().count() == 0


class TestSnapshots:
    def test_turning_70_list(self, snap_compare, tmp_path):
        app, _ids = _with_seventy(tmp_path)

        async def run_before(pilot) -> None:
            screen = await _open(pilot.app, pilot)
            for field in screen.query(Input):
                field.cursor_blink = False
            await pilot.press("down")  # the wife: her ratio follows her husband
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
