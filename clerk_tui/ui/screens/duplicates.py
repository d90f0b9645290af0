"""The duplicate step of enrolment: members, current or former, with the birth date and name of a
person on the form. The clerk opens the existing record, registers the insured person as the
same person coming back (再取得, a former member), or confirms new people with a reason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind, clean_text
from clerk_tui.services.enrolment import DuplicateCandidate
from clerk_tui.ui.text import data_text, date_cell, wareki_short
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import TextInput

TITLE = "同じ生年月日・氏名の加入員がいます"
KEYS = "Enter 記録を開く  r 同じ人の再取得として登録  n 別人として登録  Esc 戻る"
KEYS_NO_REQUALIFY = "Enter 記録を開く  n 別人として登録  Esc 戻る"
REASON_HINT = "別人と判断した理由を入力して Enter（例: 住所・電話で別人と確認）"
NOT_FORMER = "再取得として登録できるのは、資格を喪失した被保険者の記録だけです。"


class DuplicatesScreen(ModalScreen[tuple[str, object] | None]):
    """Answers ("open", member_id), ("requalify", member_id), ("new", reason) or None."""

    DEFAULT_CSS = """
    DuplicatesScreen { align: center middle; }
    DuplicatesScreen #dup-box { width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: ascii $warning; background: $panel; padding: 0 1; }
    DuplicatesScreen #dup-title { text-style: bold; }
    DuplicatesScreen FittedTable { height: auto; max-height: 10; }
    DuplicatesScreen #dup-reason { display: none; border: none; height: 1; padding: 0 1; background: $boost; }
    DuplicatesScreen #dup-reason.-shown { display: block; }
    DuplicatesScreen #dup-message { color: $text-muted; }
    DuplicatesScreen #dup-message.error { color: $text-error; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "入力に戻る", id="duplicates.cancel"),
        Binding("r", "requalify", "再取得", id="duplicates.requalify"),
        Binding("n", "new", "別人として登録", id="duplicates.new"),
    ]

    def __init__(self, candidates: list[DuplicateCandidate], *, requalify: bool) -> None:
        super().__init__()
        self.candidates = candidates
        self.requalify = requalify

    def compose(self) -> ComposeResult:
        with Vertical(id="dup-box"):
            yield Static(Text(TITLE), id="dup-title")
            yield FittedTable(id="dup-table", cursor_type="row")
            yield Static(id="dup-row")
            yield TextInput(id="dup-reason", label="理由", max_len=200, kind=TextKind.FREE, placeholder=REASON_HINT)
            yield JaText(Text(KEYS if self.requalify else KEYS_NO_REQUALIFY), id="dup-message")

    def on_mount(self) -> None:
        rows = []
        for c in self.candidates:
            who = "被保険者" if c.person == 0 else f"扶養{c.person}"
            name = data_text(c.full_name)
            if c.former_name:
                name.append("（旧 ")
                name.append_text(data_text(c.former_name))
                name.append("）")
            state = Text(f"喪失 {wareki_short(c.lost_on)}", style="bold") if c.lost_on else Text("加入中")
            rows.append((Text(who), Text(c.member_code), name, date_cell(c.birth_date), state))
        table = self.query_one(FittedTable)
        table.fill(["入力", "記号番号", "氏名", "生年月日", "状態"], rows, flex=2,
                   keys=[str(i) for i in range(len(self.candidates))])
        table.focus()
        self._show_row()

    @on(DataTable.RowHighlighted, "#dup-table")
    def _show_row(self) -> None:
        """The highlighted record's employer and dates: no room for them in the table."""
        c = self._current()
        line = Text()
        if c is not None:
            line.append("事業所 ", style="dim")
            line.append_text(data_text(c.employer_name))
            line.append(f"  資格取得 {wareki_short(c.acquired_on)}", style="dim")
        self.query_one("#dup-row", Static).update(line)

    def _current(self) -> DuplicateCandidate | None:
        table = self.query_one(FittedTable)
        if not self.candidates or table.cursor_row is None:
            return None
        return self.candidates[table.cursor_row]

    @on(DataTable.RowSelected, "#dup-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(("open", self.candidates[event.cursor_row].member_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "requalify":
            return self.requalify
        return True

    def _say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#dup-message", JaText)
        line.set_class(error, "error")
        line.set_text(Text(text))

    def action_requalify(self) -> None:
        c = self._current()
        if c is None or not self.requalify:
            return
        if c.person != 0 or c.lost_on is None:
            self._say(NOT_FORMER, error=True)
            return
        self.dismiss(("requalify", c.member_id))

    def action_new(self) -> None:
        reason = self.query_one("#dup-reason", TextInput)
        reason.add_class("-shown")
        reason.focus()
        self._say(REASON_HINT)

    @on(Input.Submitted, "#dup-reason")
    def _reason_given(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            reason = clean_text(event.value, label="理由", max_len=200, required=True)
        except DomainError as exc:
            self._say(exc.message, error=True)
            return
        self.dismiss(("new", reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
