"""The key line of every screen (ClerkFooter): its keys are there with the screen's first frame
(Textual's Footer adds them a refresh later), on the search screen and on a screen opened from
it; it shows the keys of the widget with the focus and follows it, and it is not rebuilt while
its keys stay the same (at start Textual refreshes the bindings three times, and again on every
focus change)."""

from __future__ import annotations

import re

from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from clerk_tui.ui.screens.member_detail import MemberDetailScreen
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


# ------------------------------------------------------------------ a screen opened from the search

KEYS_ON_A_MEMBER = [("Esc", "戻る"), ("i", "交付"), ("c", "解除"), ("l", "滅失届"), ("w", "喪失"),
                    ("t", "立替払"), ("F2", "検索"), ("F1", "キー一覧")]
KEY_LINE_ON_A_MEMBER = " ".join(f"{key} {description}" for key, description in KEYS_ON_A_MEMBER)
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


async def test_a_member_opened_has_its_keys_in_its_first_frame(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Every frame the app sends the terminal while the member's screen is on top, as text
        # (App._display is where a screen's update is written out; headless, it writes nothing).
        frames: list[str] = []
        display = app._display

        def record(screen, update) -> None:
            if isinstance(screen, MemberDetailScreen) and update is not None and not app._batch_count:
                frames.append(_ESCAPE.sub("", update.render_segments(app.console)))
            display(screen, update)

        app._display = record
        app.open_member(ids["taro"])
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        assert frames, "the member's screen was never drawn"
        assert KEY_LINE_ON_A_MEMBER in frames[0]  # the very first frame, not a later one


async def test_a_focus_change_with_the_same_keys_keeps_the_key_line(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_member(ids["taro"])
        await settle(pilot)
        footer = app.screen.query_one(ClerkFooter)
        await pilot.press("2")  # the documents tab: its table takes the focus
        await settle(pilot)
        assert app.focused is app.screen.query_one("#documents-table")
        assert footer_keys(app) == KEYS_ON_A_MEMBER
        shown = list(footer.children)
        for tab in ("3", "4", "5"):  # applications, claims, history: the same keys
            await pilot.press(tab)
            await settle(pilot)
            assert app.focused is app.screen.query_one(f"#{app.screen.query_one('TabbedContent').active}-table")
            assert list(footer.children) == shown  # the same widgets: nothing rebuilt
        await pilot.press("1")  # the family table adds Enter to open a relative
        await settle(pilot)
        assert footer_keys(app) == [("Enter", "開く"), *KEYS_ON_A_MEMBER]
        assert list(footer.children) != shown
