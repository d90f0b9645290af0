"""被保険者証滅失届 (R8) typed from the paper: which document, when and how it was lost, the police
report for a theft, and whether a 資格確認書 is to be reissued."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.binding import Binding

from clerk_tui.domain.codes import DocumentKind, LossCircumstance
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.applications import LossReportInput, record_loss_report
from clerk_tui.ui.screens.form import (
    FieldSpec,
    FormScreen,
    choice_field,
    date_field,
    info_field,
    text_field,
    tick_field,
)
from clerk_tui.ui.text import code_choices, code_label, data_text, wareki
from clerk_tui.ui.widgets.date_input import DateInput

TITLE = "被保険者証滅失届の受付"
HINT = "届出書の記載どおりに入力し、Ctrl+S で受け付けます（Enter で次の項目、選択欄は数字か左右キー）。"
KINDS = [DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD, DocumentKind.ELIGIBILITY_CERTIFICATE]
NEED_KIND = "滅失した書類を選んでください。"
NEED_CIRCUMSTANCE = "滅失の状況を選んでください。"
REISSUE_LABEL = "資格確認書の再交付を希望する"
POLICE_HINT = "警察署名・受理番号"


class LossReportScreen(FormScreen):
    FORM_TITLE = TITLE
    HINT = HINT
    BINDINGS = [
        Binding("p", "print", "滅失届", tooltip="滅失届（PDF、署名欄は空欄）を出力する", id="loss_report.print"),
        Binding("i", "issue", "再交付", tooltip="資格確認書を再交付する（交付の画面を開く）", id="loss_report.issue"),
    ]

    def __init__(self, member_id: int, *, document_kind: DocumentKind | None = None) -> None:
        super().__init__(member_id)
        self.document_kind = document_kind
        self.reissue_requested = False

    def fields(self) -> tuple[FieldSpec, ...]:
        return (
            info_field("加入員", id="member-line"),
            choice_field("kind", "滅失した書類", code_choices(KINDS), id="kind", value=self.document_kind,
                         also=("document",)),
            date_field("lost_on", "滅失日", id="lost-on", placeholder="例: R7.11.1"),
            date_field("received_on", "受付日", id="received", today=True),
            choice_field("circumstance", "状況", code_choices(LossCircumstance), id="circumstance"),
            text_field("police_report_ref", "警察への届出", id="police", placeholder=POLICE_HINT, max_len=60,
                       paper_label="警察への届出（受理番号など）", also=("警察への届出（受理番号など）",),
                       row_id="police-row", hidden=True),
            tick_field("reissue_requested", "再交付", REISSUE_LABEL, id="reissue"),
        )

    def form_mounted(self) -> None:
        self.widget("circumstance").on_choose = self._circumstance_changed  # before a Tab typed behind it
        if self.document_kind is not None:  # chosen by the screen that opened this one
            self.query_one("#lost-on", DateInput).focus()

    def _circumstance_changed(self, circumstance: LossCircumstance | None) -> None:
        # The police report is asked for a theft only (the service requires it then).
        self.show_field("police_report_ref", circumstance is LossCircumstance.STOLEN)

    def build_input(self) -> LossReportInput:
        kind = self.value("kind")
        if kind is None:
            raise DomainError(NEED_KIND, field="kind")
        lost_on = self.value("lost_on")
        received_on = self.value("received_on")
        circumstance = self.value("circumstance")
        if circumstance is None:
            raise DomainError(NEED_CIRCUMSTANCE, field="circumstance")
        return LossReportInput(
            member_id=self.member_id, document_kind=kind, lost_on=lost_on, received_on=received_on,
            circumstance=circumstance, police_report_ref=self.value("police_report_ref"),
            reissue_requested=self.value("reissue_requested"))

    def service_call(self, data: LossReportInput) -> Callable[[], Any]:
        ctx = self.app.ctx
        return lambda: record_loss_report(ctx, data)

    def show_recorded(self, record) -> None:
        self.reissue_requested = record.reissue_requested
        kind = code_label(record.document_kind)
        text = Text("受け付けました。", style="bold")
        if record.document_id is not None:
            text.append(f"{kind}の交付記録を「滅失」にしました。\n")
        else:
            text.append(f"有効な{kind}の交付記録がないため、届出のみ記録しました。\n")
        text.append("p で滅失届（PDF）を出力します。ご本人の署名をもらってください。")
        if record.reissue_requested:
            text.append("\n再交付の希望があります。i で資格確認書を交付します。", style="bold")
        self.say_outcome(text, "success")
        self.refresh_bindings()

    def existing_summary(self, detail, record_id: int) -> Text | None:
        for r in detail.loss_reports:
            if r.id == record_id:
                text = Text(f"{code_label(r.document_kind)}  滅失日 {wareki(r.lost_on)}  "
                            f"受付日 {wareki(r.received_on)}  {code_label(r.circumstance)}")
                if r.police_report_ref:
                    text.append("  警察 ")
                    text.append_text(data_text(r.police_report_ref))
                if r.reissue_requested:
                    text.append("  再交付希望")
                if r.found_on:
                    text.append(f"  発見 {wareki(r.found_on)}")
                return text
        return None

    def duplicate_keys(self) -> str:
        return "p でその滅失届を出力します。e で入力に戻って修正できます（滅失日の誤りなど）。"

    def print_call(self, record_id: int) -> Any:
        from clerk_tui.services.letters import print_loss_report

        return print_loss_report(self.app.ctx, record_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print":
            return self.state in ("recorded", "duplicate")
        if action == "issue":
            return self.state == "recorded" and self.reissue_requested
        return super().check_action(action, parameters)

    def action_issue(self) -> None:
        if not (self.state == "recorded" and self.reissue_requested):
            return
        try:
            from clerk_tui.ui.screens.issue import IssueScreen
        except ModuleNotFoundError as exc:
            if exc.name != "clerk_tui.ui.screens.issue":
                raise
            self.say(Text("交付の画面がまだありません。加入員の画面から交付してください。"), "error")
            return
        self.app.push_screen(IssueScreen(self.member_id))
