"""The list of 利用登録解除申請 (F7): filter by status and month, open the member, withdraw an
application before its effective date, print its 受付控, or take in a new one (受付)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from clerk_tui.domain.codes import CancellationStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import parse_month
from clerk_tui.services.applications import list_cancellations, withdraw_cancellation
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.screens.confirm import ConfirmScreen
from clerk_tui.ui.text import code_label, data_text, fit, status_cell, wareki, wareki_month, wareki_short
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput

TITLE = "利用登録解除申請の一覧"
ALL = "全て"
ALL_MONTHS = "全期間"
EMPTY = "該当する申請はありません。n で新しい申請を受け付けます。"
MONTH_PROMPT = "受付月を入力してください（例: R7.12、2025-12、令和7年12月）。空欄で全期間。"
# s cycles through these; None = every status.
STATUS_CYCLE: list[CancellationStatus | None] = [None, *CancellationStatus]


@dataclass(frozen=True)
class MonthChoice:
    month: date | None  # None: every month


class MonthPrompt(ModalScreen[MonthChoice | None]):
    """Asks for a month; Enter on an empty field clears the filter, Esc leaves it as it was."""

    DEFAULT_CSS = """
    MonthPrompt { align: center middle; }
    MonthPrompt > Vertical { width: 64; max-width: 100%; height: auto; border: ascii $primary;
                             background: $panel; padding: 0 1; }
    MonthPrompt Input { border: none; height: 1; padding: 0 1; margin-top: 1; background: $boost; }
    MonthPrompt Input:focus { border: none; background: $primary-muted; }
    MonthPrompt #month-error { height: auto; color: $text-error; text-style: bold; }
    MonthPrompt .prompt-keys { margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "やめる", id="month.cancel")]

    def __init__(self, current: date | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield JaText(Text(MONTH_PROMPT))
            yield ClerkInput(value=wareki_short(self.current)[:-3] if self.current else "", id="month")
            yield JaText(Text(""), id="month-error")
            yield Static(Text("Enter 決定    Esc やめる"), classes="prompt-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.dismiss(MonthChoice(None))
            return
        try:
            month = parse_month(event.value)
        except DomainError as exc:
            self.query_one("#month-error", JaText).set_text(Text(exc.message))
            return
        self.dismiss(MonthChoice(month))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ApplicationsTable(FittedTable):
    BINDING_GROUP_TITLE = "申請の一覧"
    BINDINGS = [Binding("enter", "select_cursor", "詳細", tooltip="申請した加入員の画面を開く",
                        id="applications.open")]


class ApplicationsScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    DEFAULT_CSS = """
    ApplicationsScreen #applications-title { height: 1; padding: 0 1; }
    ApplicationsScreen #applications-row { height: 1; padding: 0 1; background: $boost; }
    ApplicationsScreen #applications-message { height: auto; padding: 0 1; }
    ApplicationsScreen #applications-message.error { color: $text-error; text-style: bold; }
    ApplicationsScreen #applications-message.success { color: $text-success; }
    ApplicationsScreen #applications-message.hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "戻る", id="applications.back"),
        Binding("s", "cycle_status", "状態", tooltip="状態で絞り込む（全て・受付・確認書交付待ち・完了・取下げ）",
                id="applications.status"),
        Binding("m", "month", "受付月", tooltip="受付月で絞り込む（R7.12 / 2025-12）", id="applications.month"),
        Binding("x", "withdraw", "取下げ", tooltip="選んだ申請を取り下げる（解除予定日より前のみ）",
                id="applications.withdraw"),
        Binding("p", "print", "受付控", tooltip="選んだ申請の受付控（PDF）を出力する", id="applications.print"),
        Binding("n", "new", "新規受付", tooltip="記号・番号から新しい申請を受け付ける", id="applications.new"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status: CancellationStatus | None = None
        self.month: date | None = None
        self.rows: list = []  # RegistrationCancellation with its member, as listed

    def compose_body(self) -> ComposeResult:
        yield Static(id="applications-title")
        yield ApplicationsTable(id="applications-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="applications-row")
        yield JaText(Text(""), id="applications-message", classes="hint")
        yield ClerkFooter(show_command_palette=False)

    def on_screen_resume(self) -> None:
        # Also on return from a member or a new 受付: the list shows what is recorded now.
        self._load()

    # ------------------------------------------------------------------ loading and showing

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _load(self, keep_id: int | None = None) -> None:
        if keep_id is None:
            current = self._current()
            keep_id = current.id if current is not None else None
        # exclusive: a filter changed meanwhile cancels this read, so rows always match the filter.
        self.rows = await asyncio.to_thread(list_cancellations, status=self.status, month=self.month)
        self._fill(keep_id)

    def _title(self) -> Text:
        text = Text(TITLE, style="bold")
        text.append("  状態 ", style="dim")
        text.append(code_label(self.status) or ALL)
        text.append("  受付月 ", style="dim")
        text.append(wareki_month(self.month) if self.month else ALL_MONTHS)
        text.append(f"  {len(self.rows)}件")
        return text

    def _fill(self, keep_id: int | None = None) -> None:
        self.query_one("#applications-title", Static).update(self._title())
        table = self.query_one(ApplicationsTable)
        cells = [
            (Text(wareki_short(c.received_on)), Text(c.member_code), data_text(c.member_name),
             Text(wareki_short(c.effective_on)),
             status_cell(c.status))
            for c in self.rows
        ]
        table.fill(["受付日", "記号番号", "氏名", "解除予定日", "状態"], cells, flex=2,
                   keys=[str(c.id) for c in self.rows])
        ids = [c.id for c in self.rows]
        if keep_id in ids:
            table.move_cursor(row=ids.index(keep_id))
        table.focus()
        if not self.rows:
            self._say(Text(EMPTY), "hint")
        self._show_row()

    def _current(self):
        table = self.query_one(ApplicationsTable)
        if not self.rows or table.row_count == 0:
            return None
        index = table.cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    @on(DataTable.RowHighlighted, "#applications-table")
    def _highlighted(self) -> None:
        self._show_row()

    def _show_row(self) -> None:
        """Who applied and why, for the highlighted row: the table has no room for it at 80."""
        c = self._current()
        line = Text()
        if c is not None:
            line.append("申請者 ", style="dim")
            line.append_text(data_text(c.applicant_name))
            if c.proxy_name:
                line.append("  代理人 ", style="dim")
                line.append_text(data_text(c.proxy_name))
                line.append("（")
                line.append_text(data_text(c.proxy_relationship))
                line.append("）")
            if c.mismatch_accepted:
                line.append("  相違承知", style="bold")
            if c.withdrawn_on:
                line.append(f"  取下げ {wareki(c.withdrawn_on)}")
            if c.reason:
                line.append("  理由 ", style="dim")
                line.append_text(data_text(c.reason))
        width = max(self.app.size.width - 2, 20)
        self.query_one("#applications-row", Static).update(fit(line, width))

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted and self.rows:
            self._fill()

    def _say(self, text: Text, kind: str) -> None:
        message = self.query_one("#applications-message", JaText)
        message.remove_class("hint", "error", "success")
        message.add_class(kind)
        message.set_text(text)

    # ------------------------------------------------------------------ keys

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cycle_status(self) -> None:
        self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        self._say(Text(""), "hint")
        self._load()

    def action_month(self) -> None:
        def chosen(choice: MonthChoice | None) -> None:
            if choice is not None:
                self.month = choice.month
                self._say(Text(""), "hint")
                self._load()

        self.app.push_screen(MonthPrompt(self.month), callback=chosen)

    @on(DataTable.RowSelected, "#applications-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        c = self._current()
        if c is not None:
            self.app.open_member(c.member_id)  # type: ignore[attr-defined]

    def action_new(self) -> None:
        from clerk_tui.ui.screens.cancellation import CancellationScreen

        self.app.push_screen(CancellationScreen(None))

    def action_print(self) -> None:
        c = self._current()
        if c is not None:
            self._print(c.id)

    @work(group="print", exclusive=True, exit_on_error=False)
    async def _print(self, cancellation_id: int) -> None:
        from clerk_tui.services.letters import print_cancellation_receipt

        try:
            result = await asyncio.to_thread(print_cancellation_receipt, self.app.ctx, cancellation_id)
        except DomainError as exc:
            self._say(Text(exc.message), "error")
            return
        text = Text(result.message + "\n")
        text.append("ファイル: ", style="bold")
        text.append_text(data_text(str(result.path)))
        if result.print_message:
            text.append("\n" + result.print_message)
        self._say(text, "success")

    def action_withdraw(self) -> None:
        c = self._current()
        if c is None:
            return
        question = Text()
        question.append_text(data_text(c.member_name))
        question.append(f"（{c.member_code}）の利用登録解除申請"
                        f"（受付 {wareki(c.received_on)}、解除予定日 {wareki(c.effective_on)}）"
                        "を取り下げますか？\nマイナ保険証の利用登録は申請前の状態に戻ります。")

        def answered(yes: bool | None) -> None:
            if yes:
                self._withdraw(c.id, c.version)

        self.app.push_screen(ConfirmScreen(question), callback=answered)

    @work(group="withdraw", exclusive=True, exit_on_error=False)
    async def _withdraw(self, cancellation_id: int, version: int) -> None:
        try:
            done = await asyncio.to_thread(withdraw_cancellation, self.app.ctx, cancellation_id,
                                           expected_version=version)
        except DomainError as exc:
            self._say(Text(exc.message), "error")
            return
        self._say(Text(f"取り下げました（{wareki(done.withdrawn_on)}）。"
                       "マイナ保険証の利用登録は申請前の状態に戻しました。"), "success")
        self._load(keep_id=cancellation_id)
