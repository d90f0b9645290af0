"""立替払 (療養費) intake for one patient (R12): the claim's data and papers, with the estimate,
deadline, likely cause and missing papers recomputed as the clerk types."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind
from clerk_tui.domain.money import parse_yen
from clerk_tui.domain.wareki import parse_month
from clerk_tui.services.applications import DuplicateError
from clerk_tui.services.reimbursement import (
    DEADLINE_WARNING_DAYS,
    PAPERS,
    ClaimAssessment,
    ClaimInput,
    assess,
    get_claim,
    missing_papers,
    record_claim,
)
from clerk_tui.services.rows import ClaimRow
from clerk_tui.ui.text import code_label, data_text, labelled, member_kind, wareki, wareki_month, yen
from clerk_tui.ui.screens.form import FieldSpec, FormScreen, code_field, date_field, info_field, text_field, tick_field
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.tick import Tick

# The three papers (R12) in the service's order, with the wording of the checklist. A clinic's
# ordinary 診療明細書 is the usual mistake, so the レセプト label says it does not count.
PAPER_LABELS = {
    "receipt_received": "領収書（原本）",
    "medical_statement_received": "レセプト（診療報酬明細書。診療明細書は不可）",
    "claim_form_received": "立替払 請求書",
}
PAPER_IDS = {"receipt_received": "receipt", "medical_statement_received": "statement",
             "claim_form_received": "claim-form"}

# The service names a field by its parameter or, for amounts, by the label parse_yen was given.
FIELD_WIDGETS = {
    "treatment_month": "month",
    "paid_on": "paid-on",
    "支払額（10割）": "amount",
    "amount_paid": "amount",
    "診療報酬額": "cost",
    "fee_schedule_cost": "cost",
    "late_reason": "late-reason",
    "institution_name": "institution",
}
AMOUNT_LABEL = "支払額（10割）"
COST_LABEL = "診療報酬額"


def claim_reference(claim_id: int) -> str:
    # The number printed on the letters (letters.claim_reference), so the clerk can quote it.
    from clerk_tui.services.letters import claim_reference as ref

    return ref(claim_id)


def missing_text(missing: list[str]) -> str:
    return "、".join(missing) if missing else "なし"


class _Duplicate(DomainError):
    """A DuplicateError with the claim it points at, read in the save's thread."""

    def __init__(self, exc: DuplicateError, existing: ClaimRow | None) -> None:
        super().__init__(exc.message, field="institution_name")
        self.duplicate = exc
        self.existing = existing


def _echo_field(widget_id: str, text: str = "") -> FieldSpec:
    """The read-back beside an input (the month in 和暦, an amount in yen, or why it cannot be read)."""
    return FieldSpec(f"{widget_id}-echo", "", lambda _today: Static(Text(text), classes="echo", id=f"{widget_id}-echo"),
                     f"{widget_id}-echo", beside=True, has_value=False)


def _paper_fields() -> tuple[FieldSpec, ...]:
    return tuple(tick_field(key, "書類" if i == 0 else "", label, id=PAPER_IDS[key])
                 for i, (key, label) in enumerate(PAPER_LABELS.items()))


