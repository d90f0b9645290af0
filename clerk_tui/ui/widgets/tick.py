"""A yes/no box drawn in ASCII, `[X]` or `[ ]`, for forms where Enter moves to the next field."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class Tick(Widget, can_focus=True):
    """Not Checkbox: its half blocks are ambiguous-width. Space toggles; Enter moves on like in
    every other field, so it is never ticked by accident."""

    BINDING_GROUP_TITLE = "チェック欄"
    DEFAULT_CSS = """
    Tick { height: 1; width: 1fr; padding: 0 1; }
    Tick:focus { background: $primary-muted; }
    Tick:disabled { color: $text-disabled; }
    """
    BINDINGS = [Binding("space", "toggle", "選ぶ・外す", show=False, id="tick.toggle")]

    class Changed(Message):
        def __init__(self, tick: Tick, value: bool) -> None:
            super().__init__()
            self.tick = tick
            self.value = value

        @property
        def control(self) -> Tick:
            return self.tick

    value: reactive[bool] = reactive(False, init=False)

    def __init__(self, label: str, *, value: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.set_reactive(Tick.value, value)

    def render(self) -> Text:
        return Text(("[X] " if self.value else "[ ] ") + self.label, no_wrap=True, overflow="crop")

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def action_toggle(self) -> None:
        self.value = not self.value
