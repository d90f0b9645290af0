"""The key line of the search screen (ClerkFooter): its keys are there with the screen's first
frame (Textual's Footer adds them a refresh later), it shows the keys of the widget with the
focus and follows it, and it is not rebuilt while its keys stay the same (at start Textual
refreshes the bindings three times)."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from clerk_tui.ui.widgets.footer import ClerkFooter
from tests.test_ui_support import make_app, settle

SIZE = (80, 24)


def footer_keys(app) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in app.screen.query_one(ClerkFooter).query(FooterKey)]


KEYS_IN_THE_QUERY = [("Enter", "結果へ"), ("Esc", "消去"), ("F3", "資格取得"), ("F4", "交付待ち"),
                     ("F1", "キー一覧"), ("Ctrl+P", "コマンド")]


async def test_the_keys_come_with_the_first_frame(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE):
        assert footer_keys(app) == KEYS_IN_THE_QUERY  # no pause: as the app is first shown


async def test_the_footer_follows_the_focus_and_is_built_once_per_change(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(ClerkFooter)
        assert footer_keys(app) == KEYS_IN_THE_QUERY
        first = list(footer.children)
        app.screen.refresh_bindings()  # nothing changed for the keys: the same widgets stay
        await settle(pilot)
        assert list(footer.children) == first

        await pilot.press(*"1234-567")
        await settle(pilot, 0.2)
        await pilot.press("down")  # into the results: Enter opens, Esc goes back to the input
        await settle(pilot)
        assert isinstance(app.focused, DataTable)
        assert footer_keys(app)[:2] == [("Enter", "開く"), ("Esc", "検索欄へ")]
        assert list(footer.children) != first
