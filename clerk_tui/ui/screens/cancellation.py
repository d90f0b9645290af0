"""利用登録解除申請 (R7) typed from the paper form, from a member's screen or from the 受付 entry
point by 記号・番号; also the form pieces the 滅失届 screen shares (choice bar, tick box, confirm)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static

from clerk_tui.domain import rules
from clerk_tui.domain.codes import CancellationStatus, DocumentKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import format_wareki, format_wareki_short
from clerk_tui.services.applications import (
    CancellationInput,
    DuplicateError,
    MismatchError,
    cancellation_needs_legacy_answer,
    record_cancellation,
)
from clerk_tui.services.members import member_by_code, reload_member
from clerk_tui.ui import labels
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.text import data_text
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.status_bar import StatusBar

# ------------------------------------------------------------------ wording (one place)

WAITING = "他の職員の処理を待っています..."  # ASCII dots: "…" is East-Asian ambiguous
SAVING = "保存しています"
DISCARD = "入力した内容はまだ保存されていません。破棄して戻りますか？"
DUPLICATE_HEAD = "この用紙は既に記録されています。新しい記録は作っていません。"
EDIT_HINT = "e で入力に戻って修正できます。"

CANCEL_TITLE = "利用登録解除申請の受付"
CANCEL_HINT = "申請書の記載どおりに入力し、Ctrl+S で受け付けます（Enter で次の項目）。"
CODE_HINT = "申請書の記号・番号を入力して Enter を押してください。"
CODE_WAITING = "Enter で加入員を確かめます"
CODE_UNKNOWN = "加入員が見つかりません"
NEED_MEMBER = "記号・番号を入力し、Enter で加入員を確かめてから受け付けてください。"
EFFECTIVE_NOTE = "（原則、受付月の翌月末日）"
EFFECTIVE_NONE = "解除予定日  受付日を入力すると表示します"
LEGACY_OPTIONS = [("手元にある", True), ("滅失（滅失届が必要）", False)]
ACCEPT_LABEL = "相違を承知で受け付ける"
MISMATCH_HEAD = "申請書の記載が登録内容と異なります。"
MISMATCH_HINT = "申請書を確かめて訂正するか、「相違を承知で受け付ける」を Space で選んで Ctrl+S を押してください。"
CERTIFICATE_NOTE = "資格確認書は申請不要で事業所経由で交付します。完了の通知は送りません（ご本人はマイナポータルで確認できます）。"
NEEDS_LOSS_REPORT = "健康保険証の滅失届が必要です。l で滅失届を受け付けます（それまで申請は「受付」のままです）。"

LABEL_WIDTH = 14


def field_row(label: str, *widgets: Widget, id: str | None = None, classes: str = "") -> Horizontal:
    """One line of a form: the label as on the paper, then its input(s)."""
    return Horizontal(Label(Text(label), classes="field-label"), *widgets, id=id,
                      classes=f"field-row {classes}".strip())


def effective_text(received_on) -> Text:
    text = Text("解除予定日  ", style="bold")
    if received_on is None:
        return Text(EFFECTIVE_NONE, style="dim")
    text.append(format_wareki(rules.cancellation_effective_on(received_on)), style="bold")
    text.append(EFFECTIVE_NOTE)
    return text


def member_line(member, today) -> Text:
    """記号番号, registered name and kind; a lost qualification stands out (the save will refuse)."""
    text = Text(member.member_code, style="bold")
    text.append("  ")
    text.append_text(data_text(member.full_name, style="bold"))
    kind = labels.INSURED if member.is_insured else f"{labels.DEPENDENT}・{member.relationship.label}"
    text.append(f"（{kind}）")
    if member.lost_on is not None and member.lost_on <= today:
        text.append("  ")
        text.append(f"資格喪失 {format_wareki_short(member.lost_on)}", style="bold reverse")
    return text


# ------------------------------------------------------------------ small form widgets


class ChoiceBar(Widget, can_focus=True):
    """One of a few choices on one line, each numbered: Left/Right or its number picks it. The
    chosen one is bracketed as well as highlighted, so it reads without colour."""

    BINDING_GROUP_TITLE = "選択欄"
    DEFAULT_CSS = """
    ChoiceBar { height: 1; width: 1fr; padding: 0 1; background: $boost; }
    ChoiceBar:focus { background: $primary-muted; }
    ChoiceBar:disabled { color: $text-disabled; }
    """
    BINDINGS = [
        Binding("right,space", "step(1)", "次の選択肢", show=False, id="choice.next"),
        Binding("left", "step(-1)", "前の選択肢", show=False, id="choice.previous"),
    ]

    class Changed(Message):
        def __init__(self, bar: ChoiceBar, value: Any) -> None:
            super().__init__()
            self.bar = bar
            self.value = value

        @property
        def control(self) -> ChoiceBar:
            return self.bar

    index: reactive[int | None] = reactive(None, init=False)

    def __init__(self, options: Sequence[tuple[str, Any]], *, value: Any = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.options = list(options)
        self.set_reactive(ChoiceBar.index, self._index_of(value))

    def _index_of(self, value: Any) -> int | None:
        return next((i for i, (_, v) in enumerate(self.options) if v == value and value is not None), None)

    @property
    def value(self) -> Any:
        return None if self.index is None else self.options[self.index][1]

    @value.setter
    def value(self, value: Any) -> None:
        self.index = self._index_of(value)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for i, (label, _) in enumerate(self.options):
            if i:
                text.append(" ")
            if i == self.index:
                text.append(f"[{i + 1}:{label}]", style="bold reverse")
            else:
                text.append(f" {i + 1}:{label} ")
        return text

    def watch_index(self) -> None:
        self.post_message(self.Changed(self, self.value))

    def action_step(self, delta: int) -> None:
        if self.index is None:
            self.index = 0 if delta > 0 else len(self.options) - 1
        else:
            self.index = (self.index + delta) % len(self.options)

    def on_key(self, event: events.Key) -> None:
        # The digits are the numbers printed before each choice, not bindings: they are many and
        # their meaning is on screen.
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.options):
            event.stop()
            event.prevent_default()
            self.index = int(event.character) - 1


class Tick(Widget, can_focus=True):
    """A yes/no box drawn in ASCII, `[X]` or `[ ]` (Checkbox's half blocks are ambiguous-width).
    Space toggles; Enter moves on like in every other field, so it is never ticked by accident."""

    BINDING_GROUP_TITLE = "チェック欄"
    DEFAULT_CSS = """
    Tick { height: 1; width: 1fr; padding: 0 1; }
    Tick:focus { background: $primary-muted; }
    Tick:disabled { color: $text-disabled; }
    """
    BINDINGS = [Binding("space", "toggle", "選ぶ・外す", show=False, id="tick.toggle")]

    class Changed(Message):
        def __init__(self, tick: Tick, value: bool) -> None:
            super().__init__()
            self.tick = tick
            self.value = value

        @property
        def control(self) -> Tick:
            return self.tick

    value: reactive[bool] = reactive(False, init=False)

    def __init__(self, label: str, *, value: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.set_reactive(Tick.value, value)

    def render(self) -> Text:
        return Text(("[X] " if self.value else "[ ] ") + self.label, no_wrap=True, overflow="crop")

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def action_toggle(self) -> None:
        self.value = not self.value


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; No is the answer to Esc, so a stray key never confirms."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 64; max-width: 100%; height: auto; border: ascii $primary;
                               background: $panel; padding: 0 1; }
    ConfirmScreen .confirm-keys { margin-top: 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "はい", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "いいえ", id="confirm.no"),
    ]

    def __init__(self, question: Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield JaText(self.question, id="confirm-question")
            yield Static(Text("y はい    n いいえ（Esc）"), classes="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


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

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        yield StatusBar(clerk=ctx.clerk, db_path=self.app.db_path, today=ctx.clock.today(),
                        fixed=ctx.clock.is_fixed, id="status")
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


# ------------------------------------------------------------------ the cancellation form


class CancellationScreen(RecordForm):
    """`member_id` None: the 受付 entry point, which starts with the 記号・番号 from the paper."""

    FORM_TITLE = CANCEL_TITLE
    HINT = CANCEL_HINT
    FIELD_WIDGETS = {
        "member_code": "code", "member": "code", "氏名": "name", "birth": "birth", "住所": "address",
        "連絡先": "phone", "理由": "reason", "代理人氏名": "proxy-name", "代理人との関係": "proxy-rel",
        "received_on": "received", "legacy_card_at_hand": "legacy",
    }
    BINDINGS = [
        Binding("p", "print", "受付控", tooltip="受付控（PDF）を出力する", id="cancellation.print"),
        Binding("l", "loss_report", "滅失届", tooltip="健康保険証の滅失届を受け付ける",
                id="cancellation.loss_report"),
    ]

    def __init__(self, member_id: int | None = None) -> None:
        super().__init__(member_id)
        self.by_code = member_id is None
        self.status: CancellationStatus | None = None
        self._resolved_code: str | None = None

    def compose_fields(self) -> ComposeResult:
        today = self.app.ctx.clock.today()
        if self.by_code:
            yield field_row("記号・番号", Input(placeholder="例: 1234-567-01", id="code", classes="short"),
                            Static(Text(CODE_WAITING, style="dim"), id="member-line", classes="member-line"))
        else:
            yield field_row("加入員", Static(Text(labels.LOADING), id="member-line", classes="member-line"))
        yield field_row("氏名", Input(placeholder="申請書の記載どおり", id="name"))
        yield field_row("生年月日", DateInput(placeholder="例: S57.7.7", id="birth",
                                           classes="date-field"))
        yield field_row("住所", Input(id="address"))
        yield field_row("連絡先", Input(placeholder="電話番号", id="phone", classes="short"))
        yield field_row("理由（任意）", Input(id="reason"))
        yield field_row("受付日", DateInput(value=today, id="received", classes="date-field"))
        yield field_row("代理人", Input(placeholder="代理申請のとき氏名", id="proxy-name", classes="name"),
                        Label(Text("本人との関係"), classes="inline-label"),
                        Input(placeholder="例: 夫", id="proxy-rel", classes="short"))
        yield field_row("健康保険証", ChoiceBar(LEGACY_OPTIONS, id="legacy"), id="legacy-row", classes="-hidden")
        yield Tick(ACCEPT_LABEL, id="accept", classes="-hidden")
        yield Static(effective_text(today), id="effective", classes="info-line")

    def on_mount(self) -> None:
        super().on_mount()
        if self.by_code:
            self.query_one("#code", Input).focus()
            self.say(Text(CODE_HINT), "hint")

    def show_member(self, member) -> None:
        super().show_member(member)
        self._check_legacy()

    # ------------------------------------------------------------------ the 受付 entry point

    def on_field_submitted(self, field: Input) -> None:
        if field.id == "code":
            self._resolve(field.value, advance=True)
        else:
            super().on_field_submitted(field)

    @on(Input.Blurred, "#code")
    def _code_left(self, event: Input.Blurred) -> None:
        if self.state == "editing" and event.value.strip() and event.value != self._resolved_code:
            self._resolve(event.value, advance=False)

    @on(Input.Changed, "#code")
    def _code_changed(self, event: Input.Changed) -> None:
        if event.value != self._resolved_code and self.member_id is not None:
            # Another number is another person: nothing checked for the last one still holds.
            self.member_id = None
            self._resolved_code = None
            self.query_one("#member-line", Static).update(Text(CODE_WAITING, style="dim"))
            self._set_legacy_needed(False)

    @work(group="resolve", exclusive=True, exit_on_error=False)
    async def _resolve(self, text: str, advance: bool) -> None:
        if not text.strip():
            self.say(Text(CODE_HINT), "error")
            return
        try:
            member = await asyncio.to_thread(member_by_code, self.app.ctx, text)
        except DomainError as exc:
            self.member_id = None
            self._resolved_code = None
            self.query_one("#member-line", Static).update(Text(CODE_UNKNOWN, style="bold"))
            self.say(Text(exc.message), "error")
            return
        self.member_id = member.id
        self._resolved_code = text
        self.show_member(member)
        today = self.app.ctx.clock.today()
        if member.lost_on is not None and member.lost_on <= today:
            self.say(Text(f"この方は{format_wareki(member.lost_on)}に資格を喪失しています。"
                          "利用登録解除申請は受け付けられません。"), "error")
        else:
            self.say(Text(CANCEL_HINT), "hint")
            if advance:
                self.query_one("#name", Input).focus()

    # ------------------------------------------------------------------ live parts

    @on(DateInput.Changed, "#received")
    def _received_changed(self, event: DateInput.Changed) -> None:
        self.query_one("#effective", Static).update(effective_text(event.value))
        self._check_legacy()

    def _check_legacy(self) -> None:
        received = self.query_one("#received", DateInput).value
        if self.member_id is None or received is None:
            self._set_legacy_needed(False)
        else:
            self._ask_legacy(self.member_id, received)

    @work(group="legacy", exclusive=True, exit_on_error=False)
    async def _ask_legacy(self, member_id: int, received) -> None:
        needed = await asyncio.to_thread(cancellation_needs_legacy_answer, member_id, received)
        if member_id == self.member_id:
            self._set_legacy_needed(needed)

    def _set_legacy_needed(self, needed: bool) -> None:
        self.query_one("#legacy-row").set_class(not needed, "-hidden")

    @on(Input.Changed, "#name")
    @on(DateInput.Changed, "#birth")
    def _applicant_changed(self) -> None:
        # A corrected name or date is checked afresh: an earlier acceptance does not carry over.
        accept = self.query_one("#accept", Tick)
        if not accept.has_class("-hidden"):
            accept.value = False
            accept.add_class("-hidden")
            self.say(Text(CANCEL_HINT), "hint")

    # ------------------------------------------------------------------ saving

    def prepare_save(self) -> Callable[[], Any]:
        if self.member_id is None:
            raise DomainError(NEED_MEMBER, field="member_code")
        birth = self.query_one("#birth", DateInput)
        received = self.query_one("#received", DateInput)
        if birth.error:
            raise DomainError(f"生年月日: {birth.error}", field="birth")
        if received.error:
            raise DomainError(f"受付日: {received.error}", field="received_on")
        accept = self.query_one("#accept", Tick)
        legacy_asked = not self.query_one("#legacy-row").has_class("-hidden")

        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        data = CancellationInput(
            member_id=self.member_id, applicant_name=value("name"), applicant_birth_date=birth.value,
            received_on=received.value, applicant_address=value("address"), applicant_phone=value("phone"),
            reason=value("reason"), proxy_name=value("proxy-name"), proxy_relationship=value("proxy-rel"),
            accept_mismatch=accept.value and not accept.has_class("-hidden"),
            legacy_card_at_hand=self.query_one("#legacy", ChoiceBar).value if legacy_asked else None)
        ctx = self.app.ctx
        return lambda: record_cancellation(ctx, data)

    def on_save_refused(self, exc: DomainError) -> bool:
        if not isinstance(exc, MismatchError):
            return False
        text = Text(MISMATCH_HEAD + "\n", style="bold")
        for difference in exc.differences:
            text.append("・")
            text.append_text(data_text(difference))  # quotes the registered name
            text.append("\n")
        text.append(MISMATCH_HINT)
        self.say(text, "error")
        accept = self.query_one("#accept", Tick)
        accept.value = False
        accept.remove_class("-hidden")
        accept.focus()
        return True

    def show_recorded(self, record) -> None:
        self.status = record.status
        self._show_status(record)

    def _show_status(self, record) -> None:
        # The effective date stays on the line above, for the clerk to tell the member.
        text = Text(f"受け付けました（状態: {record.status.label}）。", style="bold")
        text.append("\n")
        if record.status is CancellationStatus.RECEIVED:
            text.append(NEEDS_LOSS_REPORT + "\n", style="bold")
        text.append(CERTIFICATE_NOTE + "\n")
        text.append("p で受付控（PDF）を出力します。")
        self.say_outcome(text, "notice" if record.status is CancellationStatus.RECEIVED else "success")

    def existing_summary(self, detail, record_id: int) -> Text | None:
        for c in detail.cancellations:
            if c.id == record_id:
                text = Text(f"受付日 {format_wareki(c.received_on)}  状態 {c.status.label}  "
                            f"解除予定日 {format_wareki(c.effective_on)}  申請者 ")
                text.append_text(data_text(c.applicant_name))
                return text
        return None

    def duplicate_keys(self) -> str:
        return "p でその受付控を出力します。" + EDIT_HINT

    def print_call(self, record_id: int) -> Any:
        from clerk_tui.services.letters import print_cancellation_receipt

        return print_cancellation_receipt(self.app.ctx, record_id)

    # ------------------------------------------------------------------ the 滅失届 it waits for

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "loss_report":
            return self.state == "recorded" and self.status is CancellationStatus.RECEIVED
        if action == "print":
            return self.state in ("recorded", "duplicate")
        return super().check_action(action, parameters)

    def action_loss_report(self) -> None:
        if self.state != "recorded" or self.member_id is None:
            return
        from clerk_tui.ui.screens.loss_report import LossReportScreen

        self.app.push_screen(LossReportScreen(self.member_id, document_kind=DocumentKind.LEGACY_CARD),
                             callback=lambda _result: self._reload_status())

    @work(group="status", exclusive=True, exit_on_error=False)
    async def _reload_status(self) -> None:
        detail = await asyncio.to_thread(reload_member, self.app.ctx, self.member_id)
        for c in detail.cancellations:
            if c.id == self.record_id:
                self.status = c.status
                self._show_status(c)
        self.refresh_bindings()
