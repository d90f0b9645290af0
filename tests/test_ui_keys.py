"""Keystrokes that must not be lost or misread, and what a clerk meets first: typing into the
results list in bursts (IME commit, paste, barcode scanner), one key for a new search, Japanese
wherever Textual would speak English, the key list at 80×24, and a too-small terminal."""

from __future__ import annotations

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
        [said] = notifications(app)
        assert "Ctrl+Q" in said and "終了" in said
        assert "quit" not in said.lower() and "press" not in said.lower()


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
