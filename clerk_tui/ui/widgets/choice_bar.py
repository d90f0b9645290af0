"""A choice among a few options on one line, each numbered: a digit picks, Left/Right (and Space)
step. The chosen one is bracketed as well as highlighted, so it reads the same without colour.

Only those keys change the choice. A clerk who types a date or a name into the bar by mistake
(R7.12.2, 2025/12/1, 12/1) must not end up with whatever option the digits in it happen to
number: typing that contains anything but the bar's own keys is refused as a whole, and a choice
made by the digits typed just before it (in the same run of typing keys) is undone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget


class ChoiceBar(Widget, can_focus=True):
    """`value` is the chosen option's value, None until one is chosen. Only plain ASCII is drawn
    (RadioSet's ● and Select's ▼ are East-Asian ambiguous)."""

    BINDING_GROUP_TITLE = "選択欄"
    DEFAULT_CSS = """
    ChoiceBar { height: 1; width: 1fr; padding: 0 1; background: $boost; }
    ChoiceBar:focus { background: $primary-muted; }
    ChoiceBar:disabled { color: $text-disabled; }
    """
    BINDINGS = [
        Binding("1", "pick(1)", "選ぶ", key_display="数字", tooltip="選択肢を番号の数字キーで選ぶ",
                id="choice.pick"),
        # No id: the footer and the help name the digits once, by the entry above.
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)),
        Binding("left", "step(-1)", "前の選択肢", show=False, id="choice.previous"),
        Binding("right,space", "step(1)", "次の選択肢", show=False, id="choice.next"),
    ]

    class Changed(Message):
        """The clerk chose another option."""

        def __init__(self, bar: ChoiceBar, value: Any) -> None:
            super().__init__()
            self.bar = bar
            self.value = value

        @property
        def control(self) -> ChoiceBar:
            return self.bar

    def __init__(self, choices: Sequence[tuple[str, Any]] = (), *, value: Any = None, separator: str = " ",
                 numbered: bool = True, id: str | None = None, classes: str | None = None) -> None:
        """`choices` are (label, value) pairs; `separator` goes between a choice's number and its
        label ("1 退職" or "1:紛失"). `numbered` False leaves the numbers off the line, for a
        line too long to hold them (the digits still pick)."""
        super().__init__(id=id, classes=classes)
        self.separator = separator
        self.numbered = numbered
        self._choices = list(choices)
        self._index = self._index_of(value)
        # A run of typing keys (printable characters) ends at any other key or when the focus
        # leaves. _run_start is the choice before the run; _refused is set once the run has
        # shown itself to be text rather than the bar's keys.
        self._in_run = False
        self._run_start: int | None = None
        self._refused = False
        # Called at once when the clerk chooses, before any later key is handled. The Changed
        # message arrives only after keys already typed behind the choice (a Tab, the next
        # field's text) have been handled: a screen that shows or hides fields by the choice
        # sets this, so those keys land in the fields the choice brings.
        self.on_choose: Callable[[Any], None] | None = None

    def _index_of(self, value: Any) -> int | None:
        # A value that is not among the choices (or None) leaves nothing chosen.
        if value is None:
            return None
        return next((i for i, (_, v) in enumerate(self._choices) if v == value), None)

    @property
    def value(self) -> Any:
        return None if self._index is None else self._choices[self._index][1]

    @value.setter
    def value(self, value: Any) -> None:
        self._index = self._index_of(value)
        self.refresh()

    def set_choices(self, choices: Sequence[tuple[str, Any]], value: Any = None) -> None:
        self._choices = list(choices)
        self.value = value

    def _option_texts(self) -> list[str]:
        return [f"{i + 1}{self.separator}{label}" if self.numbered else label
                for i, (label, _) in enumerate(self._choices)]

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for i, option in enumerate(self._option_texts()):
            if i:
                text.append(" ")
            if i == self._index:
                text.append(f"[{option}]", style="bold reverse")
            else:
                text.append(f" {option} ")
        return text

    def option_at(self, x: int) -> int | None:
        """The option drawn at cell `x` of the content (None between or after the options)."""
        start = 0
        for i, option in enumerate(self._option_texts()):
            end = start + cell_len(option) + 2
            if start <= x < end:
                return i
            start = end + 1
        return None

    def offset_of(self, index: int) -> int:
        """The cell (from the widget's left edge) in the middle of option `index`, for a click."""
        start = 0
        for option in self._option_texts()[:index]:
            start += cell_len(option) + 3
        return self.styles.padding.left + start + 1

    def on_click(self, event: events.Click) -> None:
        index = self.option_at(event.x - self.styles.padding.left)
        if index is not None and not self.disabled:
            self._choose(index)

    def _choose(self, index: int | None) -> None:
        if index != self._index:
            self._index = index
            self.refresh()
            if self.on_choose is not None:
                self.on_choose(self.value)
            self.post_message(self.Changed(self, self.value))

    def action_pick(self, n: int) -> None:
        if 1 <= n <= len(self._choices):
            self._choose(n - 1)

    def action_step(self, delta: int) -> None:
        if not self._choices:
            return
        if self._index is None:
            self._choose(0 if delta > 0 else len(self._choices) - 1)
        else:
            self._choose((self._index + delta) % len(self._choices))

    def _pick_number(self, char: str) -> int | None:
        """The option numbered by `char` (an ASCII or full-width digit), None for any other
        character or a number the bar does not have."""
        if len(char) == 1 and char.isdecimal() and 1 <= int(char) <= len(self._choices):
            return int(char)
        return None

    def _end_run(self) -> None:
        self._in_run = False
        self._refused = False

    def on_key(self, event: events.Key) -> None:
        char = event.character
        if not (event.is_printable and char):
            self._end_run()  # Tab, arrows, Enter, Esc: the bindings handle them
            return
        # Every typing key is handled here (the digit bindings only name the keys in the
        # footer and the help): whether a digit picks depends on the keys typed with it.
        event.stop()
        event.prevent_default()
        if not self._in_run:
            self._in_run = True
            self._run_start = self._index
        if self._refused:
            # Still the same typing: nothing picks until another key (an arrow, Tab) ends it.
            self.app.bell()
            return
        number = self._pick_number(char)
        if number is not None:
            self._choose(number - 1)
        elif event.key == "space":
            self.action_step(1)
        else:
            self._refuse()

    def _refuse(self) -> None:
        self._refused = True
        self._choose(self._run_start)
        self.app.bell()
        last = len(self._choices)
        self.notify(f"数字キー 1〜{last} か Left/Right で選ぶ欄です。文字や日付は入力できません（次の欄へは Tab）。",
                    title="選択欄", severity="warning", timeout=6, markup=False)

    def on_blur(self) -> None:
        self._end_run()
