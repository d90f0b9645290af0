"""The key list (F1 or ?): every key of the screen underneath, grouped by where it applies."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# (title, [(keys, description)])
HelpSection = tuple[str, list[tuple[str, str]]]

KEY_COLUMN = 14


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
            yield Static(self._keys_text(), id="help-keys")
            yield Static(Text("\nEsc で閉じる", style="dim"), id="help-hint")

    def _keys_text(self) -> Text:
        text = Text()
        for index, (title, keys) in enumerate(self.sections):
            if index:
                text.append("\n")
            text.append(f"{title}\n", style="bold underline")
            for key, description in keys:
                text.append("  ")
                # Pad by cells, not characters: descriptions are Japanese.
                text.append(key + " " * max(KEY_COLUMN - cell_len(key), 1), style="bold")
                text.append(f"{description}\n")
        text.rstrip()
        return text
