"""70歳到達: the people whose 70–74 負担割合 starts on the 1st of a month (members turning 70, and
the 70–74 dependents whose ratio follows an insured person turning 70), listed with the ratio
and the documents they need; the chosen ones get a new お知らせ (and 資格確認書 when they hold one)
queued for issue via the employer (交付待ち) with the 発効期日, in one go (R5, R19)."""

from __future__ import annotations

import asyncio
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from clerk_tui.domain import rules
from clerk_tui.domain.codes import DocumentKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import parse_month
from clerk_tui.services.seventy import TurningSeventyRow, members_turning_70, record_turning_70
from clerk_tui.ui.screens.base import RECORDING, ClerkScreen
from clerk_tui.ui.text import data_text, date_cell, member_kind, wareki, wareki_month, wareki_short_month
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput

UNKNOWN_RATIO = "未登録"
_DOCS = {DocumentKind.ELIGIBILITY_NOTICE: "お知らせ", DocumentKind.ELIGIBILITY_CERTIFICATE: "確認書"}


def ratio_text(row: TurningSeventyRow) -> str:
    """3割->2割; 未登録 when the ratio cannot be decided (nothing can be queued)."""
    return UNKNOWN_RATIO if row.new_ratio is None else f"{row.old_ratio}割->{row.new_ratio}割"


def state_text(row: TurningSeventyRow) -> str:
    return "登録済" if row.done else ""


class Turning70Table(FittedTable):
    BINDING_GROUP_TITLE = "70歳到達の一覧"
    BINDINGS = [
        Binding("space", "screen.toggle", "選択", tooltip="この方を選ぶ・外す", id="turning70.toggle"),
        Binding("enter", "screen.toggle", "選択", show=False, id="turning70.toggle_enter"),
    ]


