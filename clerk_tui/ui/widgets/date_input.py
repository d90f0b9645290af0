"""A date field that accepts every 和暦/西暦 shape clerks type and says, under the field, either
the date it read (in 和暦, so a typo is visible) or what is wrong with it."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import parse_date
from clerk_tui.ui.text import wareki, wareki_short
from clerk_tui.ui.widgets.text_input import ClerkInput


class DateInput(Vertical):
    """`value` is the parsed date or None; `error` the Japanese problem or None (empty: None)."""

    DEFAULT_CSS = """
    DateInput { height: auto; }
    DateInput > Input { width: 100%; }
    DateInput > .date-echo { height: 1; color: $text-muted; padding: 0 1; }
    DateInput > .date-echo.-error { color: $error; text-style: bold; }
    """

    class Changed(Message):
        def __init__(self, date_input: DateInput, value: date | None, error: str | None) -> None:
            super().__init__()
            self.date_input = date_input
            self.value = value
            self.error = error

        @property
        def control(self) -> DateInput:
            return self.date_input

    def __init__(self, *, value: date | None = None, placeholder: str = "例: R7.12.1 / 令和7年12月1日",
                 required: bool = True, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = value
        self._placeholder = placeholder
        self.required = required
        self.value: date | None = value
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        # Shown as a clerk would type it (R7.12.4), never as an ISO date.
        yield ClerkInput(value=wareki_short(self._initial), placeholder=self._placeholder)
        yield Static("", classes="date-echo")

    def on_mount(self) -> None:
        self._read(self.query_one(Input).value)

    def focus(self, scroll_visible: bool = True) -> DateInput:
        self.query_one(Input).focus(scroll_visible)
        return self

    def set_date(self, value: date | None) -> None:
        self.query_one(Input).value = wareki_short(value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._read(event.value)
        self.post_message(self.Changed(self, self.value, self.error))

    def _read(self, text: str) -> None:
        echo = self.query_one(".date-echo", Static)
        self.value, self.error = None, None
        if not text.strip():
            self.error = "日付を入力してください。" if self.required else None
            echo.update("")
        else:
            try:
                self.value = parse_date(text)
            except DomainError as exc:
                self.error = exc.message
        echo.set_class(self.error is not None and bool(text.strip()), "-error")
        if self.value is not None:
            echo.update(Text(wareki(self.value)))
        elif text.strip():
            echo.update(Text(self.error or ""))
