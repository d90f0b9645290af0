"""The shared date field: every shape parses, the 和暦 echo shows what was read, errors are named."""

from __future__ import annotations

from datetime import date

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from clerk_tui.ui.widgets.date_input import DateInput


class _App(App):
    def compose(self) -> ComposeResult:
        yield DateInput(id="d")


async def test_typed_shapes_are_read_and_echoed_in_wareki():
    app = _App()
    async with app.run_test() as pilot:
        field = app.query_one(DateInput)
        field.focus()
        await pilot.press(*"R7.12.1")
        await pilot.pause()
        assert field.value == date(2025, 12, 1) and field.error is None
        assert str(field.query_one(".date-echo", Static).render()) == "令和7年12月1日"
        field.query_one(Input).value = "令和7年2月30日"
        await pilot.pause()
        assert field.value is None and "存在しない日付" in field.error
        assert field.query_one(".date-echo").has_class("-error")
        field.query_one(Input).value = ""
        await pilot.pause()
        assert field.value is None and field.error == "日付を入力してください。"


class _PrefilledApp(App):
    def compose(self) -> ComposeResult:
        yield DateInput(value=date(2026, 12, 4), id="d")


async def test_a_prefilled_date_is_shown_in_wareki_as_a_clerk_types_it():
    """A field filled in for the clerk (today's 受付日) reads like the paper, not 2026-12-04,
    and set_date writes the same shape; what it reads back is the same date."""
    app = _PrefilledApp()
    async with app.run_test() as pilot:
        field = app.query_one(DateInput)
        await pilot.pause()
        typed = field.query_one(Input).value
        assert typed == "R8.12.04" and "-" not in typed
        assert field.value == date(2026, 12, 4) and field.error is None
        assert str(field.query_one(".date-echo", Static).render()) == "令和8年12月4日"
        field.set_date(date(2019, 5, 1))
        await pilot.pause()
        assert field.query_one(Input).value == "R1.05.01" and field.value == date(2019, 5, 1)
