"""The member's key data as label–value pairs, packed into as few lines as the width allows and
never broken inside a pair unless the pair alone is wider than the screen."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from clerk_tui.ui.widgets.ja_text import JaText

GAP = "  "


def pack(items: list[Text], width: int) -> Text:
    """Join items with GAP, starting a new line where the next item would not fit."""
    out = Text()
    used = 0
    for item in items:
        size = cell_len(item.plain)
        gap = "" if item.plain.startswith("（") else GAP  # the reading follows its name directly
        if used and used + len(gap) + size > width:
            out.append("\n")
            used = 0
        elif used:
            out.append(gap)
            used += len(gap)
        out.append_text(item)
        used += size
    return out


class MemberHeader(JaText):
    DEFAULT_CSS = "MemberHeader { height: auto; padding: 0 1; }"

    def __init__(self, content: Text | str = "", **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._items: list[Text] | None = None

    def show(self, items: list[Text]) -> None:
        self._items = items
        self._rewrap(force=True)

    def set_text(self, text: Text) -> None:
        self._items = None
        super().set_text(text)

    def render_source(self, width: int) -> Text:
        return self._text if self._items is None else pack(self._items, width)
