"""75歳到達: the members whose 75th birthday falls in a month (they move to the 後期高齢者医療制度),
listed and recorded as losses in one go."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from clerk_tui.domain import rules
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import parse_month
from clerk_tui.services.rows import MemberRow
from clerk_tui.services.withdrawal import members_reaching_75, record_reaching_75
from clerk_tui.ui.screens.base import RECORDING, ClerkScreen
from clerk_tui.ui.text import (
    data_text,
    date_cell,
    member_kind,
    wareki_month,
    wareki_short_month,
)
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput


@dataclass(frozen=True)
class Reaching75Row:
    member: MemberRow
    lost_on: date  # the 75th birthday
    employer_name: str


class Reaching75Table(FittedTable):
    BINDING_GROUP_TITLE = "75歳到達の一覧"
    BINDINGS = [
        Binding("space", "screen.toggle", "選択", tooltip="この方を選ぶ・外す", id="reaching75.toggle"),
        Binding("enter", "screen.toggle", "選択", show=False, id="reaching75.toggle_enter"),
    ]


class Reaching75Screen(ClerkScreen):
    BINDINGS = [
        Binding("escape", "back", "戻る", id="reaching75.back"),
        Binding("a", "toggle_all", "全選択", tooltip="全員を選ぶ（全員選択中なら全員外す）", id="reaching75.all"),
        Binding("ctrl+s", "record", "記録", tooltip="選んだ方の75歳到達による資格喪失を記録する",
                id="reaching75.record"),
    ]
    DEFAULT_CSS = """
    #r75-title { padding: 0 1; text-style: bold; }
    #r75-month-row { height: 1; }
    #r75-month-row Label { width: 12; padding: 0 1; text-style: bold; }
    #r75-month, #r75-month:focus { border: none; height: 1; width: 20; padding: 0 1; background: $boost; }
    #r75-month:focus { background: $primary-muted; }
    #r75-echo { width: 1fr; padding: 0 1; color: $text-muted; }
    #r75-echo.-error { color: $text-error; text-style: bold; }
    #r75-message { padding: 0 1; }
    #r75-message.error { color: $text-error; text-style: bold; }
    #r75-message.done { color: $text-success; text-style: bold; }
    #r75-table { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.month: date | None = None
        self.rows: list[Reaching75Row] = []
        self.selected: set[int] = set()
        self._busy = False
        self._seq = 0
        self._note: tuple[Text, str] | None = None  # the last recording's outcome, kept over a reload

    def compose_body(self) -> ComposeResult:
        ctx = self.app.ctx
        yield Static(Text("75歳到達による資格喪失（後期高齢者医療制度へ）"), id="r75-title")
        with Horizontal(id="r75-month-row"):
            yield Label("到達月")
            yield ClerkInput(value=wareki_short_month(ctx.clock.today()), placeholder="例: R7.12",
                        id="r75-month")
            yield Static("", id="r75-echo")
        yield JaText(Text(""), id="r75-message")
        yield Reaching75Table(id="r75-table", cursor_type="row", zebra_stripes=True)
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self._read_month(self.query_one("#r75-month", Input).value)
        self.query_one("#r75-table").focus()

    @on(Input.Changed, "#r75-month")
    def _month_changed(self, event: Input.Changed) -> None:
        self._read_month(event.value)

    @on(Input.Submitted, "#r75-month")
    def _month_submitted(self) -> None:
        self.query_one("#r75-table").focus()

    def _read_month(self, text: str) -> None:
        echo = self.query_one("#r75-echo", Static)
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
        # Every month typed is listed at once, without waiting for the typing to stop: the list
        # reads the members born in one month (1 ms at 10,000 members), so loads never queue up
        # behind the keys. exclusive=True cancels this worker on the next change; one already in
        # its thread finishes unseen, and the number check drops it.
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return  # a later change came meanwhile: its own load follows

        def read() -> list[Reaching75Row]:
            # The employer is read here, in the thread, not lazily while drawing the table.
            return [Reaching75Row(m, rules.loss_on_reaching_75(m.birth_date), m.employer_name or "")
                    for m in members_reaching_75(month)]

        rows = await asyncio.to_thread(read)
        if seq != self._seq:
            return
        self.rows = rows
        self.selected &= {r.member.id for r in rows}
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(Reaching75Table)
        cursor = table.cursor_row
        rows = []
        for r in self.rows:
            m = r.member
            rows.append((Text("[x]" if m.id in self.selected else "[ ]", style="bold"), date_cell(r.lost_on),
                         Text(m.member_code), data_text(m.full_name),
                         Text(member_kind(m, short=True)),
                         date_cell(m.birth_date), data_text(r.employer_name)))
        # The employer's name gives way (cut), never the person's.
        table.fill(["選択", "喪失日", "記号番号", "氏名", "続柄", "生年月日", "事業所"], rows, flex=6,
                   keys=[str(r.member.id) for r in self.rows])
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
        self._show_message()
        self.refresh_bindings()

    def _show_message(self) -> None:
        message = self.query_one("#r75-message", JaText)
        message.remove_class("error", "done")
        if self._note is not None:
            text, kind = self._note
            message.add_class(kind)
            message.set_text(text)
            return
        if self.month is None:
            message.set_text(Text("到達月を入力してください（例: R7.12、令和7年12月）。"))
            return
        text = Text(f"{wareki_month(self.month)}に75歳になる方 {len(self.rows)}名（選択 {len(self.selected)}名）。")
        if self.rows:
            text.append("75歳の誕生日に資格を失い、被保険者の家族も同じ日に資格を失います。Space で選び Ctrl+S で記録。")
        message.set_text(text)

    def _highlighted(self) -> Reaching75Row | None:
        table = self.query_one(Reaching75Table)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_toggle(self) -> None:
        row = self._highlighted()
        if row is None or self._busy:
            return
        self._note = None
        self.selected ^= {row.member.id}
        table = self.query_one(Reaching75Table)
        next_row = table.cursor_row + 1
        self._fill()
        if next_row < len(self.rows):  # on to the next person, as a clerk ticks down a list
            table.move_cursor(row=next_row)

    def action_toggle_all(self) -> None:
        if self._busy:
            return
        self._note = None
        ids = {r.member.id for r in self.rows}
        self.selected = set() if ids and self.selected == ids else ids
        self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            return True if self.selected and not self._busy else None
        return True

    def action_record(self) -> None:
        if not self.selected or self._busy:
            return
        ids = [r.member.id for r in self.rows if r.member.id in self.selected]
        self._busy = True
        self.refresh_bindings()
        message = self.query_one("#r75-message", JaText)
        message.set_text(Text(RECORDING))
        self._record(ids)

    @work(exclusive=True, group="record", exit_on_error=False)
    async def _record(self, ids: list[int]) -> None:
        try:
            results = await asyncio.to_thread(record_reaching_75, self.app.ctx, ids)
        except DomainError as exc:
            # Each member is its own transaction: those before the refusal are recorded and
            # leave the list on the reload below.
            self._note = (Text(f"{exc.message}（それより前に記録できた方は一覧から消えています）"), "error")
        else:
            people = sum(len(p.people) for p in results)
            items = sum(len(p.collect) for p in results)
            self._note = (Text(f"{len(results)}名の75歳到達による資格喪失を記録しました（家族を含め{people}名、"
                               f"回収対象{items}件）。"), "done")
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