class ClaimScreen(FormScreen):
    FORM_TITLE = "立替払の受付"
    HINT = ""
    FIELDS = (
        info_field("加入員", id="claim-patient"),
        text_field("institution_name", "医療機関名", id="institution", max_len=100, kind=TextKind.NAME,
                   placeholder="病院・診療所・薬局の名称"),
        tick_field("is_pharmacy", "", "薬局", id="pharmacy", beside=True),
        code_field("treatment_month", "診療月", id="month", placeholder="例: R7.10"),
        _echo_field("month"),
        date_field("paid_on", "支払日", id="paid-on", placeholder="例: R7.10.15"),
        code_field("amount_paid", "支払額", id="amount", placeholder="10割の額", also=(AMOUNT_LABEL,)),
        _echo_field("amount"),
        code_field("fee_schedule_cost", "診療報酬額", id="cost", placeholder="違うときのみ", also=(COST_LABEL,)),
        _echo_field("cost", "支払額と異なるときだけ入力"),
        *_paper_fields(),
        text_field("late_reason", "遅延理由", id="late-reason", max_len=200, placeholder="期限後に受け付ける理由",
                   paper_label="期限後の受付理由", row_id="late-row", hidden=True),
    )

    DEFAULT_CSS = """
    ClaimScreen #month, ClaimScreen #amount, ClaimScreen #cost { width: 16; }
    ClaimScreen #paid-on > Input { width: 16; }
    ClaimScreen .field-row Input.-bad { background: $error-muted; }
    ClaimScreen .echo { width: 1fr; height: auto; padding: 0 1; color: $text-muted; }
    ClaimScreen .echo.-error { color: $text-error; text-style: bold; }
    ClaimScreen #late-row .field-label { color: $text-error; text-style: bold; }
    ClaimScreen #assessment { height: auto; padding: 0 1; margin-top: 1; }
    ClaimScreen #assessment-title { text-style: bold underline; }
    ClaimScreen #assessment .-warning { color: $text-warning; text-style: bold; }
    ClaimScreen #assessment .-expired { color: $text-error; text-style: bold; }
    ClaimScreen #assessment .-blocked { color: $text-error; text-style: bold; }
    ClaimScreen #assessment .-hint { color: $text-muted; }
    """

    BINDINGS = [
        # The clerk's word for recording a claim is 受付 (the form's Ctrl+S, named as before).
        Binding("ctrl+s", "save", "受付", tooltip="この内容で請求を受け付ける", id="claim.save"),
        Binding("p", "print_letter", "不足書類通知", tooltip="不足書類のお知らせ（PDF）を出力",
                id="claim.print_letter"),
        Binding("n", "next_claim", "次の請求", tooltip="同じ方の次の請求（薬局など）を受け付ける",
                id="claim.next"),
    ]

    def __init__(self, member_id: int) -> None:
        super().__init__(member_id)
        self._seq = 0  # bumped on every change; an assessment for an older number is stale
        self.assessment: ClaimAssessment | None = None
        self.assess_error: DomainError | None = None
        self.saved: ClaimRow | None = None
        self.existing: ClaimRow | None = None  # the claim a duplicate points at
        self.last_letter = None  # the missing-papers letter last written (path, message)
        self._assessed: ClaimInput | None = None  # the input the shown assessment is for

    @property
    def saving(self) -> bool:
        return self.state == "saving"

    @saving.setter
    def saving(self, value: bool) -> None:
        self.state = "saving" if value else "editing"

    # ------------------------------------------------------------------ layout

    def compose_after_fields(self) -> ComposeResult:
        # The form's preview: what the claim would come to, recomputed as the clerk types.
        with Vertical(id="assessment"):
            yield Static(Text("見込み"), id="assessment-title")
            yield JaText(id="a-refund")
            yield JaText(id="a-deadline")
            yield JaText(id="a-cause")
            yield JaText(id="a-missing")

    def form_mounted(self) -> None:
        self._show_assessment()

    def show_member(self, member) -> None:
        text = Text(member.member_code)
        text.append("  ")
        text.append_text(data_text(member.full_name, style="bold"))
        text.append("  ")
        text.append(member_kind(member))
        text.append("  資格取得 ", style="dim")
        text.append(wareki(member.acquired_on))
        self.query_one("#claim-patient", Static).update(text)

    # ------------------------------------------------------------------ reading the fields

    def _input(self, widget_id: str) -> Input:
        return self.query_one(f"#{widget_id}", Input)

    def _echo(self, widget_id: str, text: str | Text, error: bool = False) -> None:
        echo = self.query_one(f"#{widget_id}-echo", Static)
        echo.update(text if isinstance(text, Text) else Text(text))
        echo.set_class(error, "-error")

    def _read_month(self) -> date | None:
        text = self._input("month").value
        if not text.strip():
            self._echo("month", "")
            return None
        try:
            month = parse_month(text, field="treatment_month")
        except DomainError as exc:
            self._echo("month", exc.message, error=True)
            return None
        self._echo("month", wareki_month(month))
        return month

    def _read_amount(self) -> str | None:
        text = self._input("amount").value
        if not text.strip():
            self._echo("amount", "")
            return None
        try:
            amount = parse_yen(text, label=AMOUNT_LABEL)
        except DomainError as exc:
            self._echo("amount", exc.message, error=True)
            return None
        self._echo("amount", yen(amount))
        return text

    def _read_cost(self) -> tuple[bool, str | None]:
        """(valid, text): an empty cost is valid (the amount paid is the base)."""
        text = self._input("cost").value
        if not text.strip():
            self._echo("cost", "支払額と異なるときだけ入力")
            return True, None
        try:
            cost = parse_yen(text, label=COST_LABEL)
        except DomainError as exc:
            self._echo("cost", exc.message, error=True)
            return False, None
        self._echo("cost", yen(cost))
        return True, text

    def _claim_input(self) -> tuple[ClaimInput | None, list[str]]:
        """The form as the service's input, or None with the names of what is still missing."""
        month = self._read_month()
        paid = self.query_one(DateInput)
        amount = self._read_amount()
        cost_ok, cost = self._read_cost()
        pending = [name for name, ok in (("診療月", month), ("支払日", paid.value), ("支払額", amount),
                                         ("診療報酬額", cost_ok)) if not ok]
        if pending:
            return None, pending
        late = self.shown("late_reason")
        return ClaimInput(
            member_id=self.member_id,
            institution_name=self._input("institution").value,
            treatment_month=month,
            paid_on=paid.value,
            amount_paid=amount,
            is_pharmacy=self.query_one("#pharmacy", Tick).value,
            fee_schedule_cost=cost,
            late_reason=self._input("late-reason").value if late else None,
            **{key: self.query_one(f"#{PAPER_IDS[key]}", Tick).value for key in PAPER_LABELS},
        ), []

    # ------------------------------------------------------------------ live assessment

    @on(Input.Changed)
    @on(DateInput.Changed)
    @on(Tick.Changed)
    def _changed(self, event) -> None:
        if self.saved is not None:
            return
        widget = getattr(event, "control", None)
        if widget is not None:
            target = widget.query_one(Input) if isinstance(widget, DateInput) else widget
            target.remove_class("-bad")
        self.existing = None
        self._set_message("")
        self._reassess()

    def _reassess(self) -> None:
        self._seq += 1
        data, pending = self._claim_input()
        if data is None:
            self.workers.cancel_group(self, "assess")
            self.assessment, self.assess_error = None, None
            self._show_assessment(pending)
            return
        self._assess(data, self._seq)

    @work(exclusive=True, group="assess", exit_on_error=False)
    async def _assess(self, data: ClaimInput, seq: int) -> None:
        # Every change is assessed at once, without waiting for the typing to stop: an assessment
        # reads one member (under 1 ms at 10,000 members), so assessments never queue up behind
        # the keys. exclusive=True cancels a waiting assessment when the clerk types on; one
        # already in its thread finishes, and its result is dropped below when a newer change came in.
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return  # a later change came meanwhile: its own assessment follows
        try:
            _member, assessment, _amount, _cost = await asyncio.to_thread(assess, self.app.ctx, data)
            error = None
        except DomainError as exc:
            assessment, error = None, exc
        if seq != self._seq or self.saved is not None:
            return
        self.assessment, self.assess_error, self._assessed = assessment, error, data
        self._show_assessment()

    def _show_assessment(self, pending: list[str] | None = None) -> None:
        refund, deadline, cause, missing = (self.query_one(f"#a-{n}", JaText)
                                            for n in ("refund", "deadline", "cause", "missing"))
        for line in (refund, deadline, cause, missing):
            line.remove_class("-warning", "-expired", "-blocked", "-hint")
            line.display = True
        a, error = self.assessment, self.assess_error
        self._clear_field_errors()
        if error is not None:
            self._show_field_error(error)
            target = FIELD_WIDGETS.get(error.field or "")
            # A month outside the qualification (another insurer's claim) or in the future stops
            # the intake: the whole message goes in the panel, where the clerk reads the result.
            if target in (None, "month"):
                refund.set_text(Text("受付できません: " + error.message))
                refund.add_class("-blocked")
            else:
                refund.set_text(Text("入力を確認してください（見込みを計算できません）"))
                refund.add_class("-hint")
            for line in (deadline, cause, missing):
                line.display = False
            self.show_field("late_reason", False)
            return
        if a is None:
            wanted = "・".join(pending or ["診療月", "支払日", "支払額"])
            refund.set_text(Text(f"{wanted}を入力すると、給付見込額・請求期限・原因の見込みを表示します。"))
            refund.add_class("-hint")
            for line in (deadline, cause):
                line.display = False
            missing.set_text(labelled("不足書類", missing_text(self._missing_now())))
            self.show_field("late_reason", False)
            return
        refund.set_text(self._refund_text(a, self._assessed))
        deadline.set_text(self._deadline_text(a.deadline, a.days_left))
        if a.days_left < 0:
            deadline.add_class("-expired")
        elif a.days_left <= DEADLINE_WARNING_DAYS:
            deadline.add_class("-warning")
        cause.set_text(labelled("原因の見込み", a.cause))
        state = "受付完了になります" if not a.missing else "不備として受付になります"
        missing.set_text(labelled("不足書類", f"{missing_text(a.missing)}（{state}）"))
        self.show_field("late_reason", a.days_left < 0)

    def _missing_now(self) -> list[str]:
        return [PAPERS[key] for key in PAPER_LABELS if not self.query_one(f"#{PAPER_IDS[key]}", Tick).value]

    def _refund_text(self, a: ClaimAssessment, data: ClaimInput) -> Text:
        cost = parse_yen(data.fee_schedule_cost, label=COST_LABEL) if data.fee_schedule_cost else None
        # R12: the share is of the cost counted, the fee-schedule cost but never more than was paid.
        counted = "診療報酬額" if cost is not None and a.counted_cost == cost else "支払額"
        text = labelled("負担割合", f"{a.copay_ratio}割")
        text.append("  ")
        text.append_text(labelled("給付見込額", Text(yen(a.estimated_refund), style="bold")))
        note = f"（{counted} {yen(a.counted_cost)}の{10 - a.copay_ratio}割"
        if cost is not None and a.counted_cost < cost:
            note += f"。支払額が診療報酬額 {yen(cost)}より少ないため"
        text.append(note + "）")
        return text

    def _deadline_text(self, deadline: date, days_left: int) -> Text:
        if days_left < 0:
            left = f"期限切れ {-days_left}日経過。遅延理由の入力が必要"
        elif days_left == 0:
            left = "注意: 今日が期限"
        elif days_left <= DEADLINE_WARNING_DAYS:
            left = f"注意: あと{days_left}日"
        else:
            left = f"あと{days_left}日"
        return labelled("請求期限", f"{wareki(deadline)}（{left}）")

    # ------------------------------------------------------------------ field errors

    def _clear_field_errors(self) -> None:
        for widget in self.query(".-bad"):
            widget.remove_class("-bad")
        # Re-read the fields so that an echo that carried a service error shows the value again.
        self._read_month()
        self._read_amount()
        self._read_cost()
        paid = self.query_one(DateInput)
        if paid.value is not None:  # the service judged a date the widget read: show it again
            echo = paid.query_one(".date-echo", Static)
            echo.update(Text(wareki(paid.value)))
            echo.set_class(False, "-error")

    def _show_field_error(self, error: DomainError) -> Input | None:
        """Put the service's message at its field; returns the input to focus."""
        target = FIELD_WIDGETS.get(error.field or "")
        if target is None:
            return None
        if target == "paid-on":
            paid = self.query_one(DateInput)
            echo = paid.query_one(".date-echo", Static)
            echo.update(Text(error.message))
            echo.set_class(True, "-error")
            widget = paid.query_one(Input)
        elif target == "month":
            # The month itself was read; the panel says why it cannot be taken.
            widget = self._input("month")
            self.query_one("#month-echo").set_class(True, "-error")
        elif target in ("amount", "cost"):
            self._echo(target, error.message, error=True)
            widget = self._input(target)
        elif target == "late-reason":
            # The message line says why; the row is already marked as the one to fill in.
            self.show_field("late_reason")
            widget = self._input(target)
        else:
            widget = self._input(target)
        widget.add_class("-bad")
        return widget

    def _set_message(self, message: str | Text, error: bool = False) -> None:
        self.say(message, "error" if error else "hint")

    # ------------------------------------------------------------------ keys and saving

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print_letter":
            return self.saved is not None and bool(missing_papers(self.saved))
        if action == "next_claim":
            return self.saved is not None
        return super().check_action(action, parameters)

    def build_input(self) -> ClaimInput:
        data, pending = self._claim_input()
        if data is None:
            first = {"診療月": "treatment_month", "支払日": "paid_on", "支払額": "amount_paid",
                     "診療報酬額": "fee_schedule_cost"}[pending[0]]
            raise DomainError(f"{'・'.join(pending)}を正しく入力してください。", field=first)
        return data

    def service_call(self, data: ClaimInput) -> Callable[[], Any]:
        ctx = self.app.ctx

        def call() -> ClaimRow:
            try:
                return record_claim(ctx, data)
            except DuplicateError as exc:
                raise _Duplicate(exc, self._find_claim(exc.existing_id)) from exc

        return call

    def show_error(self, exc: DomainError) -> None:
        """A refusal: marked at its field (the cursor goes there), the message under the form."""
        if isinstance(exc, _Duplicate):
            self._show_duplicate(exc.duplicate, exc.existing)
            return
        widget = self._show_field_error(exc)
        if widget is not None:
            widget.focus()
        self._set_message(exc.message + "受付していません。", error=True)

    def show_recorded(self, record: ClaimRow) -> None:
        self._show_saved(record)

    @staticmethod
    def _find_claim(claim_id: int) -> ClaimRow | None:
        try:
            return get_claim(claim_id)
        except DomainError:  # withdrawn meanwhile: the message still names the duplicate
            return None

    def _show_duplicate(self, exc: DuplicateError, existing: ClaimRow | None) -> None:
        self.existing = existing
        self._input("institution").add_class("-bad")
        self._input("institution").focus()
        text = Text(exc.message + "重複のため受付していません。")
        if existing is not None:
            text.append("\n既存の請求 ", style="dim")
            text.append(claim_reference(existing.id))
            text.append("  ")
            text.append_text(data_text(existing.institution_name))
            if existing.is_pharmacy:
                text.append("（薬局）")
            text.append(f"  {wareki_month(existing.treatment_month)}  {yen(existing.amount_paid)}"
                        f"  状態 {code_label(existing.status)}  不足書類 {missing_text(missing_papers(existing))}")
            if existing.forwarded_on:
                text.append(f"  回付 {wareki(existing.forwarded_on)}")
            text.append("\n書類の追加は立替払一覧（F9）で行います。")
        self._set_message(text, error=True)

    def _show_saved(self, claim: ClaimRow) -> None:
        self.saved = claim
        missing = missing_papers(claim)
        # The panel now describes what was stored, not what would happen.
        self.query_one("#assessment-title", Static).update(Text("受付した内容"))
        self.query_one("#a-missing", JaText).set_text(labelled("不足書類", missing_text(missing)))
        self._show_saved_message()
        self.refresh_bindings()

    def _show_saved_message(self, letter=None) -> None:
        claim = self.saved
        missing = missing_papers(claim)
        text = Text()
        text.append(f"受付しました（受付番号 {claim_reference(claim.id)}）  状態 ")
        text.append(code_label(claim.status), style="bold reverse")
        if missing:
            text.append("（不足書類は上のとおり）")
        if letter is not None:
            text.append(f"\n{letter.message}\n")
            text.append(str(letter.path), style="dim")
            if getattr(letter, "print_message", None):
                text.append(f"\n{letter.print_message}")
        keys = "p: 不足書類のお知らせを出力  " if missing else ""
        text.append(f"\n{keys}n: 次の請求  Esc: 戻る", style="dim")
        self.say(text, "success")

    def action_print_letter(self) -> None:
        if self.saved is not None:
            self._print_letter(self.saved.id)

    @work(exclusive=True, group="print", exit_on_error=False)
    async def _print_letter(self, claim_id: int) -> None:
        from clerk_tui.services.letters import print_missing_papers_letter

        self._set_message("不足書類のお知らせを作成しています。")
        try:
            result = await asyncio.to_thread(print_missing_papers_letter, self.app.ctx, claim_id)
        except DomainError as exc:
            self._set_message(exc.message, error=True)
            return
        self.last_letter = result
        self._show_saved_message(result)

    def action_next_claim(self) -> None:
        """A second claim for the same patient (a pharmacy after the clinic): the month and the
        payment date stay, the rest starts empty."""
        if self.saved is None:
            return
        self.saved = None
        self.existing = None
        self.record_id = None
        self._outcome = None
        self._set_state("editing")
        for widget_id in ("institution", "amount", "cost", "late-reason"):
            self._input(widget_id).value = ""
        for box in self.query("#fields Tick"):
            box.value = False
        self._set_message("")
        self.query_one("#assessment-title", Static).update(Text("見込み"))
        self.refresh_bindings()
        self._reassess()
        self._input("institution").focus()
