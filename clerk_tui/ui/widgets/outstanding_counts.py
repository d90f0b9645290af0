"""One line for the home screen: how many documents are still outstanding, by age band (R9),
read in a thread so that it never delays the search."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.widgets import Static



class OutstandingCounts(Static):
    DEFAULT_CSS = "OutstandingCounts { height: 1; padding: 0 1; color: $text-muted; }"

    def on_mount(self) -> None:
        self.call_after_refresh(self.reload)  # once the screen is drawn: start-up does not wait for it

    def reload(self) -> None:
        """Read the counts again (call it when the home screen is shown again)."""
        self._load()

    @work(exclusive=True, group="outstanding-counts", exit_on_error=False)
    async def _load(self) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        counts = await asyncio.to_thread(_outstanding_counts, ctx.clock.today())
        self.update(self.render_counts(counts))

    @staticmethod
    def render_counts(counts: dict[str, int]) -> Text:
        text = Text("未回収 ", no_wrap=True, overflow="crop")
        text.append(" / ".join(f"{band} {n}件" for band, n in counts.items()))
        text.append("  F8 一覧", style="dim")
        return text


def _outstanding_counts(today) -> dict[str, int]:
    # Imported here, in the worker's thread: the withdrawal service brings the loss and
    # collection rules, which the first screen does not need to be drawn.
    from clerk_tui.services.withdrawal import outstanding_counts

    return outstanding_counts(today)
