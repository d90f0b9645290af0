"""Issuing or reissuing 資格情報のお知らせ / 資格確認書 for one member: choose the document, the reason
and the route, read what will be printed, then issue and print in one step (Ctrl+S)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static

from clerk_tui.domain.codes import DocumentKind, IssueReason, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.context import ConflictError
from clerk_tui.services.issuance import REASON_MAX, IssuePlan, Issued, plan_issue
from clerk_tui.services.printing import Printed, issue_and_print
from clerk_tui.ui.screens.form import FormScreen, choice_field, text_field
from clerk_tui.ui.text import code_choices, code_label, data_text, worker_failed
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.ja_text import JaText

KINDS = [DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE]
REASONS = list(IssueReason)
ROUTES = list(Route)

# Wording (ASCII "..." : the ellipsis character is East-Asian ambiguous).
TITLE = "書類の交付・再交付"
CHOOSE_HINT = "書類・理由・交付方法を Left/Right で選ぶと、印刷される内容がここに表示されます。"
PLANNING = "内容を確認しています..."
CANNOT_ISSUE = "交付できません: "
OVERRIDE_EXPLANATION = "マイナ保険証を利用できる方です。交付する理由を入力してください（監査ログに記録）"
OVERRIDE_REQUIRED = "交付する理由を入力してください。"
LOSS_REQUIRED = "滅失届がない理由を入力してください（または先に滅失届を受け付けてください）。"
WORKING = "処理中..."
WAITING = "他の職員の処理を待っています..."
PRINTING = "PDF を作成しています..."
DONE_HINT = "Esc で詳細画面に戻ります。"
NO_PRINT_COMMAND = "印刷コマンドは設定されていません。ファイルを開いて印刷してください。"
CONFLICT_AFTER = "最新の内容で表示し直しました。確認してもう一度 Ctrl+S を押してください。"


@dataclass(frozen=True)
class Done:
    """What one Ctrl+S did: the document issued and its PDF (or why the PDF failed)."""

    id: int
    issued: Issued
    printed: Printed | None
    print_error: BaseException | None


class FieldsView(Static):
    """The printed fields as label and value, literal text; a long value wraps, never cut."""

    DEFAULT_CSS = "FieldsView { height: auto; padding: 0 1; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[Text, Text]] = []

    def show(self, fields: list[tuple[str, str]]) -> None:
        self.rows = []
        for label, value in fields:
            # Every value may come from the database (names, numbers): never markup.
            text = data_text(value)
            text.no_wrap, text.overflow = False, "fold"
            self.rows.append((Text(label, style="dim"), text))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for row in self.rows:
            table.add_row(*row)
        self.update(table)

    def plain_rows(self) -> list[tuple[str, str]]:
        return [(label.plain, value.plain) for label, value in self.rows]


class Preview(VerticalScroll):
    """The printed fields and the notes; a Tab stop only when they do not fit (80x24), so that
    the clerk can scroll to the notes without a mouse."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class IssueScreen(FormScreen):
    """The choices and reasons are the form's fields; the plan for them is its preview; Ctrl+S
    issues and prints through `issue_and_print`."""

    FORM_TITLE = TITLE
    SAVING_MESSAGE = WORKING
    BINDINGS = [
        Binding("escape", "back", "戻る", tooltip="交付せずに戻る（交付後は詳細に戻る）", id="issue.cancel"),
        Binding("ctrl+s", "save", "交付", tooltip="この内容で交付してPDFを作る", id="issue.confirm"),
    ]
    DEFAULT_CSS = """
    IssueScreen .field-label { width: 10; }
    IssueScreen #override-box .field-label, IssueScreen #loss-box .field-label,
    IssueScreen #note-box .field-label { width: auto; color: $text; }
    IssueScreen .field-row.-focused .field-label { color: $text; text-style: bold reverse; }
    IssueScreen .field-row ChoiceBar { padding: 0; background: transparent; }
    IssueScreen .field-row ChoiceBar:focus { background: $boost; }
    IssueScreen .explain { padding: 0 1; color: $text-warning; text-style: bold; }
    IssueScreen #issue-result { height: auto; padding: 0 1; margin-top: 1; background: $boost; }
    IssueScreen #issue-result.-failed { color: $text-error; }
    IssueScreen #preview { height: 1fr; scrollbar-size-vertical: 1; }
    IssueScreen #preview:focus { background-tint: $foreground 3%; }
    IssueScreen #plan-message { padding: 0 1; }
    IssueScreen #plan-message.-hint { color: $text-muted; }
    IssueScreen #plan-message.-error { color: $text-error; text-style: bold; }
    IssueScreen #plan-notes { padding: 0 1; color: $text-warning; }
    IssueScreen #action-row { height: auto; min-height: 1; }
    IssueScreen #confirm { border: none; height: 1; min-width: 12; margin: 0 1;
                           background: $primary; color: $text; text-style: bold; }
    IssueScreen #confirm:focus { background: $accent; }
    IssueScreen #confirm:disabled { background: $boost; color: $text-disabled; text-style: none; }
    IssueScreen .field-error { padding: 0 1; }
    IssueScreen #form-message { margin-top: 0; }
    """
    FIELDS = (
        # No numbers drawn: the seven reasons only just fit at 80 columns (digits still pick).
        choice_field("kind", "書類", code_choices(KINDS), id="kind", numbered=False),
        choice_field("reason", "理由", code_choices(REASONS), id="reason", numbered=False),
        choice_field("route", "交付方法", code_choices(ROUTES), id="route", numbered=False),
        text_field("override_reason", "交付する理由", id="override", paper_label="交付理由（対象外の交付）",
                   max_len=REASON_MAX, placeholder="必須", also=("交付理由（対象外の交付）",),
                   row_id="override-box", hidden=True),
        text_field("no_loss_report_reason", "滅失届がない理由", id="loss", max_len=REASON_MAX, placeholder="必須",
                   also=("滅失届がない理由",), row_id="loss-box", hidden=True),
        text_field("reason_note", "備考", id="note", max_len=REASON_MAX, placeholder="任意（交付記録に残ります）",
                   also=("備考",), row_id="note-box"),
    )

    def __init__(self, member_id: int) -> None:
        super().__init__(member_id)
        self.plan: IssuePlan | None = None
        self.plan_error: str | None = None
        self.issued: Issued | None = None
        self.printed: Printed | None = None
        self._phase = ["issue"]  # set to "print" by the worker thread once the document is issued
        self._seq = 0  # bumped on every new plan asked for; a plan for an older number is stale

    @property
    def running(self) -> bool:
        return self.state == "saving"

    @property
    def done(self) -> bool:
        """Issued: the action is over, Ctrl+S stays off."""
        return self.state == "recorded"

    def compose_after_fields(self) -> ComposeResult:
        yield JaText(id="issue-result", classes="-hidden")
        with Preview(id="preview"):
            yield JaText(Text(CHOOSE_HINT), id="plan-message", classes="-hint")
            yield FieldsView(id="plan-fields", classes="-hidden")
            yield JaText(id="plan-notes", classes="-hidden")
        with Horizontal(id="action-row"):
            yield Button("交付する", id="confirm", compact=True, disabled=True)

    def on_mount(self) -> None:
        # Over its input, in its row: the explanation comes and goes with the field.
        self.query_one("#override-box").mount(JaText(Text(OVERRIDE_EXPLANATION), classes="explain"), before=0)
        for bar in self.query(ChoiceBar):  # at once, before a Ctrl+S typed straight after the choice
            bar.on_choose = self._choice_changed

    def show_member(self, member) -> None:
        """No member line: the plan names the member (in the title and the preview)."""

    # The line's title is marked while its options have the focus.
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, ChoiceBar) and event.widget.parent is not None:
            event.widget.parent.add_class("-focused")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, ChoiceBar) and event.widget.parent is not None:
            event.widget.parent.remove_class("-focused")

    # ------------------------------------------------------------------ choosing and planning

    def _choice(self) -> tuple[DocumentKind, IssueReason, Route] | None:
        kind, reason, route = (self.widget(name).value for name in ("kind", "reason", "route"))
        if kind is None or reason is None or route is None:
            return None
        return kind, reason, route

    def _choice_changed(self, _value=None) -> None:
        # The plan on screen no longer matches the choice: until the new one arrives nothing
        # may be issued, or Ctrl+S pressed quickly would issue the previous choice.
        self._set_plan(None)
        self.say(Text(""))
        self._plan()

    def _plan(self) -> None:
        self._seq += 1
        self._plan_for(self._seq)

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def _plan_for(self, seq: int) -> None:
        # Every choice is planned at once, even one the arrow keys only pass over: a plan reads
        # one member and their documents (1.3 ms at 10,000 members, 4 ms at most), so plans never
        # queue up behind the keys. exclusive=True cancels this worker on the next choice; one
        # already in its thread finishes unseen, and the number checks drop it: Ctrl+S issues
        # only the plan of the choice on screen.
        choice = self._choice()
        if choice is None:
            self._show_plan_message(Text(CHOOSE_HINT), "-hint")
            return
        self._show_plan_message(Text(PLANNING), "-hint")
        await asyncio.sleep(0)  # let the keys already received arrive first
        if seq != self._seq:
            return  # a later choice came meanwhile: its own plan follows
        try:
            plan = await asyncio.to_thread(plan_issue, self.app.ctx, self.member_id, *choice)
        except DomainError as exc:
            if seq == self._seq:
                self.plan_error = exc.message
                self._show_plan_message(Text(CANNOT_ISSUE + exc.message), "-error")
            return
        except Exception as exc:
            if seq == self._seq:
                self._show_plan_message(Text(worker_failed(exc)), "-error")
            raise
        if seq != self._seq:
            return
        self._show_plan(plan)

    def _set_plan(self, plan: IssuePlan | None) -> None:
        self.plan = plan
        self.plan_error = None
        self.state_changed()

    def _show_plan_message(self, text: Text, kind: str) -> None:
        message = self.query_one("#plan-message", JaText)
        message.remove_class("-hint", "-error")
        message.add_class(kind)
        message.set_text(text)
        message.remove_class("-hidden")
        self.query_one("#plan-fields").add_class("-hidden")
        self.query_one("#plan-notes").add_class("-hidden")
        self._ask_reasons(override=False, loss=False)

    def _ask_reasons(self, *, override: bool, loss: bool) -> None:
        self.show_field("override_reason", override)
        self.show_field("no_loss_report_reason", loss)

    def _show_plan(self, plan: IssuePlan) -> None:
        self._set_plan(plan)
        self.query_one("#plan-message").add_class("-hidden")
        fields = self.query_one("#plan-fields", FieldsView)
        fields.show(plan.fields)
        fields.remove_class("-hidden")
        notes = self.query_one("#plan-notes", JaText)
        notes.set_text(Text("\n").join(data_text(f"- {n}") for n in plan.notes))
        notes.set_class(not plan.notes, "-hidden")
        self._ask_reasons(override=plan.needs_override, loss=plan.needs_loss_report_reason)
        title = Text(TITLE + "  ")
        title.append_text(data_text(dict(plan.fields).get("氏名", "")))
        self.query_one("#form-title", Static).update(title)

    # ------------------------------------------------------------------ issuing

    def _can_confirm(self) -> bool:
        return self.plan is not None and self.state == "editing"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and not self._can_confirm():
            return None  # shown dimmed: the clerk sees the key, and that it is not ready
        if action == "back":
            return True  # while issuing, Esc says why the screen stays
        return super().check_action(action, parameters)

    def state_changed(self) -> None:
        self.query_one("#confirm", Button).disabled = not self._can_confirm()
        self.refresh_bindings()

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self._can_confirm():
            super().action_save()

    def build_input(self) -> dict[str, Any]:
        plan = self.plan
        assert plan is not None
        self.say(Text(""))
        override, loss, note = (self.value(name) for name in ("override_reason", "no_loss_report_reason", "reason_note"))
        # The services refuse these too; asking here keeps the clerk at the field, before any write.
        if plan.needs_override and not override.strip():
            raise DomainError(OVERRIDE_REQUIRED, field="override_reason")
        if plan.needs_loss_report_reason and not loss.strip():
            raise DomainError(LOSS_REQUIRED, field="no_loss_report_reason")
        return {"override_reason": override if plan.needs_override else None,
                "no_loss_report_reason": loss if plan.needs_loss_report_reason else None,
                "reason_note": note or None}

    def service_call(self, data: dict[str, Any]) -> Callable[[], Done]:
        ctx, plan, phase = self.app.ctx, self.plan, self._phase
        phase[0] = "issue"

        def call() -> Done:
            # The output folder and print command are checked before the document is issued;
            # once it is issued, a failed print must not look like a failed issue.
            done = issue_and_print(ctx, plan, on_issued=lambda _: phase.__setitem__(0, "print"), **data)
            return Done(done.issued.document.id, done.issued, done.printed, done.print_error)

        return call

    def waiting_message(self) -> str:
        return f"{WORKING}  {PRINTING if self._phase[0] == 'print' else WAITING}"

    def on_save_refused(self, exc: DomainError) -> bool:
        if not isinstance(exc, ConflictError):
            return False
        self.say(Text(f"{exc.message}\n{CONFLICT_AFTER}"), "error")
        self._set_plan(None)  # stale: nothing is issued from it while the new one is read
        self._plan()  # the message stays
        return True

    def show_recorded(self, record: Done) -> None:
        self.issued, self.printed = record.issued, record.printed
        doc = record.issued.document
        for widget in self.query(Input):
            if not widget.value:  # an empty optional field says nothing about what was issued
                widget.parent.parent.add_class("-hidden")
        self.query_one("#confirm").add_class("-hidden")
        for explanation in self.query(".explain"):
            explanation.add_class("-hidden")  # asks for input that is no longer wanted
        self.say(Text(""))
        text = Text()
        text.append("交付しました: ", style="bold")
        text.append(f"{code_label(doc.kind)}  ")
        text.append_text(data_text(doc.serial))
        result = self.query_one("#issue-result", JaText)
        if record.printed is not None:
            text.append("\nファイル: ")
            text.append_text(data_text(str(record.printed.path)))
            text.append("\n")
            text.append_text(data_text(record.printed.print_message or NO_PRINT_COMMAND))
            result.remove_class("-failed")
        else:
            self.app.report_error(record.print_error)  # type: ignore[attr-defined]
            text.append("\nPDF を作成できませんでした。交付は記録済みです（もう一度交付しないでください）。"
                        "管理者に連絡してください。", style="bold")
            result.add_class("-failed")
        text.append(f"\n{DONE_HINT}", style="dim")
        result.set_text(text)
        result.remove_class("-hidden")

    # ------------------------------------------------------------------ typing and leaving

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id:  # typing clears the field's message
            line = self.query_one(f"#{event.input.id}-error", JaText)
            line.remove_class("-shown")
            line.set_text(Text(""))

    def action_back(self) -> None:
        if self.running:
            # The transaction finishes whatever the screen does; leaving now would hide its result.
            self.app.notify("交付の処理中です。終わるまでお待ちください。", timeout=3, markup=False)
            return
        self.dismiss()  # nothing typed here is worth a question: the choices are three keys
