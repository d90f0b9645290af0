"""The app's text fields. `ClerkInput` is every screen's Input: it takes a full-width space
typed on the keyboard (Textual's Input takes only characters for which str.isprintable() is
true, and U+3000 is not one), and shows a pasted control or invisible character as a visible
mark instead of sending it to the terminal. `TextInput` is a field whose text is stored: it keeps
whatever the clerk typed or pasted, even past the field's length, and says under the field what
the save would refuse (too long, a control character, a My Number), by the same rule the
services apply."""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.expand_tabs import expand_tabs_inline
from textual.widgets import Input, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind, clean_text

__all__ = ["ClerkInput", "FieldProblem", "TextInput"]


def _is_space(ch: str | None) -> bool:
    # U+3000 and the other Unicode spaces (category Zs) that str.isprintable() calls unprintable.
    return ch is not None and len(ch) == 1 and unicodedata.category(ch) == "Zs"


def _space_of(event: events.Key) -> str | None:
    """The space a key event types, if it is one str.isprintable() refuses (U+3000 ...). A key
    that arrives with its name only ("ideographic_space", as Textual's own key simulation sends
    it) is read by that name."""
    character = event.character
    if character is None and event.key.endswith("_space"):
        try:
            character = unicodedata.lookup(event.key.replace("_", " "))
        except KeyError:
            return None
    return character if _is_space(character) and not character.isprintable() else None


def _is_hidden(ch: str) -> bool:
    return ch != "\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def _mark(ch: str) -> str:
    # Control Pictures: ␛ for ESC, ␀ for NUL ...; one cell wide, so the cursor stays in place.
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "?"


class ClerkInput(Input):
    """An Input that accepts a typed full-width space and never renders a control character raw."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return super().check_consume_key(key, character) or _is_space(character) or key == "ideographic_space"

    async def _on_key(self, event: events.Key) -> None:
        space = _space_of(event)
        if space is not None:
            # The base class would let the key pass by; insert it as it inserts any character.
            event.stop()
            event.prevent_default()
            self._restart_blink()
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(space)
            else:
                self.replace(space, *selection)

    @property
    def _value(self) -> Text:
        text = super()._value
        if self.password or not any(_is_hidden(ch) for ch in self.value):
            return text
        shown = Text("".join(_mark(ch) if _is_hidden(ch) else ch for ch in text.plain),
                     no_wrap=True, overflow="ignore", end="")
        for span in text.spans:
            shown.stylize(span.style, span.start, span.end)
        for index, ch in enumerate(self.value):
            if _is_hidden(ch):
                shown.stylize("reverse", index, index + 1)
        return shown

    def _position_to_cell(self, position: int) -> int:
        # As rendered: each hidden character takes the one cell of its mark.
        shown = "".join(_mark(ch) if _is_hidden(ch) else ch for ch in self.value[:position])
        return cell_len(expand_tabs_inline(shown, 4))


class FieldProblem(Static):
    """The line under a field that says what is wrong with it."""

    DEFAULT_CSS = "FieldProblem { height: auto; width: 1fr; padding: 0 1; color: $text-error; text-style: bold; }"


class TextInput(ClerkInput):
    """A stored text field. Nothing typed or pasted is cut or dropped: past `max_len`, or with a
    control character or a My Number, the text stays as it is and a line under the field gives
    the same Japanese message the save would (「住所は200文字以内で入力してください（いま213文字）」)."""

    DEFAULT_CSS = "TextInput.-problem { text-style: underline; }"

    def __init__(self, value: str | None = None, *, label: str, max_len: int,
                 kind: TextKind = TextKind.FREE, **kwargs) -> None:
        kwargs.pop("max_length", None)  # the limit is told, never enforced by cutting
        self.label = label
        self.max_len = max_len
        self.kind = kind
        self.problem: str | None = None
        self._problem_line: FieldProblem | None = None
        super().__init__(value, **kwargs)

    def check(self, value: str) -> str | None:
        """What the save would refuse in `value` (an empty field is the form's business)."""
        try:
            clean_text(value, label=self.label, max_len=self.max_len, kind=self.kind)
        except DomainError as exc:
            return exc.message
        return None

    def watch_value(self, value: str) -> None:
        problem = self.check(value)
        if problem == self.problem:
            return
        self.problem = problem
        self.set_class(problem is not None, "-problem")
        if self.is_mounted:
            self._show_problem()

    def on_mount(self) -> None:
        # A value given at construction is checked too (Input does not watch its first value).
        self.problem = self.check(self.value)
        self.set_class(self.problem is not None, "-problem")
        if self.problem is not None:
            self.call_after_refresh(self._show_problem)

    def _show_problem(self) -> None:
        if self.problem is None:
            if self._problem_line is not None:
                self._problem_line.remove()
                self._problem_line = None
            return
        if self._problem_line is not None:
            self._problem_line.update(Text(self.problem))
            return
        # Under the field: after its row when it shares a line with a label, else right after it.
        anchor = self
        parent = self.parent
        if parent is not None and parent.styles.layout is not None and parent.styles.layout.name == "horizontal":
            anchor = parent
        self._problem_line = FieldProblem(Text(self.problem), classes="field-problem")
        anchor.parent.mount(self._problem_line, after=anchor)

    def on_unmount(self) -> None:
        if self._problem_line is not None and self._problem_line.is_attached:
            self._problem_line.remove()
