"""The pop-up form: a small form over the screen (a return, a closure, a reinstatement) with the
same field rows, reading and refusal-at-the-field as `FormScreen`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from clerk_tui.domain.errors import DomainError
from clerk_tui.ui.screens.base import RECORDING
from clerk_tui.ui.screens.form import INPUTS, FieldSpec, FormScreen
from clerk_tui.ui.widgets.ja_text import JaText

DIALOG_KEYS = "Ctrl+S 確定（入力欄では Enter も）  Esc やめる"


class FormDialog(ModalScreen[Any]):
    """A small form over the screen (a return, a closure, a reinstatement): the same `FieldSpec`
    rows, field reading and refusal-at-the-field as `FormScreen` (its methods, shared as they
    are), in a box. Ctrl+S, or Enter in any input, calls the service in a thread; success closes
    the box with the service's result, a refusal stays in it to be corrected; Esc closes it
    without asking (what was typed in the box is a line or two)."""

    FORM_TITLE = ""
    HINT = ""
    FIELDS: tuple[FieldSpec, ...] = ()

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog #dialog-box {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: ascii $primary; background: $panel; padding: 0 1;
    }
    FormDialog #dialog-title { text-style: bold; }
    FormDialog #dialog-summary { margin-bottom: 1; }
    FormDialog #fields { height: auto; }
    FormDialog .field { height: auto; }
    FormDialog .field-row { height: 1; }
    FormDialog .field.-hidden, FormDialog .-hidden { display: none; }
    FormDialog .field-label { width: 12; padding-right: 1; }
    FormDialog .field-error { display: none; height: auto; padding: 0 0 0 12; }
    FormDialog .field-error.-shown { display: block; color: $text-error; text-style: bold; }
    FormDialog .field-row Input, FormDialog .field-row Input:focus {
        border: none; height: 1; padding: 0 1; width: 1fr; background: $boost;
    }
    FormDialog .field-row Input:focus { background: $primary-muted; }
    FormDialog .field-row .date-field { layout: horizontal; height: 1; width: 1fr; }
    FormDialog .field-row .date-field > Input { width: 24; }
    FormDialog .field-row .date-field > .date-echo { width: 1fr; }
    FormDialog .field-row .inline-label { width: auto; padding: 0 1; }
    FormDialog #dialog-error.error { color: $text-error; text-style: bold; }
    FormDialog #dialog-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "やめる", id="dialog.cancel"),
        Binding("ctrl+s", "save", "確定", id="dialog.submit"),
        Binding("down", "app.focus_next", "次の項目", show=False, id="dialog.next"),
        Binding("up", "app.focus_previous", "前の項目", show=False, id="dialog.previous"),
    ]

    def __init__(self, summary: Text) -> None:
        super().__init__()
        self._summary = summary
        self.busy = False

    # The field rows and how they are read: FormScreen's own methods, shared as they are.
    fields = FormScreen.fields
    spec = FormScreen.spec
    compose_fields = FormScreen.compose_fields
    field_rows = FormScreen.field_rows
    form_values = FormScreen.form_values
    shown = FormScreen.shown
    show_field = FormScreen.show_field
    widget = FormScreen.widget
    value = FormScreen.value
    clear_field_errors = FormScreen.clear_field_errors
    show_error = FormScreen.show_error
    focus_field = FormScreen.focus_field
    checked_call = FormScreen.checked_call

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Static(Text(self.FORM_TITLE), id="dialog-title")
            yield JaText(self._summary, id="dialog-summary")
            with Vertical(id="fields"):
                yield from self.compose_fields()
            yield JaText(Text(self.HINT), id="dialog-error")
            yield Static(Text(DIALOG_KEYS), id="dialog-hint")

    def on_mount(self) -> None:
        self.query(INPUTS).first().focus()  # the first field on screen

    def say(self, text: Text | str, kind: str = "hint") -> None:
        """The line under the fields: a refusal that names no field, or that the save runs."""
        line = self.query_one("#dialog-error", JaText)
        line.set_class(kind == "error", "error")
        line.set_text(text if isinstance(text, Text) else Text(text))

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "cancel"):
            return None if self.busy else True
        return True

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    # ------------------------------------------------------------------ saving

    def build_input(self) -> Any:
        """The service's input from what is in the box, or DomainError naming the field."""
        raise NotImplementedError

    def service_call(self, data: Any) -> Callable[[], Any]:
        """The call (run in a thread) that records `data`; its result closes the box."""
        raise NotImplementedError

    def action_save(self) -> None:
        if self.busy:
            return
        if (call := self.checked_call()) is not None:
            self._run(call)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.refresh_bindings()

    @work(exclusive=True, group="dialog", exit_on_error=False)
    async def _run(self, call: Callable[[], Any]) -> None:
        self._set_busy(True)
        self.say(Text(RECORDING))
        try:
            result = await asyncio.to_thread(call)
        except DomainError as exc:
            self.show_error(exc)
            return
        finally:
            self._set_busy(False)
        self.dismiss(result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.say(Text(""))
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]
