"""A yes/no question over the screen; the answer is dismissed as a bool (True = yes)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from clerk_tui.ui.widgets.ja_text import JaText


class ConfirmScreen(ModalScreen[bool]):
    """No is the answer to Esc, and only y says yes, so a stray key never confirms."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 64; max-width: 100%; height: auto; border: ascii $primary;
                               background: $panel; padding: 0 1; }
    ConfirmScreen .confirm-title { text-style: bold; }
    ConfirmScreen .confirm-keys { margin-top: 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "はい", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "いいえ", id="confirm.no"),
    ]
    KEYS = "y はい    n いいえ（Esc）"

    def __init__(self, question: Text, *, title: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.title_text:
                yield Static(Text(self.title_text), classes="confirm-title")
            yield JaText(self.question, id="confirm-question")
            yield Static(Text(self.KEYS), classes="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ProceedScreen(ConfirmScreen, inherit_bindings=False):
    """The same question before an action the clerk has just asked for and that cannot be undone:
    framed in the warning colour, and Enter goes ahead as well as y."""

    DEFAULT_CSS = """
    ProceedScreen > Vertical { border: ascii $warning; }
    ProceedScreen .confirm-keys { text-style: none; color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter,y", "answer(True)", "実行", id="confirm.yes"),
        Binding("escape,n", "answer(False)", "取消", id="confirm.no"),
    ]
    KEYS = "Enter・y 実行  Esc・n 取消"
