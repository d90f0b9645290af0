"""The warnings computed from the rules at today's date, most urgent first, each introduced by a
plain word (警告・注意・情報) so that it reads the same in 8 colours and without colour."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label

from clerk_tui.ui.text import WARNING_PREFIX
from clerk_tui.ui.widgets.ja_text import JaText

_ORDER = {"error": 0, "warning": 1, "info": 2}


class WarningsPanel(VerticalScroll):
    DEFAULT_CSS = """
    WarningsPanel { height: auto; max-height: 45%; padding: 0 1; }
    WarningsPanel.-empty { display: none; }
    WarningsPanel > Horizontal { height: auto; }
    WarningsPanel .prefix { width: 5; text-style: bold reverse; }
    WarningsPanel JaText { width: 1fr; padding-left: 1; }
    WarningsPanel .level-error { color: $text-error; }
    WarningsPanel .level-error JaText { text-style: bold; }
    WarningsPanel .level-warning { color: $text-warning; }
    WarningsPanel .level-info { color: $text-primary; }
    """

    def show(self, warnings: list) -> None:
        self.remove_children()
        ordered = sorted(warnings, key=lambda w: _ORDER.get(w.level, 3))
        self.set_class(not ordered, "-empty")
        rows = []
        for w in ordered:
            # Text, not str: a warning may quote stored data, which must not be read as markup.
            rows.append(Horizontal(
                Label(Text(" " + WARNING_PREFIX.get(w.level, "情報") + " "), classes="prefix"),
                JaText(Text(str(w.text))),
                classes=f"level-{w.level}",
            ))
        self.mount_all(rows)
