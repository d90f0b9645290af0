"""A Static for Japanese prose: wrapped to its width between any two characters, with 禁則 (no
line starting with 。or ）), re-wrapped when the terminal is resized."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from clerk_tui.ui.text import wrap_ja


class JaText(Static):
    DEFAULT_CSS = "JaText { height: auto; }"

    def __init__(self, content: Text | str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = content if isinstance(content, Text) else Text(content)
        self._wrapped_at = 0

    def on_mount(self) -> None:
        self._rewrap(force=True)

    def set_text(self, text: Text) -> None:
        self._text = text
        self._rewrap(force=True)

    def source_text(self) -> Text:
        return self._text

    def _width(self) -> int:
        # Before the first layout the widget has no size yet; the screen's width stands in.
        width = self.content_size.width or (self.app.size.width - self.styles.gutter.width)
        return max(width, 10)

    def _rewrap(self, force: bool = False) -> None:
        width = self._width()
        if force or width != self._wrapped_at:
            self._wrapped_at = width
            self.update(wrap_ja(self.render_source(width), width))

    def render_source(self, width: int) -> Text:
        """The text to wrap at `width`; subclasses lay items out first."""
        return self._text

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()
