"""Issuing or reissuing 資格情報のお知らせ / 資格確認書 for one member: choose the document, the reason
and the route, read what will be printed, then issue and print in one step (Ctrl+S)."""

from __future__ import annotations

import asyncio
import time

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from clerk_tui.domain.codes import DocumentKind, IssueReason, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.context import ConflictError
from clerk_tui.services.issuance import REASON_MAX, IssuePlan, Issued, plan_issue
from clerk_tui.services.printing import Printed, issue_and_print
from clerk_tui.ui.text import data_text, worker_failed
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import TextInput

KINDS = [DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE]
REASONS = list(IssueReason)
ROUTES = list(Route)

# Arrow keys choose at once: a short pause lets a clerk run along the options without a plan
# being computed for each one passed over.
PLAN_DELAY_SECONDS = 0.1
# A write that takes longer than this is almost always waiting for another clerk's transaction.
SLOW_SECONDS = 0.5

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

# DomainError.field from the services -> the input the message belongs to.
FIELD_INPUTS = {
    "override_reason": "override",
    "交付理由（対象外の交付）": "override",
    "no_loss_report_reason": "loss",
    "滅失届がない理由": "loss",
    "備考": "note",
}


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


class IssueScreen(ClerkScreen):
    BINDINGS = [
        Binding("escape", "cancel", "戻る", tooltip="交付せずに戻る（交付後は詳細に戻る）", id="issue.cancel"),
        Binding("ctrl+s", "confirm", "交付", tooltip="この内容で交付してPDFを作る", id="issue.confirm"),
        # Down and Up move between the lines of options, as Tab and Shift+Tab do.
        Binding("down", "app.focus_next", "次の項目", show=False, id="issue.next_row"),
        Binding("up", "app.focus_previous", "前の項目", show=False, id="issue.previous_row"),
    ]
    DEFAULT_CSS = """
    IssueScreen #issue-title { height: 1; padding: 0 1; text-style: bold; }
    IssueScreen .choice-row { height: 1; }
    IssueScreen .choice-label { width: 10; padding: 0 1; color: $text-muted; }
    IssueScreen .choice-row.-focused .choice-label { color: $text; text-style: bold reverse; }
    IssueScreen .choice-row ChoiceBar { padding: 0; background: transparent; }
    IssueScreen .choice-row ChoiceBar:focus { background: $boost; }
    IssueScreen #issue-result { height: auto; padding: 0 1; margin-top: 1; background: $boost; }
    IssueScreen #issue-result.-failed { color: $text-error; }
    IssueScreen #preview { height: 1fr; scrollbar-size-vertical: 1; }
    IssueScreen #preview:focus { background-tint: $foreground 3%; }
    IssueScreen #plan-message { padding: 0 1; }
    IssueScreen #plan-message.-hint { color: $text-muted; }
    IssueScreen #plan-message.-error { color: $text-error; text-style: bold; }
    IssueScreen #plan-notes { padding: 0 1; color: $text-warning; }
    IssueScreen .input-box { height: auto; }
    IssueScreen .explain { padding: 0; color: $text-warning; text-style: bold; }
    IssueScreen .input-row { height: 1; }
    IssueScreen .input-label { width: auto; padding: 0 1; }
    IssueScreen .input-row Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    IssueScreen .input-row Input:focus { background: $primary-muted; }
    IssueScreen .field-error { height: auto; padding: 0 1; color: $text-error; text-style: bold; }
    IssueScreen #action-row { height: auto; min-height: 1; }
    IssueScreen #confirm { border: none; height: 1; min-width: 12; margin: 0 1;
                           background: $primary; color: $text; text-style: bold; }
    IssueScreen #confirm:focus { background: $accent; }
    IssueScreen #confirm:disabled { background: $boost; color: $text-disabled; text-style: none; }
    IssueScreen #issue-message { width: 1fr; padding: 0 1 0 0; }
    IssueScreen #issue-message.-error { color: $text-error; text-style: bold; }
    IssueScreen #issue-message.-busy { color: $text-warning; text-style: bold; }
    IssueScreen .-hidden { display: none; }
    """

    def __init__(self, member_id: int) -> None:
        super().__init__()
        self.member_id = member_id
        self.plan: IssuePlan | None = None
        self.plan_error: str | None = None
        self.running = False
        self.done = False  # issued: the action is over, Ctrl+S stays off
        self.issued: Issued | None = None
        self.printed: Printed | None = None
        self._phase = ["issue"]  # set to "print" by the worker thread once the document is issued
        self._started = 0.0

    def compose_body(self) -> ComposeResult:
        yield Static(Text(TITLE), id="issue-title")
        for row_id, title, options in (("kind", "書類", KINDS), ("reason", "理由", REASONS),
                                       ("route", "交付方法", ROUTES)):
            with Horizontal(classes="choice-row"):
                yield Label(title, classes="choice-label")
                # No numbers drawn: the seven reasons only just fit at 80 columns (digits still pick).
                yield ChoiceBar([(o.label, o) for o in options], numbered=False, id=row_id)
        yield JaText(id="issue-result", classes="-hidden")
        with Preview(id="preview"):
            yield JaText(Text(CHOOSE_HINT), id="plan-message", classes="-hint")
            yield FieldsView(id="fields", classes="-hidden")
            yield JaText(id="plan-notes", classes="-hidden")
        with Vertical(id="override-box", classes="input-box -hidden"):
            yield JaText(Text(OVERRIDE_EXPLANATION), classes="explain")
            with Horizontal(classes="input-row"):
                yield Label("交付する理由", classes="input-label")
                yield TextInput(id="override", label="交付理由（対象外の交付）", max_len=REASON_MAX,
                                placeholder="必須", select_on_focus=False)
            yield JaText(id="override-error", classes="field-error -hidden")
        with Vertical(id="loss-box", classes="input-box -hidden"):
            with Horizontal(classes="input-row"):
                yield Label("滅失届がない理由", classes="input-label")
                yield TextInput(id="loss", label="滅失届がない理由", max_len=REASON_MAX, placeholder="必須",
                                select_on_focus=False)
            yield JaText(id="loss-error", classes="field-error -hidden")
        with Vertical(id="note-box", classes="input-box"):
            with Horizontal(classes="input-row"):
                yield Label("備考", classes="input-label")
                yield TextInput(id="note", label="備考", max_len=REASON_MAX, placeholder="任意（交付記録に残ります）",
                                select_on_focus=False)
            yield JaText(id="note-error", classes="field-error -hidden")
        with Horizontal(id="action-row"):
            yield Button("交付する", id="confirm", compact=True, disabled=True)
            yield JaText(id="issue-message")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#kind", ChoiceBar).focus()

    # The line's title is marked while its options have the focus.
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.parent is not None and event.widget.parent.has_class("choice-row"):
            event.widget.parent.add_class("-focused")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.parent is not None and event.widget.parent.has_class("choice-row"):
            event.widget.parent.remove_class("-focused")

    # ------------------------------------------------------------------ choosing and planning

    def _choice(self) -> tuple[DocumentKind, IssueReason, Route] | None:
        kind, reason, route = (self.query_one(f"#{row_id}", ChoiceBar).value for row_id in ("kind", "reason", "route"))
        if kind is None or reason is None or route is None:
            return None
        return kind, reason, route

    @on(ChoiceBar.Changed)
    def _choice_changed(self, event: ChoiceBar.Changed) -> None:
        # The plan on screen no longer matches the choice: until the new one arrives nothing
        # may be issued, or Ctrl+S pressed quickly would issue the previous choice.
        self._set_plan(None)
        self._message(Text(""))
        self._plan(PLAN_DELAY_SECONDS)

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def _plan(self, delay: float = 0.0) -> None:
        choice = self._choice()
        if choice is None:
            self._show_plan_message(Text(CHOOSE_HINT), "-hint")
            return
        self._show_plan_message(Text(PLANNING), "-hint")
        if delay:
            await asyncio.sleep(delay)
        try:
            plan = await asyncio.to_thread(plan_issue, self.app.ctx, self.member_id, *choice)
        except DomainError as exc:
            self.plan_error = exc.message
            self._show_plan_message(Text(CANNOT_ISSUE + exc.message), "-error")
            return
        except Exception as exc:
            self._show_plan_message(Text(worker_failed(exc)), "-error")
            raise
        self._show_plan(plan)

    def _set_plan(self, plan: IssuePlan | None) -> None:
        self.plan = plan
        self.plan_error = None
        self._refresh_state()

    def _show_plan_message(self, text: Text, kind: str) -> None:
        message = self.query_one("#plan-message", JaText)
        message.remove_class("-hint", "-error")
        message.add_class(kind)
        message.set_text(text)
        message.remove_class("-hidden")
        self.query_one("#fields").add_class("-hidden")
        self.query_one("#plan-notes").add_class("-hidden")
        for box in ("#override-box", "#loss-box"):
            self.query_one(box).add_class("-hidden")

    def _show_plan(self, plan: IssuePlan) -> None:
        self._set_plan(plan)
        self.query_one("#plan-message").add_class("-hidden")
        fields = self.query_one("#fields", FieldsView)
        fields.show(plan.fields)
        fields.remove_class("-hidden")
        notes = self.query_one("#plan-notes", JaText)
        notes.set_text(Text("\n").join(data_text(f"- {n}") for n in plan.notes))
        notes.set_class(not plan.notes, "-hidden")
        self.query_one("#override-box").set_class(not plan.needs_override, "-hidden")
        self.query_one("#loss-box").set_class(not plan.needs_loss_report_reason, "-hidden")
        title = Text(TITLE + "  ")
        title.append_text(data_text(dict(plan.fields).get("氏名", "")))
        self.query_one("#issue-title", Static).update(title)

    # ------------------------------------------------------------------ confirming

    def _can_confirm(self) -> bool:
        return self.plan is not None and not self.running and not self.done

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm" and not self._can_confirm():
            return None  # shown dimmed: the clerk sees the key, and that it is not ready
        return True

    def _refresh_state(self) -> None:
        self.query_one("#confirm", Button).disabled = not self._can_confirm()
        self.refresh_bindings()

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        if not self._can_confirm():
            return
        plan = self.plan
        assert plan is not None
        self._clear_field_errors()
        self._message(Text(""))
        override = self.query_one("#override", Input).value
        loss = self.query_one("#loss", Input).value
        note = self.query_one("#note", Input).value
        # The services refuse these too; asking here keeps the clerk at the field, before any write.
        if plan.needs_override and not override.strip():
            self._field_error("override", OVERRIDE_REQUIRED)
            return
        if plan.needs_loss_report_reason and not loss.strip():
            self._field_error("loss", LOSS_REQUIRED)
            return
        self.running = True  # before the worker starts: a second Ctrl+S finds the action off
        self._refresh_state()
        self._issue(plan, override_reason=override if plan.needs_override else None,
                    no_loss_report_reason=loss if plan.needs_loss_report_reason else None,
                    reason_note=note or None)

    @work(exclusive=True, group="issue", exit_on_error=False)
    async def _issue(self, plan: IssuePlan, **reasons: str | None) -> None:
        self._phase[0] = "issue"
        self._started = time.monotonic()
        self._show_progress()
        ticker = self.set_interval(0.1, self._show_progress)
        try:
            # The output folder and print command are checked before the document is issued;
            # once it is issued, a failed print must not look like a failed issue.
            done = await asyncio.to_thread(issue_and_print, self.app.ctx, plan,
                                           on_issued=lambda _: self._phase.__setitem__(0, "print"), **reasons)
        except ConflictError as exc:
            self._message(Text(f"{exc.message}\n{CONFLICT_AFTER}"), "-error")
            self._set_plan(None)  # stale: nothing is issued from it while the new one is read
            self._plan()  # the message stays
            return
        except DomainError as exc:
            self._domain_error(exc)
            return
        except Exception as exc:
            self._message(Text(worker_failed(exc)), "-error")
            raise  # the screen's worker handler notifies and logs it
        finally:
            ticker.stop()
            self.running = False
            self._refresh_state()
        self._show_result(done.issued, done.printed, done.print_error)

    def _show_progress(self) -> None:
        if not self.running:
            return
        text = Text(WORKING)
        if time.monotonic() - self._started >= SLOW_SECONDS:
            text.append("  " + (PRINTING if self._phase[0] == "print" else WAITING))
        self._message(text, "-busy")

    def _domain_error(self, exc: DomainError) -> None:
        where = FIELD_INPUTS.get(exc.field or "")
        if where is not None and not self.query_one(f"#{where}-box").has_class("-hidden"):
            self._field_error(where, exc.message)
            self._message(Text(""))
        else:
            self._message(Text(exc.message), "-error")

    def _show_result(self, issued: Issued, printed: Printed | None, print_error: BaseException | None) -> None:
        self.done = True
        self.issued, self.printed = issued, printed
        doc = issued.document
        for widget in self.query(ChoiceBar):
            widget.disabled = True
        for widget in self.query(Input):
            widget.disabled = True
            if not widget.value:  # an empty optional field says nothing about what was issued
                widget.parent.parent.add_class("-hidden")
        self.query_one("#confirm").add_class("-hidden")
        for explanation in self.query(".explain"):
            explanation.add_class("-hidden")  # asks for input that is no longer wanted
        self._refresh_state()
        self._message(Text(""))
        text = Text()
        text.append("交付しました: ", style="bold")
        text.append(f"{doc.kind.label}  ")
        text.append_text(data_text(doc.serial))
        result = self.query_one("#issue-result", JaText)
        if printed is not None:
            text.append("\nファイル: ")
            text.append_text(data_text(str(printed.path)))
            text.append("\n")
            text.append_text(data_text(printed.print_message or NO_PRINT_COMMAND))
            result.remove_class("-failed")
        else:
            self.app.report_error(print_error)  # type: ignore[attr-defined]
            text.append("\nPDF を作成できませんでした。交付は記録済みです（もう一度交付しないでください）。"
                        "管理者に連絡してください。", style="bold")
            result.add_class("-failed")
        text.append(f"\n{DONE_HINT}", style="dim")
        result.set_text(text)
        result.remove_class("-hidden")
        self.set_focus(None)

    # ------------------------------------------------------------------ messages

    def _message(self, text: Text, kind: str = "") -> None:
        message = self.query_one("#issue-message", JaText)
        message.remove_class("-error", "-busy")
        if kind:
            message.add_class(kind)
        message.set_text(text)

    def _field_error(self, where: str, message: str) -> None:
        error = self.query_one(f"#{where}-error", JaText)
        error.set_text(Text(message))
        error.remove_class("-hidden")
        self.query_one(f"#{where}", Input).focus()

    def _clear_field_errors(self) -> None:
        for error in self.query(".field-error"):
            error.add_class("-hidden")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.query_one(f"#{event.input.id}-error").add_class("-hidden")

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.focus_next()

    # ------------------------------------------------------------------ leaving

    def action_cancel(self) -> None:
        if self.running:
            # The transaction finishes whatever the screen does; leaving now would hide its result.
            self.app.notify("交付の処理中です。終わるまでお待ちください。", timeout=3, markup=False)
            return
        self.dismiss()
