"""The key list (F1 or ?): every key of the screen underneath, grouped by where it applies. It is
laid out to fit the terminal (80×24 at least): in one column when that fits, else in two, with
long descriptions wrapped under themselves; only a list longer than even that scrolls."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from clerk_tui.ui.text import wrap_ja

# (title, [(keys, description)])
HelpSection = tuple[str, list[tuple[str, str]]]

KEY_COLUMN = 14
ONE_COLUMN_WIDTH = 64  # the box, frame included, when one column fits
COLUMN_GAP = 2
# Frame (2) and padding (2) around the keys; title and hint lines above and below them.
BOX_FRAME = 4
BOX_LINES = 2 + 2
HINT = "Esc で閉じる"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,question_mark", "dismiss", "閉じる", id="help.close"),
    ]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("キー操作一覧", style="bold"), id="help-title")
            yield Static(id="help-keys")
            yield Static(Text(HINT, style="dim"), id="help-hint")

    def on_mount(self) -> None:
        self._lay_out()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()

    # ------------------------------------------------------------------ layout

    def _lay_out(self) -> None:
        width, height = self.app.size
        room = max(height - BOX_LINES, 1)
        box = self.query_one("#help-box")
        one = self._column_lines(KEY_COLUMN, ONE_COLUMN_WIDTH - BOX_FRAME)
        if len(one) <= room or width < 2 * 20 + COLUMN_GAP + BOX_FRAME:
            box.styles.width = ONE_COLUMN_WIDTH
            text = Text("\n").join(one)
        else:
            inner = min(width, 80) - BOX_FRAME
            keys = max((cell_len(k) for _, entries in self.sections for k, _ in entries), default=1)
            key_column = min(keys + 1, KEY_COLUMN)
            # Unwrapped when the two halves fit side by side, else two equal wrapped columns.
            text = self._two_columns(self._column_lines(key_column, inner, indent=""), inner, room)
            if text is None:
                column = (inner - COLUMN_GAP) // 2
                lines = self._column_lines(key_column, column, indent="")
                text = self._two_columns(lines, inner, room, column=column) or Text()
            box.styles.width = inner + BOX_FRAME
        self.query_one("#help-keys", Static).update(text)

    def _column_lines(self, key_column: int, width: int, indent: str = "  ") -> list[Text]:
        """The sections as lines of at most `width` cells: a title, then one entry per key, the
        description wrapped under itself; a blank line between sections."""
        lines: list[Text] = []
        # The section of each entry line (None for titles and blanks): a column that starts in
        # the middle of a section repeats its title.
        self._sections_of: list[str | None] = []
        room = max(width - len(indent) - key_column, 8)
        for index, (title, keys) in enumerate(self.sections):
            if index:
                lines.append(Text(""))
                self._sections_of.append(None)
            lines.append(Text(title, style="bold underline"))
            self._sections_of.append(None)
            for key, description in keys:
                wrapped = wrap_ja(Text(description), room).split("\n")
                for n, part in enumerate(wrapped):
                    line = Text(indent)
                    # Pad by cells, not characters: descriptions are Japanese.
                    shown = key if n == 0 else ""
                    line.append(shown + " " * max(key_column - cell_len(shown), 1), style="bold")
                    line.append_text(part)
                    lines.append(line)
                    self._sections_of.append(title)
        return lines

    def _two_columns(self, lines: list[Text], inner: int, room: int, column: int | None = None) -> Text | None:
        """The lines in two columns side by side, half each (a section moves whole to the right
        when it can), without a blank line at the top of the right one. The left column is
        `column` cells wide, or as wide as its longest line; None when the two do not fit in
        `inner` cells."""
        split = (len(lines) + 1) // 2
        # Break at the blank line between two sections when there is one just above the middle.
        for candidate in range(split, max(split - 4, 0), -1):
            if not lines[candidate].plain and len(lines) - candidate - 1 <= room:
                split = candidate
                break
        left, right = lines[:split], lines[split:]
        while right and not right[0].plain:
            right = right[1:]
        continued = self._sections_of[len(lines) - len(right)] if right else None
        if continued is not None and len(right) < room:
            right = [Text(f"{continued}（続き）", style="bold underline"), *right]
        left_width = column or max((cell_len(line.plain) for line in left), default=0)
        right_width = max((cell_len(line.plain) for line in right), default=0)
        if left_width + COLUMN_GAP + right_width > inner:
            return None
        rows = []
        for i in range(max(len(left), len(right))):
            row = Text()
            if i < len(left):
                row.append_text(left[i])
            if i < len(right):
                row.append(" " * (left_width + COLUMN_GAP - cell_len(row.plain)))
                row.append_text(right[i])
            rows.append(row)
        return Text("\n").join(rows)
