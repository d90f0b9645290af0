"""The home screen: one input for whatever the caller gives; results follow the typing without
ever blocking it (every change is searched at once, an older search's result is dropped), and
Enter on a row opens the member."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Static

from clerk_tui.ui.text import (
    ACTIVE,
    DEPENDENT,
    FORMER_NAME_MARK,
    INSURED,
    LOST,
    NEW_SEARCH,
    NO_MATCH,
    SEARCH_HINT,
    card_status_short,
    count_text,
    data_text,
    fit,
    wareki,
    wareki_short,
)
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.outstanding_counts import OutstandingCounts
from clerk_tui.ui.widgets.text_input import ClerkInput

if TYPE_CHECKING:
    from clerk_tui.services.search import SearchResult, SearchRow

# From this width every column fits; below it カナ and 事業所 move to the line under the table.
WIDE_WIDTH = 120


class SearchInput(ClerkInput):
    BINDING_GROUP_TITLE = "検索欄"
    BINDINGS = [
        Binding("escape", "clear", "消去", id="search.clear"),
        Binding("enter", "submit", "結果へ", id="search.submit"),
        Binding("down", "screen.focus_results", "結果へ", show=False, id="search.down"),
    ]

    def action_clear(self) -> None:
        self.value = ""

    def start_new_search(self) -> None:
        """Empty the input and give it the focus now (not after a refresh): the keys that follow
        are then delivered to it."""
        self.value = ""
        self.screen.set_focus(self)


class ResultsTable(DataTable):
    BINDING_GROUP_TITLE = "検索結果の一覧"
    BINDINGS = [
        Binding("enter", "select_cursor", "開く", id="search.open"),
        Binding("escape", "screen.focus_query", "検索欄へ", id="search.back_to_query"),
    ]

    def redirect_typing(self, event: events.Key | events.Paste) -> None:
        """Back from a member, the clerk just types the next caller's name: a printable key or a
        paste that no key of this screen takes starts a new search in the input. Called by the
        app before it hands the event on (see ClerkApp.on_event), so the focus moves before the
        event is delivered and a burst (an IME commit, a paste, a barcode scanner) reaches the
        input whole and in order."""
        if isinstance(event, events.Key):
            if not (event.is_printable and event.character):
                return
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.enabled:
                return  # a key of this screen ("?" for the help) keeps working
        elif not event.text:
            return
        self.screen.query_one(SearchInput).start_new_search()


class SearchScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    BINDINGS = [
        # The app's keys; one id each, so a keymap moves both. On the home screen F2 does what
        # Esc does, so the footer's room goes to the register's two entry points instead.
        Binding("f2", "app.new_search", "新規検索", tooltip=NEW_SEARCH, show=False, id="app.new_search"),
        Binding("f3", "app.open_tool('enrol')", "資格取得", tooltip="資格取得届の受付", id="app.enrol"),
        Binding("f4", "app.open_tool('issue_queue')", "交付待ち", tooltip="交付待ちの一覧（事業所経由）",
                id="app.issue_queue"),
    ]

    def __init__(self) -> None:
        super().__init__(id="search")
        self._seq = 0  # bumped on every keystroke; a result for an older number is stale
        self._shown_seq = -1  # the query whose results are on screen
        self._focus_when_ready = False
        self._result: SearchResult | None = None
        self._resumed = False
        self._wide: bool | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="query-row"):
            yield Label("検索", id="query-label")
            yield SearchInput(placeholder="氏名・カナ・記号番号・生年月日・事業所", id="query",
                              select_on_focus=False)
        yield JaText(Text(SEARCH_HINT), id="search-message", classes="hint")
        yield ResultsTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static(id="row-detail")
        yield OutstandingCounts(id="outstanding-counts")  # R9: what is still to come back
        yield Footer()

    def on_screen_resume(self) -> None:
        # Back from a member or a list: returns may have been recorded meanwhile. (The first
        # resume is the start: the counts load themselves once mounted.)
        if self._resumed:
            self.query_one(OutstandingCounts).reload()
        self._resumed = True

    def on_mount(self) -> None:
        self._wide = self._is_wide()
        self._build_columns()
        self.query_one(SearchInput).focus()

    # ------------------------------------------------------------------ typing and querying

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._seq += 1
        self._focus_when_ready = False
        if not event.value.strip():
            self.workers.cancel_group(self, "search")
            self._show_result(None)
            self._shown_seq = self._seq
            return
        # No pause for the typing to stop: a search takes a few milliseconds even at a million
        # members, so each change is searched at once and the row appears as the name is typed.
        self._search(event.value, self._seq)

    @on(Input.Submitted, "#query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        if self._shown_seq == self._seq:
            self.action_focus_results()
        elif event.value.strip():
            # The clerk pressed Enter before the rows came: the search of this text is running
            # (every change starts one); move to the rows when it is shown.
            self._focus_when_ready = True

    @work(exclusive=True, group="search", exit_on_error=False)
    async def _search(self, text: str, seq: int) -> None:
        # exclusive=True cancels this worker when the next keystroke starts another one; a query
        # already running in its thread finishes unseen, and the number check below drops the
        # result of any search that is not the latest.
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return  # a later key came meanwhile: its own search follows
        result = await asyncio.to_thread(_search_members, self.app.ctx, text)
        if seq != self._seq:
            return
        self._shown_seq = seq
        self._show_result(result)
        if self._focus_when_ready:
            self._focus_when_ready = False
            self.action_focus_results()

    # ------------------------------------------------------------------ showing results

    def _show_result(self, result: SearchResult | None) -> None:
        self._result = result
        message = self.query_one("#search-message", JaText)
        table = self.query_one(ResultsTable)
        table.clear()
        message.remove_class("hint", "error", "notice", "count")
        if result is None:
            message.set_text(Text(SEARCH_HINT))
            message.add_class("hint")
        elif result.error:
            message.set_text(Text(result.error))
            message.add_class("error")
        elif not result.rows:
            message.set_text(Text(result.message or NO_MATCH))
            message.add_class("notice")
        else:
            text = Text(count_text(len(result.rows), result.more))
            if result.description:
                text.append("  ")
                text.append(result.description, style="dim")
            message.set_text(text)
            message.add_class("count")
            self._fill(table, result.rows)
        self._show_row_detail()

    def _is_wide(self) -> bool:
        return self.app.size.width >= WIDE_WIDTH

    def _columns(self) -> list[tuple[str, str, int | None]]:
        """(key, label, width); None = share of what is left."""
        if self._wide:
            return [("code", "記号番号", 11), ("name", "氏名", None), ("kana", "カナ", None),
                    ("birth", "生年月日", 16), ("kind", "続柄", 4), ("state", "状態", 4),
                    ("employer", "事業所", None), ("card", "マイナ保険証", 14)]
        return [("code", "記号番号", 11), ("name", "氏名", None), ("birth", "生年月日", 9),
                ("kind", "続柄", 4), ("state", "状態", 4), ("card", "マイナ保険証", 14)]

    def _widths(self) -> dict[str, int]:
        columns = self._columns()
        widths = {key: w for key, _, w in columns if w is not None}
        if self._result and self._result.rows:
            # Long 記号 or 番号 (up to 8 digits each) widen the column rather than being cut.
            longest = max(len(r.code) for r in self._result.rows)
            widths["code"] = max(widths["code"], min(longest, 20))
        flexible = [key for key, _, w in columns if w is None]
        # Each column has one cell of padding either side; one cell for the scrollbar.
        free = max(self.app.size.width, 80) - 1 - 2 * len(columns) - sum(widths.values())
        share = max(free // len(flexible), 8)
        widths.update(dict.fromkeys(flexible, share))
        return widths

    def _build_columns(self) -> None:
        table = self.query_one(ResultsTable)
        table.clear(columns=True)
        widths = self._widths()
        for key, label, _ in self._columns():
            table.add_column(Text(label), width=widths[key], key=key)

    def _fill(self, table: ResultsTable, rows: list[SearchRow]) -> None:
        self._build_columns()
        widths = self._widths()
        today = self.app.ctx.clock.today()
        for row in rows:
            cells = self._cells(row, today)
            fitted = {key: fit(cells[key], widths[key]) for key, _, _ in self._columns()}
            if row.former_name is not None:
                fitted["name"] = self._marked_name(cells["name"], widths["name"])
            table.add_row(*(fitted[key] for key, _, _ in self._columns()), key=str(row.member_id))
        table.move_cursor(row=0)

    @staticmethod
    def _marked_name(name: Text, width: int) -> Text:
        """The current name with the 旧氏名 mark after it; a long name is cut, never the mark."""
        mark = Text(FORMER_NAME_MARK, style="reverse")
        cell = fit(name, max(width - cell_len(FORMER_NAME_MARK) - 1, 1))
        cell.append(" ")
        cell.append_text(mark)
        return cell

    def _cells(self, row: SearchRow, today: date) -> dict[str, Text]:
        lost = row.lost_on is not None and row.lost_on <= today
        birth = wareki(row.birth_date, padded=True) if self._wide else wareki_short(row.birth_date)
        return {
            "code": Text(row.code),
            "name": data_text(row.name),
            "kana": data_text(row.name_kana),
            "birth": Text(birth),
            "kind": Text(INSURED if row.is_insured else DEPENDENT),
            "state": Text(LOST, style="bold reverse") if lost else Text(ACTIVE),
            "employer": data_text(row.employer_name),
            "card": Text(card_status_short(row.card_status)),
        }

    def on_resize(self, event: events.Resize) -> None:
        self._show_row_detail()
        wide = self._is_wide()
        if wide != self._wide:
            self._wide = wide
            if self._result is not None:
                self._show_result(self._result)
            else:
                self._build_columns()

    def _highlighted_row(self) -> SearchRow | None:
        table = self.query_one(ResultsTable)
        if self._result is None or not self._result.rows or table.row_count == 0:
            return None
        index = table.cursor_row
        return self._result.rows[index] if 0 <= index < len(self._result.rows) else None

    @on(DataTable.RowHighlighted, "#results")
    def _row_highlighted(self) -> None:
        self._show_row_detail()

    def _show_row_detail(self) -> None:
        """カナ, 続柄 and 事業所 of the highlighted row: at 80 columns the table has no room for them."""
        detail = self.query_one("#row-detail", Static)
        row = self._highlighted_row()
        if row is None:
            detail.update(Text())
            return
        first = Text()
        first.append("カナ ", style="dim")
        first.append_text(data_text(row.name_kana))
        first.append("  続柄 ", style="dim")
        first.append(row.relationship_label)
        first.append("  生年月日 ", style="dim")
        first.append(wareki(row.birth_date))
        second = Text()
        if row.former_name is not None:
            # Found through this name only: the caller gave it, so it comes before the rest.
            second.append(f"{FORMER_NAME_MARK} ", style="dim")
            second.append_text(data_text(row.former_name))
            second.append("（")
            second.append_text(data_text(row.former_name_kana))
            second.append("）  ")
        if row.lost_on is not None:
            lost = row.lost_on <= self.app.ctx.clock.today()
            second.append("喪失日 " if lost else "喪失予定日 ", style="dim")
            second.append(wareki(row.lost_on), style="bold reverse" if lost else "")
            second.append("  ")
        second.append("事業所 ", style="dim")
        second.append_text(data_text(row.employer_name))
        width = max(self.app.size.width - 2, 20)  # one cell of padding either side
        detail.update(Text("\n").join([fit(first, width), fit(second, width)]))

    # ------------------------------------------------------------------ moving and opening

    def action_focus_results(self) -> None:
        table = self.query_one(ResultsTable)
        if table.row_count:
            table.focus()

    def action_focus_query(self) -> None:
        self.query_one(SearchInput).focus()

    def start_new_search(self) -> None:
        self.query_one(SearchInput).start_new_search()

    @on(DataTable.RowSelected, "#results")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.open_member(int(event.row_key.value))  # type: ignore[attr-defined]


def _search_members(ctx, text: str) -> SearchResult:
    # Imported on the first search, in the worker's thread, not before the screen is drawn.
    from clerk_tui.services.search import search_members

    return search_members(ctx, text)
