"""The one form for clerk input: a paper typed in field by field and handed to one service.

A form is a list of `FieldSpec`s plus two methods: `build_input` (the service's input from what is
on screen) and `service_call` (the call that records it). The base draws the rows (label, input,
and the field's own error line under it), moves with Enter and the arrows, saves with Ctrl+S in a
thread (saying so when another clerk's write makes it wait), shows a service's refusal at the field
it names, asks before Esc throws typed input away, and prints what was recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind
from clerk_tui.services.applications import DuplicateError
from clerk_tui.services.members import reload_member
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.screens.confirm import ConfirmScreen
from clerk_tui.ui.text import LOADING, data_text, member_kind, wareki_short
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput, TextInput
from clerk_tui.ui.widgets.tick import Tick

# ------------------------------------------------------------------ wording (one place)

WAITING = "他の職員の処理を待っています..."  # ASCII dots: "…" is East-Asian ambiguous
SAVING = "保存しています"
DISCARD = "入力した内容はまだ保存されていません。破棄して戻りますか？"
DUPLICATE_HEAD = "この用紙は既に記録されています。新しい記録は作っていません。"
EDIT_HINT = "e で入力に戻って修正できます。"

# The widgets whose `.value` is a field's value, in the order they are read.
INPUTS = "#fields Input, #fields ChoiceBar, #fields Tick"


# ------------------------------------------------------------------ the fields


@dataclass(frozen=True)
class FieldSpec:
    """One line of a paper form. `name` is the key of `FormScreen.value` and the
    `DomainError.field` that points at it (`also` lists other names a service uses for it);
    `make` builds the input given today's date. `beside` puts it on the row of the field before,
    after a small label of its own; `hidden` rows are shown by the screen when they apply."""

    name: str
    label: str
    make: Callable[[date], Widget]
    widget_id: str
    also: tuple[str, ...] = ()
    row_id: str | None = None
    hidden: bool = False
    beside: bool = False
    has_value: bool = True


def text_field(name: str, label: str, *, id: str, max_len: int, kind: TextKind = TextKind.FREE,
               placeholder: str = "", classes: str = "", paper_label: str | None = None,
               also: tuple[str, ...] = (), **spec: Any) -> FieldSpec:
    """Free text (names, addresses, references): TextInput's checks as the clerk types."""
    return FieldSpec(name, label, lambda _today: TextInput(
        placeholder=placeholder, id=id, classes=classes or None, label=paper_label or label, max_len=max_len,
        kind=kind), id, also=also, **spec)


def code_field(name: str, label: str, *, id: str, placeholder: str = "", classes: str = "",
               also: tuple[str, ...] = (), **spec: Any) -> FieldSpec:
    """A code read by the program (記号・番号): no free-text rules, just the clerk's input."""
    return FieldSpec(name, label, lambda _today: ClerkInput(placeholder=placeholder, id=id, classes=classes or None),
                     id, also=also, **spec)


def date_field(name: str, label: str, *, id: str, placeholder: str | None = None, today: bool = False,
               required: bool = True, also: tuple[str, ...] = (), **spec: Any) -> FieldSpec:
    """A date in any 和暦/西暦 shape, read back in 和暦 beside it; `today` fills in today's date;
    an optional one (`required` False) may be left empty."""
    def make(day: date) -> Widget:
        extra = {"placeholder": placeholder} if placeholder else {}
        return DateInput(value=day if today else None, id=id, classes="date-field", required=required, **extra)

    return FieldSpec(name, label, make, id, also=also, **spec)


def choice_field(name: str, label: str, options: Iterable[tuple[str, Any]], *, id: str, value: Any = None,
                 also: tuple[str, ...] = (), numbered: bool = True, **spec: Any) -> FieldSpec:
    """One of a few options, chosen with its number key or the arrows (ChoiceBar); `numbered`
    False leaves the digits off the line (they still pick) where the options only just fit."""
    options = list(options)
    return FieldSpec(name, label, lambda _today: ChoiceBar(options, value=value, separator=":", numbered=numbered,
                                                           id=id), id, also=also, **spec)


def tick_field(name: str, label: str, text: str, *, id: str, also: tuple[str, ...] = (), **spec: Any) -> FieldSpec:
    """A yes/no box, toggled with Space."""
    return FieldSpec(name, label, lambda _today: Tick(text, id=id), id, also=also, **spec)


def info_field(label: str, *, id: str, text: Text | None = None, **spec: Any) -> FieldSpec:
    """A line the form shows but the clerk does not type (the member the paper is about)."""
    return FieldSpec(id, label, lambda _today: Static(text if text is not None else Text(LOADING), id=id,
                                                      classes="member-line"), id, has_value=False, **spec)


