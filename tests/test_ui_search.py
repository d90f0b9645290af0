"""The member search screen driven by keyboard, as a clerk would: typing, moving into the results,
opening a member, going back, the help, and results that never lag behind the typing."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from clerk_tui.ui.screens.help import HelpScreen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from clerk_tui.ui.screens.search import SearchScreen
from tests.test_ui_support import MARKUP_NAME, cell_texts, make_app, settle

SIZE = (80, 24)


def message(app) -> str:
    # Joined: the message is wrapped to the screen's width.
    return str(app.screen.query_one("#search-message", Static).render()).replace("\n", "")


def names(app) -> list[str]:
    return [row[1] for row in cell_texts(app.screen.query_one("#results", DataTable))]


async def type_query(pilot, text: str) -> None:
    await pilot.press(*text)
    await settle(pilot, 0.2)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ヤマダ", ["山田　太郎", "山田　花子", "山田　一郎"]),  # kana
        ("やまだ", ["山田　太郎", "山田　花子", "山田　一郎"]),  # hiragana reads as kana
        ("山田", ["山田　太郎", "山田　花子", "山田　一郎"]),  # kanji
        ("1234-567-01", ["山田　花子"]),  # 記号・番号・枝番
        ("S55.4.2", ["山田　太郎"]),  # 和暦 birth date
        ("生:1980-04-02", ["山田　太郎"]),  # 西暦 with the birth-date prefix
    ],
)
async def test_typing_shows_matching_rows(tmp_path, query, expected):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SearchScreen)
        assert app.focused is app.screen.query_one(Input)
        await type_query(pilot, query)
        assert sorted(names(app)) == sorted(expected)
        assert message(app).startswith(f"{len(expected)}件")


async def test_invalid_date_says_so(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "生:R7.13.45")
        assert names(app) == []
        text = message(app)
        assert "R7.13.45" in text and "13月" in text
        assert app.screen.query_one("#search-message").has_class("error")


async def test_no_match_is_a_different_message(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "スズキ")
        assert names(app) == []
        widget = app.screen.query_one("#search-message")
        assert widget.has_class("notice") and not widget.has_class("error")
        assert message(app)  # the service's wording, shown as is


async def test_markup_in_a_name_is_shown_literally(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "タナカ")
        [name] = names(app)
        # Literal brackets, cut to the column with the ASCII mark (the full name is 37 cells).
        assert name.startswith("[bold]田中\u3000[/]花子[@cl") and name.endswith("~")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        header = str(app.screen.query_one("#member-header", Static).render())
        assert MARKUP_NAME in header
        assert app.is_running  # [@click=app.quit] was not an action


async def test_enter_opens_the_member_and_esc_returns(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "1234-567")
        assert len(names(app)) == 3
        await pilot.press("down")  # from the input into the results
        assert isinstance(app.focused, DataTable)
        await pilot.press("down", "enter")  # the second row: 山田　花子
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        assert app.screen.member_id == ids["hanako"]
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(Input).value == "1234-567"  # the search is kept
        await pilot.press("escape")  # in the results: back to the input
        assert app.focused is app.screen.query_one(Input)
        await pilot.press("escape")  # in the input: clears it
        assert app.screen.query_one(Input).value == ""
        await settle(pilot)
        assert names(app) == []


async def test_typing_in_the_results_starts_a_new_search(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "1234-567")
        await pilot.press("enter", "enter")  # into the results, open the first member
        await settle(pilot)
        await pilot.press("escape")  # back: the results still have the focus
        assert isinstance(app.focused, DataTable)
        await type_query(pilot, "ヤマモト")  # the next caller
        assert app.screen.query_one(Input).value == "ヤマモト"
        assert names(app) == ["山本　次郎"]
        await pilot.press("down", "question_mark")  # in the results again: bound keys still work
        assert isinstance(app.screen, HelpScreen)


async def test_withdrawn_member_is_listed_and_marked(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "ヤマモト")
        rows = cell_texts(app.screen.query_one("#results", DataTable))
        assert len(rows) == 1
        assert rows[0][1] == "山本　次郎" and rows[0][4] == "喪失"
        detail = str(app.screen.query_one("#row-detail", Static).render())
        assert "喪失日 令和7年10月1日" in detail


async def test_f1_lists_the_keys_and_question_mark_types_in_the_input(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert app.screen.query_one(Input).value == "?"  # typed, not a shortcut
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        for expected in ("Esc", "消去", "Enter", "開く", "検索欄へ", "F1", "キー一覧", "Ctrl+Q", "終了"):
            assert expected in keys
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)


async def test_stale_results_are_dropped(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        # Each prefix is a query of its own; only the last one's rows may remain.
        await pilot.press(*"ヤマ")
        await pilot.pause(0.3)  # "ヤマ" answered: 山田 ×3 and 山本
        await pilot.press(*"モト")
        await settle(pilot, 0.2)
        assert names(app) == ["山本　次郎"]
        await pilot.press("backspace", "backspace", *"ダ")
        await settle(pilot, 0.2)
        assert sorted(names(app)) == ["山田　一郎", "山田　太郎", "山田　花子"]


async def test_results_follow_the_typing_while_queries_are_slow(tmp_path, monkeypatch):
    """A slow earlier query finishing after a fast later one must not overwrite it."""
    import time

    from clerk_tui.ui.screens import search as search_screen

    real = search_screen._search_members  # the screen's call of the search service

    def slow_for_short_queries(ctx, text, **kw):
        if len(text) < 4:
            time.sleep(0.5)
        return real(ctx, text, **kw)

    monkeypatch.setattr(search_screen, "_search_members", slow_for_short_queries)
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"ヤマ")
        await pilot.pause(0.05)  # the slow "ヤマ" query is running in its thread
        await pilot.press(*"モト")
        await settle(pilot, 0.8)
        assert names(app) == ["山本　次郎"]


async def test_columns_follow_the_width(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "1234-567-00")
        table = app.screen.query_one("#results", DataTable)
        narrow = [c.label.plain for c in table.columns.values()]
        assert "カナ" not in narrow and "事業所" not in narrow
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        wide = [c.label.plain for c in table.columns.values()]
        assert "カナ" in wide and "事業所" in wide
        assert cell_texts(table)[0][3] == "昭和55年 4月 2日"


async def test_command_palette_lists_screen_actions(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        from clerk_tui.ui.commands import ScreenCommands

        provider = ScreenCommands(app.screen)
        found = [hit.text async for hit in provider.discover()]
        assert "キー一覧" in found and "消去" in found
        assert "検索に戻る" not in found  # already on the search screen


async def test_the_holiday_calendar_is_loaded_in_the_background_after_start(tmp_path):
    from clerk_tui.domain import rules

    app, _ = make_app(tmp_path)
    rules._national_holidays.cache_clear()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app.WARM_UP_AFTER)
        assert rules._national_holidays.cache_info().currsize == 1  # the first detail will not wait
        assert isinstance(app.screen, SearchScreen)


def add_former_name(app, member_id: int) -> None:
    """佐藤　三郎 was 山口　三郎 (ヤマグチ) until 2020."""
    from datetime import date

    from clerk_tui.db.models import Member
    from tests.factories import make_former_name

    make_former_name(app.ctx, Member.get_by_id(member_id), family_name="山口",
                     family_name_kana="ヤマグチ", used_until=date(2020, 3, 31))


async def test_a_former_name_hit_shows_the_current_name_marked(tmp_path):
    app, ids = make_app(tmp_path)
    add_former_name(app, ids["saburo"])
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "ヤマ")
        rows = cell_texts(app.screen.query_one("#results", DataTable))
        # Current names first (the 山田 family), then the former-name hit, then the withdrawn 山本.
        assert [r[1] for r in rows] == ["山田　一郎", "山田　太郎", "山田　花子", "佐藤　三郎 旧氏名",
                                        "山本　次郎"]
        await pilot.press("down", *["down"] * 3)  # into the results, to 佐藤　三郎
        detail = str(app.screen.query_one("#row-detail", Static).render())
        assert "旧氏名 山口　三郎（ヤマグチ　サブロウ）" in detail
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen) and app.screen.member_id == ids["saburo"]


async def test_the_former_name_mark_stays_when_the_name_is_cut(tmp_path):
    app, ids = make_app(tmp_path)
    from tests.factories import make_former_name
    from clerk_tui.db.models import Member

    make_former_name(app.ctx, Member.get_by_id(ids["markup"]), family_name="大川",
                     family_name_kana="オオカワ")
    async with app.run_test(size=SIZE) as pilot:
        await type_query(pilot, "オオカワ")
        [row] = cell_texts(app.screen.query_one("#results", DataTable))
        assert row[1].startswith("[bold]田中") and row[1].endswith("~ 旧氏名")


async def test_every_change_is_searched_at_once_and_only_the_last_is_shown(tmp_path, monkeypatch):
    """No pause for the typing to stop: each change starts its search, and the rows on screen
    are those of the text in the input."""
    from clerk_tui.ui.screens import search as search_screen

    real = search_screen._search_members
    searched: list[str] = []

    def counting(ctx, text, **kw):
        searched.append(text)
        return real(ctx, text, **kw)

    monkeypatch.setattr(search_screen, "_search_members", counting)
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for key in "ヤマモト":  # one key at a time: each change has its own search
            await pilot.press(key)
            await settle(pilot)
        assert searched == ["ヤ", "ヤマ", "ヤマモ", "ヤマモト"]
        assert names(app) == ["山本　次郎"]
        searched.clear()
        await pilot.press("escape", *"ヤマダ")  # a burst: a search that a later key overtakes
        await settle(pilot)                    # before it starts is not run at all
        assert searched[-1] == "ヤマダ" and set(searched) <= {"ヤ", "ヤマ", "ヤマダ"}
        assert sorted(names(app)) == ["山田　一郎", "山田　太郎", "山田　花子"]
        assert message(app).startswith("3件")


async def test_enter_before_the_rows_arrive_moves_into_them_when_they_do(tmp_path, monkeypatch):
    import threading

    from clerk_tui.ui.screens import search as search_screen

    real = search_screen._search_members
    release = threading.Event()

    def held(ctx, text, **kw):
        release.wait(10)  # the search is still running when Enter comes
        return real(ctx, text, **kw)

    monkeypatch.setattr(search_screen, "_search_members", held)
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1234-567-01", "enter")
        assert app.focused is app.screen.query_one(Input)  # nothing to move into yet
        release.set()
        await settle(pilot)
        assert names(app) == ["山田　花子"]
        assert isinstance(app.focused, DataTable)
