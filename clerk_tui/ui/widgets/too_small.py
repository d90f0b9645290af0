"""What the clerk sees instead of a cut-off screen when the terminal is smaller than the app is
laid out for (80 columns by 24 lines): a notice over the whole screen. The app holds the keys back meanwhile,
so nothing is typed into a screen nobody can see."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


def notice_text(width: int, height: int) -> Text:
    # ASCII "x": the multiplication sign is East-Asian ambiguous.
    return Text(f"画面が小さすぎます（{MIN_WIDTH}x{MIN_HEIGHT} 以上にしてください）。\n"
                f"いまの大きさ: {width}x{height}\n"
                "端末の窓を広げるか、文字を小さくしてください。\n"
                "終了は Ctrl+Q")


class TooSmallNotice(Static):
    """Mounted over the top screen by the app while the terminal is too small (the app also
    holds back keys, pastes and clicks meanwhile: see ClerkApp.on_event)."""

    DEFAULT_CSS = """
    TooSmallNotice {
        overlay: screen;
        position: absolute;
        offset: 0 0;
        width: 100vw;
        height: 100vh;
        padding: 1 2;
        background: $background;
        color: $text-warning;
        text-style: bold;
    }
    """

    def __init__(self, width: int, height: int) -> None:
        super().__init__(notice_text(width, height))

    def show_size(self, width: int, height: int) -> None:
        self.update(notice_text(width, height))