class Turning70Screen(ClerkScreen):
    BINDINGS = [
        Binding("escape", "back", "戻る", id="turning70.back"),
        Binding("a", "toggle_all", "全選択", tooltip="交付待ちにできる方を全員選ぶ（全員選択中なら全員外す）",
                id="turning70.all"),
        Binding("ctrl+s", "record", "交付待ちに",
                tooltip="選んだ方の新しいお知らせ・資格確認書を交付待ち（事業所経由）にする",
                id="turning70.record"),
    ]
    DEFAULT_CSS = """
    #t70-title { padding: 0 1; text-style: bold; }
    #t70-month-row { height: 1; }
    #t70-month-row Label { width: 12; padding: 0 1; text-style: bold; }
    #t70-month, #t70-month:focus { border: none; height: 1; width: 20; padding: 0 1; background: $boost; }
    #t70-month:focus { background: $primary-muted; }
    #t70-echo { width: 1fr; padding: 0 1; color: $text-muted; }
    #t70-echo.-error { color: $text-error; text-style: bold; }
    #t70-message { padding: 0 1; }
    #t70-message.error { color: $text-error; text-style: bold; }
    #t70-message.done { color: $text-success; text-style: bold; }
    #t70-table { height: 1fr; }
    #t70-detail { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.month: date | None = None
        self.rows: list[TurningSeventyRow] = []
        self.selected: set[int] = set()
        self._busy = False
        self._seq = 0
        self._note: tuple[Text, str] | None = None  # the last recording's outcome, kept over a reload

    def compose_body(self) -> ComposeResult:
        ctx = self.app.ctx
        # Run in the month before: the documents must reach the member before the ratio starts.
        next_month = rules.first_day_of_next_month(ctx.clock.today())
        yield Static(Text("70歳到達による負担割合の変更（お知らせ・資格確認書の交付待ち）"), id="t70-title")
        with Horizontal(id="t70-month-row"):
            yield Label("発効月")
            yield ClerkInput(value=wareki_short_month(next_month), placeholder="例: R7.12", id="t70-month")
            yield Static("", id="t70-echo")
        yield JaText(Text(""), id="t70-message")
        yield Turning70Table(id="t70-table", cursor_type="row", zebra_stripes=True)
        yield JaText(Text(""), id="t70-detail")
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self._read_month(self.query_one("#t70-month", Input).value)
        self.query_one("#t70-table").focus()

    @on(Input.Changed, "#t70-month")
    def _month_changed(self, event: Input.Changed) -> None:
        self._read_month(event.value)

    @on(Input.Submitted, "#t70-month")
    def _month_submitted(self) -> None:
        self.query_one("#t70-table").focus()

    def _read_month(self, text: str) -> None:
        echo = self.query_one("#t70-echo", Static)
        try:
            month = parse_month(text, field="month")
        except DomainError as exc:
            self._seq += 1  # a list still loading for the previous month is not shown
            self.month = None
            echo.set_class(True, "-error")
            echo.update(Text(exc.message))
            self.rows, self.selected = [], set()
            self._fill()
            return
        echo.set_class(False, "-error")
        echo.update(Text(wareki_month(month)))
        if month != self.month:
            self._seq += 1
            self.month = month
            self.selected = set()
            self._note = None
            self._load(month, self._seq)

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self, month: date, seq: int) -> None:
        # As the 75歳到達 list: every month typed is listed at once (it reads the members born in
        # two months and their families); a result for an older month is dropped by the number.
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return
        rows = await asyncio.to_thread(members_turning_70, month)
        if seq != self._seq:
            return
        self.rows = rows
        self.selected &= {r.member.id for r in rows if r.to_queue}
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(Turning70Table)
        cursor = table.cursor_row
        rows = []
        for r in self.rows:
            m = r.member
            mark = "[x]" if m.id in self.selected else ("[ ]" if r.to_queue else " - ")
            rows.append((Text(mark, style="bold"), Text(m.member_code), data_text(m.full_name),
                         Text(member_kind(m, short=True)), date_cell(m.birth_date), Text(ratio_text(r)),
                         Text("・".join(_DOCS[k] for k in r.kinds)), Text(state_text(r))))
        # The name gives way (cut) last; the birth date is left out first.
        table.fill(["選択", "記号番号", "氏名", "続柄", "生年月日", "負担割合", "書類", "状態"], rows, flex=2,
                   optional=[4], keys=[str(r.member.id) for r in self.rows])
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
        self._show_message()
        self._show_detail()
        self.refresh_bindings()

    def _show_message(self) -> None:
        message = self.query_one("#t70-message", JaText)
        message.remove_class("error", "done")
        if self._note is not None:
            text, kind = self._note
            message.add_class(kind)
            message.set_text(text)
            return
        if self.month is None:
            message.set_text(Text("発効月を入力してください（例: R7.12、令和7年12月）。"))
            return
        ready = sum(1 for r in self.rows if r.to_queue)
        text = Text(f"発効期日{wareki(self.month)}: {len(self.rows)}名（交付待ちにできる方 {ready}名、"
                    f"選択 {len(self.selected)}名）。")
        if ready:
            text.append("Space で選び Ctrl+S で交付待ちに。")
        message.set_text(text)

    def _highlighted(self) -> TurningSeventyRow | None:
        table = self.query_one(Turning70Table)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#t70-table")
    def _row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self._highlighted()
        detail = self.query_one("#t70-detail", JaText)
        if row is None:
            detail.set_text(Text(""))
            return
        why = "70歳到達" if row.turns_70 else "被保険者の70歳到達に伴う変更"
        text = Text(f"{why}。{row.reason}")
        if row.new_ratio is None:
            text.append("。標準報酬月額などを登録してから交付待ちにしてください。")
        elif row.done:
            text.append("。書類は交付待ち（または交付済み）です。")
        detail.set_text(text)

    def action_toggle(self) -> None:
        row = self._highlighted()
        if row is None or self._busy:
            return
        table = self.query_one(Turning70Table)
        next_row = table.cursor_row + 1
        if row.to_queue:
            self._note = None
            self.selected ^= {row.member.id}
            self._fill()
        if next_row < len(self.rows):  # on to the next person, as a clerk ticks down a list
            table.move_cursor(row=next_row)

    def action_toggle_all(self) -> None:
        if self._busy:
            return
        self._note = None
        ids = {r.member.id for r in self.rows if r.to_queue}
        self.selected = set() if ids and self.selected == ids else ids
        self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            return True if self.selected and not self._busy else None
        return True

    def action_record(self) -> None:
        if not self.selected or self._busy or self.month is None:
            return
        ids = [r.member.id for r in self.rows if r.member.id in self.selected]
        self._busy = True
        self.refresh_bindings()
        self.query_one("#t70-message", JaText).set_text(Text(RECORDING))
        self._record(self.month, ids)

    @work(exclusive=True, group="record", exit_on_error=False)
    async def _record(self, month: date, ids: list[int]) -> None:
        try:
            result = await asyncio.to_thread(record_turning_70, self.app.ctx, month, ids)
        except DomainError as exc:
            # Each member is its own transaction: those before the refusal are queued and show
            # as such on the reload below.
            self._note = (Text(f"{exc.message}（それより前の方は交付待ちにしました）"), "error")
        else:
            text = f"{result.members}名の書類{result.documents}件を交付待ちにしました（発効期日{wareki(month)}）。"
            if result.skipped:
                text += f"{result.skipped}名は交付待ちにしませんでした（登録済みまたは対象外）。"
            self._note = (Text(text), "done")
        finally:
            self._busy = False
            self.selected = set()
            self.refresh_bindings()
        if self.month is not None:
            self._seq += 1
            self._load(self.month, self._seq)

    def action_back(self) -> None:
        if not self._busy:
            self.dismiss(None)
