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
