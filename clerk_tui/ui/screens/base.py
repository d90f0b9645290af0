"""The bases of the app's screens: every full screen (where a failed worker becomes a Japanese
notification instead of a traceback) and the small dialogs that call one service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from clerk_tui.domain.errors import DomainError
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.status_bar import StatusBar

T = TypeVar("T")

RECORDING = "記録中"
DIALOG_KEYS = "Ctrl+S 確定（入力欄では Enter も）  Esc やめる"


class ClerkScreen(Screen[None]):
    """A full screen: the status bar (clerk, database, date, training mode) on top, drawn here for
    every screen, then the screen's own body (`compose_body`)."""

    # May the new-search key (F2) leave this screen for the search? Only where nothing the clerk
    # typed would be lost with it: the search itself, a member, the lists.
    LEAVE_FOR_NEW_SEARCH = False

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        yield StatusBar(clerk=ctx.clerk, db_path=self.app.db_path,  # type: ignore[attr-defined]
                        today=ctx.clock.today(), fixed=ctx.clock.is_fixed, id="status")
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        yield from ()

    # Worker.StateChanged does not bubble, so the app cannot see its screens' workers: this is
    # the single handler, inherited by every screen.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]


class ServiceDialog(ModalScreen[T]):
    """A small form over the screen that calls one service in a thread: a refusal is shown in the
    box (the clerk corrects and tries again), success closes it with the service's result."""

    DEFAULT_CSS = """
    ServiceDialog { align: center middle; }
    ServiceDialog #dialog-box {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: ascii $primary; background: $panel; padding: 0 1;
    }
    ServiceDialog #dialog-title { text-style: bold; }
    ServiceDialog #dialog-summary { margin-bottom: 1; }
    ServiceDialog .dialog-row { height: auto; }
    ServiceDialog .dialog-label { width: 12; padding-right: 1; }
    ServiceDialog Input, ServiceDialog Input:focus { border: none; height: 1; padding: 0 1; background: $boost; }
    ServiceDialog Input:focus { background: $primary-muted; }
    ServiceDialog #dialog-error.-error { color: $text-error; text-style: bold; }
    ServiceDialog #dialog-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "やめる", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "確定", id="dialog.submit"),
    ]
    TITLE_TEXT = ""

    def __init__(self, summary: Text) -> None:
        super().__init__()
        self._summary = summary
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Static(Text(self.TITLE_TEXT), id="dialog-title")
            yield JaText(self._summary, id="dialog-summary")
            yield from self.compose_fields()
            yield JaText(Text(""), id="dialog-error")
            yield Static(Text(DIALOG_KEYS), id="dialog-hint")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def show_error(self, message: str, *, error: bool = True) -> None:
        line = self.query_one("#dialog-error", JaText)
        line.set_class(error, "-error")
        line.set_text(Text(message))

    def call_service(self) -> Callable[[], object] | None:
        """The service call for what was typed, or None after showing what is missing."""
        raise NotImplementedError

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self._busy:
            return
        call = self.call_service()
        if call is not None:
            self._run(call)

    def action_cancel(self) -> None:
        if not self._busy:
            self.dismiss(None)

    @work(exclusive=True, group="dialog", exit_on_error=False)
    async def _run(self, call: Callable[[], object]) -> None:
        self._busy = True
        self.show_error(RECORDING, error=False)
        try:
            result = await asyncio.to_thread(call)
        except DomainError as exc:
            self.show_error(exc.message)
            return
        finally:
            self._busy = False
        self.dismiss(result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error("")
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]
