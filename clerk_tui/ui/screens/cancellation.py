"""利用登録解除申請 (R7) typed from the paper form, from a member's screen or from the 受付 entry
point by 記号・番号."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from clerk_tui.domain import rules
from clerk_tui.domain.codes import CancellationStatus, DocumentKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import TextKind
from clerk_tui.services.applications import (
    CancellationInput,
    MismatchError,
    cancellation_needs_legacy_answer,
    record_cancellation,
)
from clerk_tui.services.members import member_by_code, reload_member
from clerk_tui.ui.screens.form import (
    EDIT_HINT,
    FieldSpec,
    FormScreen,
    choice_field,
    code_field,
    date_field,
    info_field,
    text_field,
)
from clerk_tui.ui.text import code_label, data_text, wareki
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.tick import Tick

# ------------------------------------------------------------------ wording (one place)

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
HOLDS_CERTIFICATE_NOTE = ("有効な資格確認書をお持ちのため、新たな交付はありません（その資格確認書を引き続き使えます）。"
                          "完了の通知は送りません（ご本人はマイナポータルで確認できます）。")
NEEDS_LOSS_REPORT = "健康保険証の滅失届が必要です。l で滅失届を受け付けます（それまで申請は「受付」のままです）。"


def effective_text(received_on) -> Text:
    text = Text("解除予定日  ", style="bold")
    if received_on is None:
        return Text(EFFECTIVE_NONE, style="dim")
    text.append(wareki(rules.cancellation_effective_on(received_on)), style="bold")
    text.append(EFFECTIVE_NOTE)
    return text


# ------------------------------------------------------------------ the cancellation form


class CancellationScreen(FormScreen):
    """`member_id` None: the 受付 entry point, which starts with the 記号・番号 from the paper."""

    FORM_TITLE = CANCEL_TITLE
    HINT = CANCEL_HINT
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

    def fields(self) -> tuple[FieldSpec, ...]:
        if self.by_code:
            member = (code_field("member_code", "記号・番号", id="code", placeholder="例: 1234-567-01", classes="short",
                                 also=("member",)),
                      info_field("", id="member-line", text=Text(CODE_WAITING, style="dim"), beside=True))
        else:
            member = (info_field("加入員", id="member-line"),)
        return (
            *member,
            text_field("applicant_name", "氏名", id="name", placeholder="申請書の記載どおり", max_len=60,
                       kind=TextKind.NAME, also=("氏名",)),
            date_field("birth", "生年月日", id="birth", placeholder="例: S57.7.7"),
            text_field("applicant_address", "住所", id="address", max_len=200, kind=TextKind.ADDRESS,
                       also=("住所",)),
            text_field("applicant_phone", "連絡先", id="phone", placeholder="電話番号", classes="short", max_len=20,
                       kind=TextKind.CODE, also=("連絡先",)),
            text_field("reason", "理由（任意）", id="reason", paper_label="理由", max_len=200, also=("理由",)),
            date_field("received_on", "受付日", id="received", today=True),
            text_field("proxy_name", "代理人", id="proxy-name", placeholder="代理申請のとき氏名", classes="name",
                       paper_label="代理人氏名", max_len=60, kind=TextKind.NAME, also=("代理人氏名",)),
            text_field("proxy_relationship", "本人との関係", id="proxy-rel", placeholder="例: 夫", classes="short",
                       paper_label="代理人との関係", max_len=30, also=("代理人との関係",), beside=True),
            choice_field("legacy_card_at_hand", "健康保険証", LEGACY_OPTIONS, id="legacy", row_id="legacy-row",
                         hidden=True),
        )

    def compose_fields(self) -> ComposeResult:
        yield from super().compose_fields()
        yield Tick(ACCEPT_LABEL, id="accept", classes="-hidden")
        yield Static(effective_text(self.app.ctx.clock.today()), id="effective", classes="info-line")

    def form_mounted(self) -> None:
        if self.by_code:
            self.query_one("#code", Input).focus()
            self.say(Text(CODE_HINT), "hint")

    def show_member(self, member) -> None:
        super().show_member(member)
        self._check_legacy()
        if not self.by_code and (refusal := rules.cancellation_refusal(member.card_status)) is not None:
            self.say(Text(refusal), "error")  # R7: say so before the clerk types the paper in

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
            self.say(Text(f"この方は{wareki(member.lost_on)}に資格を喪失しています。"
                          "利用登録解除申請は受け付けられません。"), "error")
        elif (refusal := rules.cancellation_refusal(member.card_status)) is not None:
            self.say(Text(refusal), "error")  # R7: no registration to cancel
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
        self.show_field("legacy_card_at_hand", needed)

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

    def build_input(self) -> CancellationInput:
        if self.member_id is None:
            raise DomainError(NEED_MEMBER, field="member_code")
        birth = self.value("birth")
        received_on = self.value("received_on")
        accept = self.query_one("#accept", Tick)
        return CancellationInput(
            member_id=self.member_id, applicant_name=self.value("applicant_name"), applicant_birth_date=birth,
            received_on=received_on, applicant_address=self.value("applicant_address"),
            applicant_phone=self.value("applicant_phone"), reason=self.value("reason"),
            proxy_name=self.value("proxy_name"), proxy_relationship=self.value("proxy_relationship"),
            accept_mismatch=accept.value and not accept.has_class("-hidden"),
            legacy_card_at_hand=self.value("legacy_card_at_hand"))

    def service_call(self, data: CancellationInput) -> Callable[[], Any]:
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
        text = Text(f"受け付けました（状態: {code_label(record.status)}）。", style="bold")
        text.append("\n")
        if record.status is CancellationStatus.RECEIVED:
            text.append(NEEDS_LOSS_REPORT + "\n", style="bold")
        text.append((HOLDS_CERTIFICATE_NOTE if record.status is CancellationStatus.COMPLETED
                     else CERTIFICATE_NOTE) + "\n")
        text.append("p で受付控（PDF）を出力します。")
        self.say_outcome(text, "notice" if record.status is CancellationStatus.RECEIVED else "success")

    def existing_summary(self, detail, record_id: int) -> Text | None:
        for c in detail.cancellations:
            if c.id == record_id:
                text = Text(f"受付日 {wareki(c.received_on)}  状態 {code_label(c.status)}  "
                            f"解除予定日 {wareki(c.effective_on)}  申請者 ")
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
