"""Keystrokes that must not be lost or misread, and what a clerk meets first: typing into the
results list in bursts (IME commit, paste, barcode scanner), one key for a new search, Japanese
wherever Textual would speak English, the key list at 80×24, and a too-small terminal."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import DataTable, Input

from clerk_tui.ui.screens.search import SearchScreen
from tests.test_ui_support import make_app, settle

SIZE = (80, 24)


async def into_results(app, pilot) -> DataTable:
    await pilot.press(*"1234-567")
    await settle(pilot, 0.2)
    await pilot.press("enter")  # into the results
    await settle(pilot)
    table = app.screen.query_one("#results", DataTable)
    assert app.focused is table
    return table


def query(app) -> str:
    return app.screen.query_one("#query", Input).value


async def test_keys_pressed_in_one_go_on_the_results_all_reach_the_query(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await into_results(app, pilot)
        await pilot.press(*"さとう")
        await settle(pilot, 0.2)
        assert query(app) == "さとう"


async def test_a_burst_from_the_terminal_on_the_results_keeps_every_character_in_order(tmp_path):
    """An IME commit or a barcode scanner: the terminal delivers the characters back to back, with
    no pause in which the focus could move."""
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await into_results(app, pilot)
        for ch in "サトウ1955":
            app._driver.send_message(events.Key(ch, ch))
        await settle(pilot, 0.2)
        assert query(app) == "サトウ1955"


async def test_a_paste_on_the_results_goes_to_the_query(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await into_results(app, pilot)
        app._driver.send_message(events.Paste("サトウ"))
        app._driver.send_message(events.Key("x", "x"))
        await settle(pilot, 0.3)
        assert query(app) == "サトウx"
        assert isinstance(app.screen, SearchScreen)


def notifications(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


async def test_ctrl_c_says_in_japanese_how_to_quit(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await into_results(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause(0.1)
        assert app.is_running
        await pilot.press("escape", "ctrl+c")  # in the search field, nothing selected
        await pilot.pause(0.1)
        assert app.is_running
        for said in notifications(app):
            assert "Ctrl+Q" in said and "終了" in said
            assert "quit" not in said.lower() and "press" not in said.lower()
        assert len(notifications(app)) == 2


async def test_the_command_palette_speaks_japanese(tmp_path):
    from textual.command import CommandList, CommandPalette

    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(Input).placeholder.startswith("コマンドを検索")
        await pilot.press(*"zzzz")
        await pilot.pause(1.0)
        options = palette.query_one(CommandList)
        shown = [str(options.get_option_at_index(i).prompt.renderable)
                 for i in range(options.option_count)]
        assert any("該当するコマンドはありません" in line for line in shown)
        assert not any("No matches" in line for line in shown)


async def test_one_key_starts_a_new_search_from_a_member(tmp_path):
    from textual.widgets import Footer

    from clerk_tui.ui.screens.help import HelpScreen
    from clerk_tui.ui.screens.member_detail import MemberDetailScreen

    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await into_results(app, pilot)
        await pilot.press("enter")  # open the member
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        footer = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"新規検索", "検索"} & footer
        assert app.screen.query_one(Footer).display
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert query(app) == "" and app.focused is app.screen.query_one("#query", Input)
        assert app.screen.query_one("#results", DataTable).row_count == 0
        await pilot.press(*"ヤマモト")
        await settle(pilot, 0.2)
        assert app.screen.query_one("#results", DataTable).row_count == 1
        # From the results too, and the key list names it.
        await pilot.press("enter")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys").render())
        assert "F2" in keys and "新しい検索" in keys
        await pilot.press("escape", "f2")
        await settle(pilot)
        assert query(app) == ""


async def test_the_new_search_key_never_drops_what_a_form_holds(tmp_path):
    from clerk_tui.ui.screens.withdrawal import WithdrawalScreen

    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_member(ids["taro"])
        await settle(pilot)
        await pilot.press("w", "1")
        await settle(pilot)
        assert isinstance(app.screen, WithdrawalScreen)
        assert "新規検索" not in {b.binding.description for b in app.screen.active_bindings.values()
                               if b.enabled and b.binding.show}
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, WithdrawalScreen)
        assert app.screen.query_one("#wd-reason").value == "retirement"


# Every screen a clerk reaches from a member or with a function key: (keys from the member).
SCREENS = {
    "search": None, "detail": (), "issue": ("i",), "cancellation": ("c",), "loss_report": ("l",),
    "withdrawal": ("w",), "claim": ("t",), "verify_code": ("f5",), "batch": ("f6",),
    "applications": ("f7",), "outstanding": ("f8",), "claims": ("f9",), "audit": ("f10",),
}


@pytest.mark.parametrize("where", list(SCREENS))
async def test_the_key_list_fits_80_by_24_on_every_screen(tmp_path, where):
    from textual.widgets import Static

    from clerk_tui.ui.screens.help import HelpScreen

    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        if SCREENS[where] is not None:
            app.open_member(ids["taro"])
            await settle(pilot)
            await pilot.press(*SCREENS[where])
            await settle(pilot)
        screen = app.screen
        await pilot.press("f1")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y == 0  # nothing below the fold
        for part in ("#help-title", "#help-keys", "#help-hint"):
            region = app.screen.query_one(part).region
            assert region.height and app.screen.region.contains_region(region)
            assert box.region.contains_region(region)
        shown = str(app.screen.query_one("#help-keys", Static).render())
        flat = "".join(shown.split())
        for _, entries in app.help_sections(screen):
            for key, description in entries:
                # A wrapped description goes on under itself, beside the other column.
                assert "".join(key.split()) in flat and description[:6] in flat


@pytest.mark.parametrize("size", [(60, 20), (79, 24), (80, 23)])
async def test_a_terminal_below_80_by_24_shows_a_notice_and_holds_the_keys(tmp_path, size):
    from clerk_tui.ui.widgets.too_small import TooSmallNotice

    app, _ = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        [notice] = app.screen.query(TooSmallNotice)
        said = str(notice.render())
        assert "画面が小さすぎます" in said and "80x24" in said and f"{size[0]}x{size[1]}" in said
        assert notice.region == app.screen.region  # the whole screen, nothing cut shown
        await pilot.press(*"ヤマダ", "f8", "ctrl+p")
        await settle(pilot, 0.2)
        assert isinstance(app.screen, SearchScreen) and query(app) == ""  # nothing went through
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not app.screen.query(TooSmallNotice)
        assert app.focused is app.screen.query_one("#query", Input)
        await pilot.press(*"ヤマダ")
        await settle(pilot, 0.2)
        assert app.screen.query_one("#results", DataTable).row_count == 3


async def test_the_notice_follows_the_terminal_over_any_screen(tmp_path):
    from clerk_tui.ui.screens.member_detail import MemberDetailScreen
    from clerk_tui.ui.widgets.too_small import TooSmallNotice

    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_member(ids["taro"])
        await settle(pilot)
        await pilot.press("f1")
        await pilot.resize_terminal(70, 24)
        await settle(pilot)
        assert app.screen.query(TooSmallNotice)  # over the key list
        await pilot.press("escape")
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert not any(s.query(TooSmallNotice) for s in app.screen_stack)
        await pilot.press("escape")  # the key list is still open, then the member
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert not isinstance(app.screen, MemberDetailScreen)


async def test_the_audit_view_names_actions_and_members_as_clerks_do(tmp_path):
    from datetime import date

    from clerk_tui.db.models import Member
    from clerk_tui.domain.codes import WithdrawalReason
    from clerk_tui.services.withdrawal import record_withdrawal
    from clerk_tui.ui.screens.audit import AuditScreen
    from tests.test_ui_support import cell_texts

    app, ids = make_app(tmp_path)
    record_withdrawal(app.ctx, ids["taro"], lost_on=date(2025, 12, 1), reason=WithdrawalReason.RETIREMENT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(pilot, 0.2)
        assert isinstance(app.screen, AuditScreen)
        table = app.screen.query_one("#audit-table", DataTable)
        [header] = [[c.label.plain for c in table.columns.values()]]
        rows = cell_texts(table)
        withdrawal = next(r for r in rows if "退職" in r[3])
        assert withdrawal[3] == "退職等の資格喪失を記録"
        assert withdrawal[header.index("記号番号")] == Member.get_by_id(ids["taro"]).member_code  # 1234-567-00
        assert not any(r[3].startswith(("member.", "document.", "fixtures.")) for r in rows)
        assert str(ids["taro"]) not in [r[-1] for r in rows]
        await pilot.press("enter")  # the clerk field: into the list
        await settle(pilot, 0.2)
        assert cell_texts(table)[0][3] == "退職等の資格喪失を記録"
        await pilot.press("enter")  # still opens the member it is about
        await settle(pilot)
        assert app.screen.member_id == ids["taro"]


def test_every_audited_action_has_a_japanese_name():
    """The action codes written to the trail (services, fixtures, the command line) are shown by
    their Japanese names in the audit view and the member's 履歴 tab."""
    import re
    from pathlib import Path

    from clerk_tui.ui import text as labels

    package = Path(labels.__file__).parents[1]
    sources = [*(package / "services").glob("*.py"), *(package / "scenarios").rglob("*.py"), package / "cli.py"]
    codes = {code for path in sources for code in re.findall(r'"([a-z_]+\.[a-z_]+)"', path.read_text())
             if not code.startswith("clerk_tui.") and not code.endswith((".toml", ".py"))}  # names, not actions
    assert "member.withdraw" in codes
    unnamed = sorted(c for c in codes if labels.audit_action(c) == c)
    assert unnamed == []