def member_line(member, today) -> Text:
    """記号番号, registered name and kind; a lost qualification stands out (the save will refuse)."""
    text = Text(member.member_code, style="bold")
    text.append("  ")
    text.append_text(data_text(member.full_name, style="bold"))
    kind = member_kind(member)
    text.append(f"（{kind}）")
    if member.lost_on is not None and member.lost_on <= today:
        text.append("  ")
        text.append(f"資格喪失 {wareki_short(member.lost_on)}", style="bold reverse")
    return text


@dataclass
class _Row:
    """The widgets of one composed row, for building it (a `beside` field joins the last one)."""

    spec: FieldSpec
    widgets: list[Widget] = field(default_factory=list)


# ------------------------------------------------------------------ the form screen


class FormScreen(ClerkScreen):
    """A paper form typed in and saved as one record: Ctrl+S saves in a thread (the key is off
    while it runs, so a second press makes nothing), a refusal shows under the field it names,
    the result under the fields, and a saved or duplicate form is locked so its letter keys act."""

    FORM_TITLE = ""
    HINT = ""
    FIELDS: tuple[FieldSpec, ...] = ()
    WAIT_NOTICE_SECONDS = 0.5
    SAVING_MESSAGE = SAVING

    DEFAULT_CSS = """
    FormScreen #form-body { height: 1fr; scrollbar-size-vertical: 1; }
    FormScreen #form-title { height: 1; padding: 0 1; text-style: bold; }
    FormScreen #fields { height: auto; }
    FormScreen .field { height: auto; }
    FormScreen .field-row { height: 1; }
    FormScreen .field.-hidden, FormScreen .-hidden { display: none; }
    FormScreen .field-label { width: 14; padding: 0 1; color: $text-muted; }
    FormScreen .field-error { display: none; height: auto; padding: 0 1 0 15; }
    FormScreen .field-error.-shown { display: block; color: $text-error; text-style: bold; }
    FormScreen .field-row Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    FormScreen .field-row Input:focus { border: none; background: $primary-muted; }
    FormScreen .field-row Input.short { width: 24; }
    FormScreen .field-row Input.name { max-width: 40; }
    FormScreen .field-row .date-field { layout: horizontal; height: 1; width: 1fr; }
    FormScreen .field-row .date-field > Input { width: 24; }
    FormScreen .field-row .date-field > .date-echo { width: 1fr; }
    FormScreen .field-row .inline-label { width: auto; padding: 0 1; color: $text-muted; }
    FormScreen .member-line { width: 1fr; padding: 0 1; }
    FormScreen .info-line { height: auto; padding: 0 1; margin-top: 1; }
    FormScreen #form-message { height: auto; padding: 0 1; margin-top: 1; }
    FormScreen #form-message.hint { color: $text-muted; }
    FormScreen #form-message.error { color: $text-error; text-style: bold; }
    FormScreen #form-message.notice { color: $text-warning; text-style: bold; }
    FormScreen #form-message.success { color: $text-success; }
    FormScreen #fields:disabled .field-label { color: $text-disabled; }
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

    def fields(self) -> tuple[FieldSpec, ...]:
        """The form's fields; a form whose fields depend on how it was opened overrides this."""
        return self.FIELDS

    def spec(self, name: str) -> FieldSpec | None:
        for spec in self.fields():
            if name == spec.name or name in spec.also:
                return spec
        return None

    def compose_body(self) -> ComposeResult:
        body = VerticalScroll(id="form-body")
        body.can_focus = False  # Tab goes field to field; the form scrolls to the focused field
        with body:
            yield Static(Text(self.FORM_TITLE), id="form-title")
            with Vertical(id="fields"):
                yield from self.compose_fields()
            yield from self.compose_after_fields()
            yield JaText(Text(self.HINT), id="form-message", classes="hint")
            yield from self.compose_after_message()
        yield ClerkFooter(show_command_palette=False)

    def compose_fields(self) -> ComposeResult:
        yield from self.field_rows(self.fields())

    def field_rows(self, specs: Iterable[FieldSpec]) -> ComposeResult:
        """The rows of these fields (a form that grows, e.g. one more dependent, mounts more)."""
        today = self.app.ctx.clock.today()
        rows: list[_Row] = []
        for spec in specs:
            widget = spec.make(today)
            if spec.beside and rows:
                if spec.label:
                    rows[-1].widgets.append(Label(Text(spec.label), classes="inline-label"))
                rows[-1].widgets.append(widget)
            else:
                rows.append(_Row(spec, [widget]))
        for row in rows:
            spec = row.spec
            yield Vertical(
                Horizontal(Label(Text(spec.label), classes="field-label"), *row.widgets, classes="field-row"),
                JaText(Text(""), id=f"{spec.widget_id}-error", classes="field-error"),
                id=spec.row_id, classes="field -hidden" if spec.hidden else "field")

    def compose_after_fields(self) -> ComposeResult:
        """Lines under the fields (a live preview of what the form will do)."""
        yield from ()

    def compose_after_message(self) -> ComposeResult:
        """What goes under the form's message (a preview read after what the message says)."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#fields Input, #fields ChoiceBar").focus()
        if self.member_id is not None:
            self._load_member()
        # Compared on Esc: only a form the clerk has typed into asks before it is thrown away.
        self.call_after_refresh(self._remember_initial)
        self.form_mounted()

    def form_mounted(self) -> None:
        """A form's own start (a field to focus first, a hint), run once after the base's.
        Subclasses override this rather than `on_mount`: Textual calls every class's `on_mount`
        itself, so a subclass calling `super().on_mount()` would run the base's twice."""

    def _remember_initial(self) -> None:
        self._initial = self.form_values()

    def form_values(self) -> tuple:
        return tuple(widget.value for widget in self.query(INPUTS))

    # ------------------------------------------------------------------ reading the fields

    def shown(self, name: str) -> bool:
        """Is the field on screen (its row not hidden)?"""
        spec = self.spec(name)
        if spec is None:
            return False
        row = self.query_one(f"#{spec.widget_id}").parent.parent
        return not row.has_class("-hidden")

    def show_field(self, name: str, shown: bool = True) -> None:
        spec = self.spec(name)
        if spec is not None:
            self.query_one(f"#{spec.widget_id}").parent.parent.set_class(not shown, "-hidden")

    def widget(self, name: str) -> Any:
        spec = self.spec(name)
        if spec is None:
            raise KeyError(name)
        return self.query_one(f"#{spec.widget_id}")

    def value(self, name: str) -> Any:
        """What the field holds (None while its row is hidden); a date that cannot be read is a
        DomainError naming the field, so the clerk sees it under the field."""
        if not self.shown(name):
            return None
        widget = self.widget(name)
        if isinstance(widget, DateInput) and widget.error:
            raise DomainError(f"{self.spec(name).label}: {widget.error}", field=name)
        return widget.value

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

    def clear_field_errors(self) -> None:
        for line in self.query(".field-error.-shown"):
            line.remove_class("-shown")
            line.set_text(Text(""))

    def show_error(self, exc: DomainError) -> None:
        """A refusal under the field it names (the cursor goes there), else under the form."""
        self.clear_field_errors()
        spec = self.spec(exc.field or "")
        if spec is None or not self.shown(spec.name):
            self.say(Text(exc.message), "error")
            return
        widget = self.widget(spec.name)
        self.say(Text(self.HINT), "hint")
        widget.focus()
        if isinstance(widget, DateInput) and widget.error and widget.query_one(Input).value.strip():
            return  # the date field already says, beside what was typed, why it cannot be read
        # The row's error line: a field `beside` another shares the line of the row it sits on.
        row = next(a for a in widget.ancestors if a.has_class("field"))
        line = row.query_one(".field-error", JaText)
        line.set_text(Text(exc.message))
        line.add_class("-shown")
        self.call_after_refresh(line.scroll_visible, animate=False)

    def focus_field(self, name: str | None) -> None:
        spec = self.spec(name or "")
        if spec is not None and self.shown(spec.name):
            self.widget(spec.name).focus()

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
        self.state_changed()

    def state_changed(self) -> None:
        """Told after every change of `state` (a form's own controls follow it); nothing by default."""

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

    def build_input(self) -> Any:
        """The service's input from what is on screen, or DomainError for input it cannot take."""
        raise NotImplementedError

    def service_call(self, data: Any) -> Callable[[], Any]:
        """The call (run in a thread) that records `data` and returns the record."""
        raise NotImplementedError

    def checked_call(self) -> Callable[[], Any] | None:
        """The service call for what is on the form, or None after showing the refusal at its
        field (the form and the pop-up form check the same way before they save)."""
        try:
            call = self.service_call(self.build_input())
        except DomainError as exc:
            self.show_error(exc)
            return None
        self.clear_field_errors()
        return call

    def action_save(self) -> None:
        if self.state != "editing":
            return
        if (call := self.checked_call()) is not None:
            self._save(call)

    @work(group="save", exit_on_error=False)
    async def _save(self, call: Callable[[], Any]) -> None:
        focused = self.focused
        self._set_state("saving")
        self.say(Text(self.SAVING_MESSAGE), "hint")
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
            self.say(Text(self.waiting_message()), "notice")

    def waiting_message(self) -> str:
        """What a save that takes long says (a form whose save also prints says which part waits)."""
        return WAITING

    def on_save_refused(self, exc: DomainError) -> bool:
        """A subclass's own handling of a refusal; False = show the message at its field."""
        return False

    def show_recorded(self, record) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ the member

    @work(group="member", exit_on_error=False)
    async def _load_member(self) -> None:
        detail = await asyncio.to_thread(reload_member, self.app.ctx, self.member_id)
        self.show_member(detail.member)

    def show_member(self, member) -> None:
        self.query_one("#member-line", Static).update(member_line(member, self.app.ctx.clock.today()))

    # ------------------------------------------------------------------ a paper recorded before

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
