"""A lost document turned up (R8, R9): choose the member's 滅失届, the date it was found, and
whether it was handed back; the record then shows it (発見) and a returned document is 返却済."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.services.applications import record_found
from clerk_tui.services.members import reload_member
from clerk_tui.ui.text import code_label, wareki
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.tick import Tick


class FoundScreen(ClerkScreen):
    DEFAULT_CSS = """
    FoundScreen #found-title { padding: 0 1; }
    FoundScreen #found-form { height: auto; padding: 0 1; }
    /* One-line field without the tall border's block characters (ambiguous width). */
    FoundScreen #found-form Input { border: none; height: 1; padding: 0 1; background: $boost; }
    FoundScreen #found-table { height: 6; }
    FoundScreen #found-message { height: auto; padding: 0 1; }
    FoundScreen #found-message.-error { color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "back", "戻る", id="found.back"),
        Binding("ctrl+s", "save", "記録", id="found.save"),
    ]

    def __init__(self, member_id: int) -> None:
        super().__init__()
        self.member_id = member_id
        self.reports: list = []
        self.saving = False

    def compose_body(self) -> ComposeResult:
        ctx = self.app.ctx
        yield Static(Text("滅失した書類の発見", style="bold"), id="found-title")
        yield FittedTable(id="found-table", cursor_type="row")
        with Vertical(id="found-form"):
            yield Static(Text("発見日"))
            yield DateInput(value=ctx.clock.today(), id="found-on")
            yield Tick("書類を返却された（返却済にする）", value=True, id="found-returned")
        yield Static("", id="found-message")
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True)
    async def _load(self) -> None:
        detail = await asyncio.to_thread(reload_member, self.app.ctx, self.member_id)
        self.reports = [r for r in detail.loss_reports if r.member_id == self.member_id and r.found_on is None]
        table = self.query_one(FittedTable)
        table.fill(["書類", "滅失日", "受付日", "状況"], [
            (Text(code_label(r.document_kind)), Text(wareki(r.lost_on)), Text(wareki(r.received_on)),
             Text(code_label(r.circumstance))) for r in self.reports], flex=0)
        if not self.reports:
            self._message("この方の未発見の滅失届はありません。", error=True)
        else:
            self._message("どの書類が見つかったかを選び、Ctrl+S で記録します。")
            table.focus()

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#found-message", Static)
        message.set_class(error, "-error")
        message.update(Text(text))

    def action_save(self) -> None:
        if self.saving or not self.reports:
            return
        found_on = self.query_one(DateInput)
        if found_on.value is None:
            self._message(found_on.error or "発見日を入力してください。", error=True)
            return
        report = self.reports[self.query_one(FittedTable).cursor_row]
        self.saving = True
        self._save(report.id, report.version, found_on.value, self.query_one(Tick).value)

    @work(exclusive=True, group="save")
    async def _save(self, report_id: int, version: int, found_on, returned: bool) -> None:
        try:
            await asyncio.to_thread(record_found, self.app.ctx, report_id, found_on=found_on,
                                    returned=returned, expected_version=version)
        except DomainError as exc:
            self.saving = False
            self._message(exc.message, error=True)
            return
        self.dismiss(True)

    def action_back(self) -> None:
        if not self.saving:
            self.dismiss(False)
