"""The shared screen for a paper form typed in and saved as one record (利用登録解除申請, 滅失届):
the field rows, the save in a thread, duplicates, and printing what was recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import format_wareki_short
from clerk_tui.services.applications import DuplicateError
from clerk_tui.services.members import reload_member
from clerk_tui.ui.text import DEPENDENT, INSURED, data_text
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.screens.confirm import ConfirmScreen
from clerk_tui.ui.widgets.ja_text import JaText

# ------------------------------------------------------------------ wording (one place)

WAITING = "他の職員の処理を待っています..."  # ASCII dots: "…" is East-Asian ambiguous
SAVING = "保存しています"
DISCARD = "入力した内容はまだ保存されていません。破棄して戻りますか？"
DUPLICATE_HEAD = "この用紙は既に記録されています。新しい記録は作っていません。"
EDIT_HINT = "e で入力に戻って修正できます。"


def field_row(label: str, *widgets: Widget, id: str | None = None, classes: str = "") -> Horizontal:
    """One line of a form: the label as on the paper, then its input(s)."""
    return Horizontal(Label(Text(label), classes="field-label"), *widgets, id=id,
                      classes=f"field-row {classes}".strip())


def member_line(member, today) -> Text:
    """記号番号, registered name and kind; a lost qualification stands out (the save will refuse)."""
    text = Text(member.member_code, style="bold")
    text.append("  ")
    text.append_text(data_text(member.full_name, style="bold"))
    kind = INSURED if member.is_insured else f"{DEPENDENT}・{member.relationship.label}"
    text.append(f"（{kind}）")
    if member.lost_on is not None and member.lost_on <= today:
        text.append("  ")
        text.append(f"資格喪失 {format_wareki_short(member.lost_on)}", style="bold reverse")
    return text


# ------------------------------------------------------------------ the shared form screen


class RecordForm(ClerkScreen):
    """A paper form typed in and saved as one record: Ctrl+S saves in a thread (the key is off
    while it runs, so a second press makes nothing), the result or the service's message shows
    under the fields, and a saved or duplicate form is locked so its letter keys can act."""

    FORM_TITLE = ""
    HINT = ""
    WAIT_NOTICE_SECONDS = 0.5
    # DomainError.field -> id of the widget to put the cursor on.
    FIELD_WIDGETS: dict[str, str] = {}

    DEFAULT_CSS = """
    RecordForm #form-body { height: 1fr; scrollbar-size-vertical: 1; }
    RecordForm #form-title { height: 1; padding: 0 1; text-style: bold; }
    RecordForm #fields { height: auto; }
    RecordForm .field-row { height: 1; }
    RecordForm .field-row.-hidden, RecordForm .-hidden { display: none; }
    RecordForm .field-label { width: 14; padding: 0 1; color: $text-muted; }
    RecordForm .field-row Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    RecordForm .field-row Input:focus { border: none; background: $primary-muted; }
    RecordForm .field-row Input.short { width: 24; }
    RecordForm .field-row Input.name { max-width: 40; }
    RecordForm .field-row .date-field { layout: horizontal; height: 1; width: 1fr; }
    RecordForm .field-row .date-field > Input { width: 24; }
    RecordForm .field-row .date-field > .date-echo { width: 1fr; }
    RecordForm .field-row .inline-label { width: auto; padding: 0 1; color: $text-muted; }
    RecordForm .member-line { width: 1fr; padding: 0 1; }
    RecordForm .info-line { height: auto; padding: 0 1; margin-top: 1; }
    RecordForm #form-message { height: auto; padding: 0 1; margin-top: 1; }
    RecordForm #form-message.hint { color: $text-muted; }
    RecordForm #form-message.error { color: $text-error; text-style: bold; }
    RecordForm #form-message.notice { color: $text-warning; text-style: bold; }
    RecordForm #form-message.success { color: $text-success; }
    RecordForm #fields:disabled .field-label { color: $text-disabled; }
    """

    BINDINGS = [
        Binding("escape", "back", "戻る", id="form.back"),
        Binding("ctrl+s", "save", "保存", tooltip="入力した内容で受け付ける（記録する）", id="form.save"),
        Binding("e", "edit", "修正", tooltip="記録済みと分かった入力に戻って修正する", id="form.edit"),
        # Enter and the arrows move between fields as on a paper form; Tab works too.
        Binding("enter,down", "app.focus_next", "次の項目", show=False, id="form.next"),
        Binding("up", "app.focus_previous", "前の項目", show=False, id="form.previous"),
    ]

    def __init__(self, member_id: int | None) -> None:
        super().__init__()
        self.member_id = member_id
        self.record_id: int | None = None
        self.state = "editing"  # editing | saving | recorded | duplicate
        self._initial: tuple = ()
        self._outcome: tuple[Text, str] | None = None

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="form-body"):
            yield Static(Text(self.FORM_TITLE), id="form-title")
            with Vertical(id="fields"):
                yield from self.compose_fields()
            yield JaText(Text(self.HINT), id="form-message", classes="hint")
        yield Footer(show_command_palette=False)

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one("#fields Input, #fields ChoiceBar").focus()
        if self.member_id is not None:
            self._load_member()
        # Compared on Esc: only a form the clerk has typed into asks before it is thrown away.
        self.call_after_refresh(self._remember_initial)

    def _remember_initial(self) -> None:
        self._initial = self.form_values()

    def form_values(self) -> tuple:
        values: list[Any] = []
        for widget in self.query("#fields Input, #fields ChoiceBar, #fields Tick"):
            values.append(widget.value)
        return tuple(values)

    @work(group="member", exit_on_error=False)
    async def _load_member(self) -> None:
        detail = await asyncio.to_thread(reload_member, self.app.ctx, self.member_id)
        self.show_member(detail.member)

    def show_member(self, member) -> None:
        self.query_one("#member-line", Static).update(member_line(member, self.app.ctx.clock.today()))

    # ------------------------------------------------------------------ messages

    def say_outcome(self, text: Text, kind: str) -> None:
        """What was recorded (or found recorded): kept above a later print's result."""
        self._outcome = (text, kind)
        self.say(text, kind)

    def say(self, text: Text | str, kind: str = "hint") -> None:
        message = self.query_one("#form-message", JaText)
        message.remove_class("hint", "error", "notice", "success")
        message.add_class(kind)
        message.set_text(text if isinstance(text, Text) else Text(text))
        self.call_after_refresh(message.scroll_visible, animate=False)

    def show_error(self, exc: DomainError) -> None:
        self.say(Text(exc.message), "error")
        self.focus_field(exc.field)

    def focus_field(self, field: str | None) -> None:
        widget_id = self.FIELD_WIDGETS.get(field or "")
        if widget_id:
            for widget in self.query(f"#{widget_id}"):
                if widget.display and widget.parent.display:
                    widget.focus()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            # Shown but off while a save runs; gone once the paper is recorded.
            return {"editing": True, "saving": None}.get(self.state, False)
        if action == "back":
            return None if self.state == "saving" else True
        if action == "edit":
            return self.state == "duplicate"
        if action in ("app.focus_next", "app.focus_previous", "focus_next", "focus_previous"):
            return self.state == "editing"
        return True

    def _set_state(self, state: str) -> None:
        self.state = state
        # Locked while saving and once recorded: nothing changes under the save, and without a
        # focused input the letter keys (p, l, i) reach the screen instead of being typed.
        self.query_one("#fields").disabled = state != "editing"
        if state != "editing":
            self.set_focus(None)
        self.refresh_bindings()

    def action_back(self) -> None:
        if self.state == "saving":
            return
        if self.state == "editing" and self.form_values() != self._initial:
            def answered(discard: bool | None) -> None:
                if discard:
                    self.dismiss()

            self.app.push_screen(ConfirmScreen(Text(DISCARD)), callback=answered)
            return
        self.dismiss()

    def action_edit(self) -> None:
        if self.state != "duplicate":
            return
        self.record_id = None
        self._outcome = None
        self._set_state("editing")
        self.say(Text(self.HINT), "hint")
        self.query_one("#fields Input, #fields ChoiceBar").focus()

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.on_field_submitted(event.input)

    def on_field_submitted(self, field: Input) -> None:
        self.focus_next()

    # ------------------------------------------------------------------ saving

    def prepare_save(self) -> Callable[[], Any]:
        """The service call for what is on screen, or DomainError for input it cannot take."""
        raise NotImplementedError

    def action_save(self) -> None:
        if self.state != "editing":
            return
        try:
            call = self.prepare_save()
        except DomainError as exc:
            self.show_error(exc)
            return
        self._save(call)

    @work(group="save", exit_on_error=False)
    async def _save(self, call: Callable[[], Any]) -> None:
        focused = self.focused
        self._set_state("saving")
        self.say(Text(SAVING), "hint")
        # Another clerk's write holds the file for a moment; say so rather than look frozen.
        timer = self.set_timer(self.WAIT_NOTICE_SECONDS, self._show_waiting)
        try:
            record = await asyncio.to_thread(call)
        except DuplicateError as exc:
            self.record_id = exc.existing_id
            self._set_state("duplicate")
            self.say(Text(f"{DUPLICATE_HEAD}\n{exc.message}"), "notice")
            self._show_existing(exc)
            return
        except DomainError as exc:
            self._set_state("editing")
            if not self.on_save_refused(exc):
                self.show_error(exc)
            return
        except BaseException:
            self._set_state("editing")
            self.say(Text(self.HINT), "hint")
            if focused is not None:
                focused.focus()
            raise  # the screen's worker handler tells the clerk
        finally:
            timer.stop()
        self.record_id = record.id
        self._set_state("recorded")
        self.show_recorded(record)

    def _show_waiting(self) -> None:
        if self.state == "saving":
            self.say(Text(WAITING), "notice")

    def on_save_refused(self, exc: DomainError) -> bool:
        """A subclass's own handling of a refusal; False = show the message as it is."""
        return False

    def show_recorded(self, record) -> None:
        raise NotImplementedError

    @work(group="existing", exit_on_error=False)
    async def _show_existing(self, exc: DuplicateError) -> None:
        detail = await asyncio.to_thread(reload_member, self.app.ctx, self.member_id)
        summary = self.existing_summary(detail, exc.existing_id)
        text = Text(f"{DUPLICATE_HEAD}\n{exc.message}\n")
        if summary is not None:
            text.append("記録済み: ", style="bold")
            text.append_text(summary)
            text.append("\n")
        text.append(self.duplicate_keys())
        self.say_outcome(text, "notice")

    def existing_summary(self, detail, record_id: int) -> Text | None:
        raise NotImplementedError

    def duplicate_keys(self) -> str:
        return EDIT_HINT

    # ------------------------------------------------------------------ printing

    def print_call(self, record_id: int) -> Any:
        raise NotImplementedError

    def action_print(self) -> None:
        if self.record_id is not None and self.state in ("recorded", "duplicate"):
            self._print(self.record_id)

    @work(group="print", exclusive=True, exit_on_error=False)
    async def _print(self, record_id: int) -> None:
        try:
            result = await asyncio.to_thread(self.print_call, record_id)
        except DomainError as exc:
            self.say(Text(exc.message), "error")
            return
        text = Text()
        if self._outcome is not None:
            text.append_text(self._outcome[0])
            text.append("\n")
        text.append(result.message + "\n")
        text.append("ファイル: ", style="bold")
        text.append_text(data_text(str(result.path)))
        if getattr(result, "print_message", None):
            text.append("\n" + result.print_message)
        self.say(text, self._outcome[1] if self._outcome else "success")
