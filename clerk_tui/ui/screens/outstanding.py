"""未回収一覧 (R9): the documents still to come back, by employer and age; returns, closures with a
滅失届 / 回収不能届, and the 督促状 per employer, all from the keyboard."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from clerk_tui.domain.codes import CollectionStatus, ReturnVia
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.withdrawal import close_item, outstanding, outstanding_counts, record_return
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.screens.form import choice_field, date_field, text_field
from clerk_tui.ui.screens.form_dialog import FormDialog
from clerk_tui.ui.text import code_choices, code_label, data_text, fit, wareki, wareki_short
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput


@dataclass(frozen=True)
class Row:
    """One outstanding item as the list shows it (read in the worker's thread, not while drawing)."""

    item_id: int
    version: int
    member_id: int
    member_code: str
    member_name: str
    document: str
    lost_on: date
    days: int
    reminder_sent_on: date | None
    employer_id: int
    employer_code: str
    employer_name: str
    name_change: bool = False  # due back after a 氏名変更: its date is the change's

    @property
    def date_label(self) -> str:
        return "変更日" if self.name_change else "喪失日"


def _read(today: date) -> tuple[list[Row], dict[str, int]]:
    rows = [Row(item_id=r.item.id, version=r.item.version, member_id=r.member.id,
                member_code=r.member.member_code, member_name=r.member.full_name,
                document=r.document_label, lost_on=r.item.lost_on, days=r.days,
                reminder_sent_on=r.item.reminder_sent_on, employer_id=r.employer.id,
                employer_code=r.employer.code, employer_name=r.employer.name, name_change=r.name_change)
            for r in outstanding(today)]
    return rows, outstanding_counts(today)


def _age(days: int) -> str:
    # A loss recorded ahead of its date is listed before the date comes: no negative ages.
    return f"{days}日経過" if days >= 0 else "喪失前"


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def _summary(row: Row) -> Text:
    text = Text()
    text.append_text(data_text(row.member_name))
    text.append(f"（{row.member_code}）の{row.document}\n")
    text.append("氏名変更日 " if row.name_change else "資格喪失日 ", style="dim")
    text.append(f"{wareki(row.lost_on)}（{_age(row.days)}）  ")
    text.append("事業所 ", style="dim")
    text.append_text(data_text(f"{row.employer_code} {row.employer_name}"))
    return text


class ReturnDialog(FormDialog):
    FORM_TITLE = "返却の受付"
    FIELDS = (
        date_field("returned_on", "返却日", id="return-date", today=True),
        choice_field("via", "経由", code_choices(ReturnVia), id="return-via", value=ReturnVia.EMPLOYER),
        text_field("condition", "状態", id="return-condition", max_len=100, placeholder="例: 破損あり（任意）"),
    )

    def __init__(self, row: Row) -> None:
        super().__init__(_summary(row))
        self.row = row

    def build_input(self) -> dict:
        returned_on = self.value("returned_on")
        if returned_on is None:
            raise DomainError("返却日を入力してください。", field="returned_on")
        return {"returned_on": returned_on, "via": self.value("via"), "condition": self.value("condition")}

    def service_call(self, data: dict) -> Callable[[], object]:
        return partial(record_return, self.app.ctx, self.row.item_id, expected_version=self.row.version,  # type: ignore[attr-defined]
                       **data)


class CloseDialog(FormDialog):
    FORM_TITLE = "回収の終了（滅失届・回収不能届）"
    FIELDS = (
        choice_field("status", "届出", [(label + "届", code) for label, code in
                                       code_choices((CollectionStatus.LOST, CollectionStatus.UNRECOVERABLE))],
                     id="close-status"),
        text_field("reason", "理由", id="close-reason", max_len=200, placeholder="例: 本人と連絡が取れない（必須）"),
    )

    def __init__(self, row: Row) -> None:
        super().__init__(_summary(row))
        self.row = row

    def build_input(self) -> dict:
        status = self.value("status")
        reason = self.value("reason").strip()
        if status is None:
            raise DomainError("滅失届か回収不能届かを数字キーで選んでください。", field="status")
        if not reason:
            raise DomainError("理由を入力してください。", field="reason")
        return {"status": status, "reason": reason}

    def service_call(self, data: dict) -> Callable[[], object]:
        return partial(close_item, self.app.ctx, self.row.item_id, expected_version=self.row.version,  # type: ignore[attr-defined]
                       **data)


class OutstandingTable(FittedTable):
    BINDING_GROUP_TITLE = "未回収の一覧"
    BINDINGS = [Binding("enter", "screen.record_return", "返却", tooltip="この書類の返却を受け付ける",
                        id="outstanding.return")]


class FilterInput(ClerkInput):
    BINDING_GROUP_TITLE = "事業所の絞込"
    BINDINGS = [Binding("escape", "screen.close_filter", "やめる", id="outstanding.filter_cancel")]


class OutstandingScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    BINDINGS = [
        Binding("escape", "back", "戻る", id="outstanding.back"),
        Binding("d", "close_item", "回収終了", tooltip="滅失届・回収不能届で回収を終える（要理由）",
                id="outstanding.close"),
        Binding("p", "print_reminder", "督促状", tooltip="この事業所あての督促状を出力し督促日を記録",
                id="outstanding.reminder"),
        Binding("o", "open_member", "加入員", tooltip="この書類の加入員を開く", id="outstanding.open"),
        Binding("e", "filter", "絞込", tooltip="事業所コードで絞り込む（空で全件）", id="outstanding.filter"),
        Binding("7", "reaching_75", "75歳", tooltip="75歳到達の一覧（月ごとに資格喪失を記録）",
                id="outstanding.reaching_75"),
        # Beside the 75 list in the key list and the palette; the footer has no room left (F4
        # 交付待ち shows it as 7).
        Binding("8", "turning_70", "70歳", tooltip="70歳到達の一覧（月ごとに新しい負担割合の書類を交付待ちに）",
                show=False, id="outstanding.turning_70"),
        Binding("s", "sort", "並べ替え", tooltip="事業所順と経過日数順を切り替える", show=False,
                id="outstanding.sort"),
        Binding("r", "reload", "再読込", show=False, id="outstanding.reload"),
    ]
    DEFAULT_CSS = """
    #os-counts { padding: 0 1; height: auto; }
    #os-filter-row { height: 1; display: none; }
    #os-filter-row.-open { display: block; }
    #os-filter-row Label { width: auto; padding: 0 1; text-style: bold; }
    #os-filter, #os-filter:focus { border: none; height: 1; width: 1fr; padding: 0 1; background: $boost; }
    #os-filter:focus { background: $primary-muted; }
    #os-table { height: 1fr; }
    #os-detail { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    #os-detail.error { color: $text-error; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[Row] = []
        self.rows: list[Row] = []
        self.counts: dict[str, int] = {}
        self.employer_filter = ""
        self.by_age = False
        self._printing = False
        self._note: Text | None = None  # the last action's outcome, shown until the cursor moves
        self._note_item: int | None = None  # the row it was shown on
        self._loaded = False

    def compose_body(self) -> ComposeResult:
        yield Static(Text("未回収 読み込み中"), id="os-counts")
        with Horizontal(id="os-filter-row"):
            yield Label("事業所コード")
            yield FilterInput(placeholder="例: E001（事業所名の一部でも可。空で全件）", id="os-filter")
        yield OutstandingTable(id="os-table", cursor_type="row", zebra_stripes=True)
        yield JaText(Text(""), id="os-detail")
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(OutstandingTable).focus()

    def on_screen_resume(self) -> None:
        # Back from a dialog, a member or the 75 list: show what is outstanding now.
        self.action_reload()

    # ------------------------------------------------------------------ loading and showing

    def action_reload(self) -> None:
        self._load()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self) -> None:
        rows, counts = await asyncio.to_thread(_read, self.app.ctx.clock.today())
        self.all_rows, self.counts = rows, counts
        self._loaded = True
        self._show()

    def _filtered(self) -> list[Row]:
        rows = self.all_rows
        key = _normal(self.employer_filter)
        if key:
            rows = [r for r in rows if _normal(r.employer_code) == key or key in _normal(r.employer_name)]
        if self.by_age:
            rows = sorted(rows, key=lambda r: (-r.days, r.employer_code))
        return rows

    def _show(self) -> None:
        table = self.query_one(OutstandingTable)
        current = self._highlighted()
        cursor = table.cursor_row
        self.rows = self._filtered()
        cells = []
        previous = None
        for r in self.rows:
            # Grouped by employer: the code only on the group's first row, so groups stand out.
            first = self.by_age or r.employer_code != previous
            previous = r.employer_code
            cells.append((Text(r.employer_code if first else "", style="bold"),
                          data_text(r.employer_name if first else ""), Text(r.member_code),
                          data_text(r.member_name), Text(r.document), Text(wareki_short(r.lost_on)),
                          Text(f"{r.days}日" if r.days >= 0 else "喪失前", justify="right"),
                          Text(wareki_short(r.reminder_sent_on)) if r.reminder_sent_on else Text("")))
        table.fill(["事業所", "事業所名", "記号番号", "氏名", "書類", "喪失日", "経過日数", "督促日"], cells,
                   flex=3, optional=[1], caps={1: 24}, keys=[str(r.item_id) for r in self.rows])
        if self.rows:
            ids = [r.item_id for r in self.rows]
            row = ids.index(current.item_id) if current is not None and current.item_id in ids \
                else min(max(cursor, 0), len(ids) - 1)
            table.move_cursor(row=row)
        self._show_counts()
        self._show_detail()
        self.refresh_bindings()

    def _show_counts(self) -> None:
        text = Text("未回収 ", style="bold")
        text.append(" / ".join(f"{band} {n}件" for band, n in self.counts.items()))
        text.append(f"（計 {sum(self.counts.values())}件）")
        if self.employer_filter:
            text.append("  絞込 ", style="dim")
            text.append_text(data_text(self.employer_filter, style="bold"))
            text.append(f" {len(self.rows)}件")
        if self.by_age:
            text.append("  経過日数順", style="dim")
        self.query_one("#os-counts", Static).update(fit(text, max(self.app.size.width - 2, 20)))

    def _highlighted(self) -> Row | None:
        table = self.query_one(OutstandingTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#os-table")
    def _row_highlighted(self) -> None:
        # Moving to another row means the clerk has read the last outcome; a reload that keeps
        # the cursor on the same row keeps it.
        row = self._highlighted()
        if self._note is not None and (row is None or row.item_id != self._note_item):
            self._set_note(None)
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#os-detail", JaText)
        detail.remove_class("error")
        if self._note is not None:
            detail.set_text(self._note)
            return
        row = self._highlighted()
        if row is None:
            if not self._loaded:
                detail.set_text(Text(""))
            elif self.employer_filter:
                detail.set_text(Text("この条件に当てはまる未回収の書類はありません（e で条件を変更）。"))
            else:
                detail.set_text(Text("未回収の書類はありません。"))
            return
        same = sum(1 for r in self.all_rows if r.employer_id == row.employer_id)
        text = Text()
        text.append_text(data_text(f"{row.employer_code} {row.employer_name}", style="bold"))
        text.append(f"  未回収 {same}件  ")
        text.append(f"督促 {wareki(row.reminder_sent_on)}" if row.reminder_sent_on else "督促 なし")
        text.append("\n")
        text.append_text(data_text(row.member_name))
        text.append(f" {row.document}  {row.date_label} {wareki(row.lost_on)}（{_age(row.days)}）")
        detail.set_text(text)

    def on_resize(self, event: events.Resize) -> None:
        if self._loaded:
            self._show()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("record_return", "close_item", "open_member"):
            return True if self._highlighted() is not None else None
        if action == "print_reminder":
            return True if self._highlighted() is not None and not self._printing else None
        return True

    def _set_note(self, note: Text | None, error: bool = False) -> None:
        self._note = note
        row = self._highlighted()
        self._note_item = row.item_id if row is not None else None
        self._show_detail()
        self.query_one("#os-detail").set_class(error, "error")

    def action_record_return(self) -> None:
        row = self._highlighted()
        if row is not None:
            self._note = None
            self.app.push_screen(ReturnDialog(row), callback=partial(self._after_dialog, row, "返却を記録しました"))

    def action_close_item(self) -> None:
        row = self._highlighted()
        if row is not None:
            self._note = None
            self.app.push_screen(CloseDialog(row), callback=partial(self._after_dialog, row, "回収を終了しました"))

    def _after_dialog(self, row: Row, what: str, result: object) -> None:
        if result is None:
            return
        status = getattr(result, "status", None)
        label = f"（{code_label(status)}）" if isinstance(status, CollectionStatus) else ""
        text = Text(f"{what}{label}: ")
        text.append_text(data_text(row.member_name))
        text.append(f" {row.document}")
        self.app.notify(text.plain, title="未回収一覧", markup=False)

    def action_open_member(self) -> None:
        row = self._highlighted()
        if row is not None:
            self.app.open_member(row.member_id)  # type: ignore[attr-defined]

    def action_print_reminder(self) -> None:
        row = self._highlighted()
        if row is None or self._printing:
            return
        self._printing = True
        self.refresh_bindings()
        note = Text("督促状を出力中: ")
        note.append_text(data_text(f"{row.employer_code} {row.employer_name}"))
        self._set_note(note)
        self._print(row.employer_id)

    @work(exclusive=True, group="print", exit_on_error=False)
    async def _print(self, employer_id: int) -> None:
        from clerk_tui.services.letters import print_reminder

        try:
            result = await asyncio.to_thread(print_reminder, self.app.ctx, employer_id)
        except DomainError as exc:
            self._set_note(Text(exc.message), error=True)
            return
        except Exception:
            self._set_note(None)
            raise
        finally:
            self._printing = False
            self.refresh_bindings()
        # The message names the file and the reminder date recorded; the full path is shown too.
        note = Text(result.message)
        note.append("\n出力先 ", style="dim")
        note.append_text(data_text(str(result.path)))
        if getattr(result, "print_message", None):
            note.append("  ")
            note.append_text(data_text(result.print_message))
        # In the line under the table, not a toast: a toast would cover that very line.
        self._set_note(note)
        self._load()

    def action_filter(self) -> None:
        row = self.query_one("#os-filter-row")
        row.add_class("-open")
        field = self.query_one("#os-filter", FilterInput)
        field.value = self.employer_filter
        field.focus()

    @on(Input.Submitted, "#os-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.employer_filter = event.value.strip()
        self._note = None
        self.action_close_filter()
        self._show()

    def action_close_filter(self) -> None:
        self.query_one("#os-filter-row").remove_class("-open")
        self.query_one(OutstandingTable).focus()

    def action_sort(self) -> None:
        self.by_age = not self.by_age
        self._show()

    def action_reaching_75(self) -> None:
        from clerk_tui.ui.screens.reaching75 import Reaching75Screen

        self.app.push_screen(Reaching75Screen())

    def action_turning_70(self) -> None:
        from clerk_tui.ui.screens.turning70 import Turning70Screen

        self.app.push_screen(Turning70Screen())

    def action_back(self) -> None:
        self.app.pop_screen()
