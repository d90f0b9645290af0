"""The bases of the app's screens: every full screen (where a failed worker becomes a Japanese
notification instead of a traceback). The small dialogs that call one service are
`form_dialog.FormDialog`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from clerk_tui.ui.widgets.status_bar import StatusBar

RECORDING = "記録中"


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
