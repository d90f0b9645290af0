"""交付待ち (F4): the お知らせ and 資格確認書 queued for issue via the employer after an enrolment,
a 扶養追加 or a change, by employer. Enter opens the member; the per-employer batch (F6) issues them."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from clerk_tui.services.issue_queue import PENDING_LIST_LIMIT, pending_list
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.text import code_label, data_text, wareki_short
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText

TITLE = "交付待ち（事業所経由）"
EMPTY = "交付待ちの書類はありません。"
HINT = "Enter で加入員を開きます。交付は事業所ごとの一括交付（F6）で行います。"


class IssueQueueTable(FittedTable):
    BINDING_GROUP_TITLE = "交付待ちの一覧"
    BINDINGS = [Binding("enter", "select_cursor", "開く", tooltip="この加入員の画面を開く", id="issue_queue.open")]


class IssueQueueScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    DEFAULT_CSS = """
    IssueQueueScreen #issue-queue-title { height: 1; padding: 0 1; }
    IssueQueueScreen #issue-queue-row { height: 1; padding: 0 1; background: $boost; }
    IssueQueueScreen #issue-queue-message { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "戻る", id="issue_queue.back"),
        Binding("r", "reload", "再読込", id="issue_queue.reload"),
        Binding("7", "turning_70", "70歳到達",
                tooltip="70歳到達の一覧（月ごとに新しい負担割合のお知らせ・資格確認書を交付待ちに）",
                id="issue_queue.turning_70"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []

    def compose_body(self) -> ComposeResult:
        yield Static(Text(TITLE, style="bold"), id="issue-queue-title")
        yield IssueQueueTable(id="issue-queue-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="issue-queue-row")
        yield JaText(Text(HINT), id="issue-queue-message")
        yield ClerkFooter(show_command_palette=False)

    def on_screen_resume(self) -> None:
        self._load()  # also on return from a member: what waits now

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        self.rows = await asyncio.to_thread(pending_list, self.app.ctx)
        self._fill()

    def _fill(self) -> None:
        title = Text(TITLE, style="bold")
        more = "以上" if len(self.rows) >= PENDING_LIST_LIMIT else ""
        title.append(f"  {len(self.rows)}件{more}")
        self.query_one("#issue-queue-title", Static).update(title)
        cells = [(Text(r.employer_code), Text(r.member_code), data_text(r.full_name), Text(code_label(r.kind)),
                  Text(code_label(r.cause)), Text(wareki_short(r.queued_on))) for r in self.rows]
        table = self.query_one(IssueQueueTable)
        table.fill(["事業所", "記号番号", "氏名", "書類", "事由", "登録日"], cells, flex=2, optional=[4],
                   keys=[str(r.id) for r in self.rows])
        table.focus()
        self.query_one("#issue-queue-message", JaText).set_text(Text(HINT if self.rows else EMPTY))
        self._show_row()

    def _current(self):
        table = self.query_one(IssueQueueTable)
        if not self.rows or table.row_count == 0:
            return None
        index = table.cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    @on(DataTable.RowHighlighted, "#issue-queue-table")
    def _highlighted(self) -> None:
        self._show_row()

    def _show_row(self) -> None:
        """The employer's name of the highlighted row: the table has room for its code only."""
        r = self._current()
        line = Text()
        if r is not None:
            line.append("事業所 ", style="dim")
            line.append_text(data_text(r.employer_name))
            line.append(f"  事由 {code_label(r.cause)}", style="dim")
        self.query_one("#issue-queue-row", Static).update(line)

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted and self.rows:
            self._fill()

    @on(DataTable.RowSelected, "#issue-queue-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        r = self._current()
        if r is not None:
            self.app.open_member(r.member_id)  # type: ignore[attr-defined]

    def action_turning_70(self) -> None:
        from clerk_tui.ui.screens.turning70 import Turning70Screen

        self.app.push_screen(Turning70Screen())  # the list is read again on return

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self._load()
