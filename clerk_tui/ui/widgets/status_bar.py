"""The top line: who is working, on which database, and which date the rules use. A fixed
training date is shown unmistakably so that nobody mistakes it for real work."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from clerk_tui.ui.text import wareki


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    StatusBar.training { background: $error; color: $text; text-style: bold; }
    """

    def __init__(self, *, clerk: str, db_path: Path, today, fixed: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clerk = clerk
        self.db_path = db_path
        self.today = today
        self.fixed = fixed

    def on_mount(self) -> None:
        self.set_class(self.fixed, "training")
        self.update(self.render_text())

    def render_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.fixed:
            text.append(f"研修モード 基準日固定 {wareki(self.today)}", style="bold reverse")
            text.append("  ")
        else:
            text.append(f"{wareki(self.today)}  ")
        text.append(f"職員 {self.clerk}  ")
        text.append(f"DB {self.db_path.name}")
        return text
