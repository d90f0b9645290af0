"""The base of every full screen: the one place where a failed worker becomes a Japanese
notification instead of a traceback."""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker, WorkerState


class ClerkScreen(Screen[None]):
    # Worker.StateChanged does not bubble, so the app cannot see its screens' workers: this is
    # the single handler, inherited by every screen.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]
