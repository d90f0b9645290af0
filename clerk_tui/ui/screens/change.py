"""変更届 (a change in the member's life: name, address, 標準報酬月額, card situation, My Number
届出, 要配慮者, 基準収入額) and 訂正 (a mistaken entry fixed) on one form: the clerk picks the kind,
that kind's fields appear filled with the registered values, and the preview under the form says
what will change and what follows (certificates to collect, documents queued, the new ratio)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Label

from clerk_tui.domain.codes import CardStatus, RegisterChange
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules import changes as change_rules
from clerk_tui.domain.text import TextKind
from clerk_tui.services.changes import ChangeInput, apply_change, correct, describe, plan_change
from clerk_tui.ui.screens.form import (
    FieldSpec,
    FormScreen,
    choice_field,
    code_field,
    date_field,
    info_field,
    text_field,
    tick_field,
)
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.tick import Tick

# The screen's wording, kept together.
TITLE_CHANGE = "変更届（氏名・住所・標準報酬月額などの変更）"
TITLE_CORRECT = "訂正（誤って登録した内容を直す。変更の履歴にはしない）"
HINT_CHANGE = "種類を数字（1 氏名〜7 収入額）か左右キーで選び、届出の内容を入力して Ctrl+S で記録します。影響は下に表示します。"
HINT_CORRECT = "種類を数字（1 氏名〜7 収入額）か左右キーで選び、正しい内容と理由を入力して Ctrl+S で訂正します（1項目ずつ）。"
PICK_KIND = "変更の種類を選んでください。"
ONE_FIELD = "訂正は1項目ずつ記録します。ほかの項目は元に戻してから訂正してください。"
NOTHING_CORRECTED = "登録内容と同じです。正しい内容を入力してください。"
CORRECTION_NOTE = "訂正として記録します（旧姓・変更前の値としては残りません）。"

# Short labels: seven kinds fit one line at 80 columns.
KIND_LABELS = {
    RegisterChange.NAME_CHANGE: "氏名",
    RegisterChange.ADDRESS_CHANGE: "住所",
    RegisterChange.REMUNERATION: "報酬月額",
    RegisterChange.CARD_STATUS: "カード",
    RegisterChange.MYNUMBER_RECEIVED: "番号届",
    RegisterChange.NEEDS_ASSISTANCE: "要配慮",
    RegisterChange.INCOME_REDUCTION: "収入額",
}
# The card situations a clerk records here (利用登録解除 is recorded with its application).
CARD_CHOICES = [
    ("未取得", CardStatus.NO_CARD), ("未登録", CardStatus.NOT_REGISTERED), ("紛失", CardStatus.CARD_LOST),
    ("更新中", CardStatus.CARD_RENEWING), ("証明書切れ", CardStatus.CERT_EXPIRED),
    ("返納", CardStatus.CARD_RETURNED), ("利用可", CardStatus.USABLE),
]

# Each kind's own rows (the first field of each row; a `beside` field goes with its row).
ROWS: dict[RegisterChange, tuple[str, ...]] = {
    RegisterChange.NAME_CHANGE: ("family_name", "family_name_kana"),
    RegisterChange.ADDRESS_CHANGE: ("postal_code", "address"),
    RegisterChange.REMUNERATION: ("standard_monthly_remuneration",),
    RegisterChange.CARD_STATUS: ("card_status",),
    RegisterChange.MYNUMBER_RECEIVED: (),
    RegisterChange.NEEDS_ASSISTANCE: ("needs_assistance",),
    RegisterChange.INCOME_REDUCTION: ("income_reduction",),
}
VALUE_ROWS = tuple(name for names in ROWS.values() for name in names)


def _blank(value: Any) -> Any:
    """An emptied text field is no value (as the register stores it)."""
    return None if value == "" else value


def _fields() -> tuple[FieldSpec, ...]:
    hidden = {"hidden": True}
    return (
        info_field("加入員", id="member-line"),
        # Without the digits the seven kinds fit at 80 columns; the digits still pick (1 = 氏名).
        choice_field("kind", "種類", [(label, kind) for kind, label in KIND_LABELS.items()], id="ch-kind",
                     numbered=False),
        date_field("effective_from", change_rules.EFFECTIVE_LABEL, id="ch-effective", placeholder="例: R7.12.1",
                   row_id="ch-effective-row", **hidden),
        text_field("family_name", "氏", id="ch-family", max_len=40, kind=TextKind.NAME, classes="name", **hidden),
        text_field("given_name", "名", id="ch-given", max_len=40, kind=TextKind.NAME, classes="name", beside=True),
        text_field("family_name_kana", "氏カナ", id="ch-family-kana", max_len=60, kind=TextKind.KANA,
                   paper_label="氏（カナ）", classes="name", **hidden),
        text_field("given_name_kana", "名カナ", id="ch-given-kana", max_len=60, kind=TextKind.KANA,
                   paper_label="名（カナ）", classes="name", beside=True),
        text_field("postal_code", "郵便番号", id="ch-postal", max_len=8, kind=TextKind.CODE, classes="short",
                   **hidden),
        text_field("phone", "電話", id="ch-phone", max_len=20, kind=TextKind.CODE, beside=True),
        text_field("address", "住所", id="ch-address", max_len=200, kind=TextKind.ADDRESS, **hidden),
        code_field("standard_monthly_remuneration", "標準報酬月額", id="ch-remuneration", classes="short",
                   placeholder="円（例: 280000）", **hidden),
        choice_field("card_status", "カード", CARD_CHOICES, id="ch-card", numbered=False, **hidden),
        date_field("mynumber_received_on", "受付日", id="ch-mynumber", row_id="ch-mynumber-row", **hidden),
        tick_field("needs_assistance", "要配慮者", "要配慮者として扱う（資格確認書を交付できる）", id="ch-assistance",
                   **hidden),
        tick_field("income_reduction", "基準収入額", "基準収入額適用申請を承認した", id="ch-income", **hidden),
        text_field("reason", "訂正の理由", id="ch-reason", max_len=200, placeholder="例: 氏名の入力誤り（届出書と照合）",
                   **hidden),
    )


class ChangeScreen(FormScreen):
    """One form for both: `correcting` False records a 変更届 with its effective date and
    consequences, True a 訂正 with its reason."""

    DEFAULT_CSS = """
    ChangeScreen #ch-preview { height: auto; padding: 0 1; }
    ChangeScreen #ch-preview.error { color: $text-error; }
    """

    def __init__(self, member_id: int, *, correcting: bool = False) -> None:
        super().__init__(member_id)
        self.correcting = correcting
        self.FORM_TITLE = TITLE_CORRECT if correcting else TITLE_CHANGE
        self.HINT = HINT_CORRECT if correcting else HINT_CHANGE
        self.member = None  # the MemberRow the form was filled from (its version is the edit's)
        self._seq = 0

    def fields(self) -> tuple[FieldSpec, ...]:
        return _fields()

    def compose_after_message(self) -> ComposeResult:
        yield JaText(Text(""), id="ch-preview")

    # ------------------------------------------------------------------ the member and the kind

    def show_member(self, member) -> None:
        super().show_member(member)
        self.member = member
        if self.kind is not None:
            self._fill(self.kind)

    @property
    def kind(self) -> RegisterChange | None:
        return self.widget("kind").value

    def form_mounted(self) -> None:
        super().form_mounted()
        self.widget("kind").on_choose = self._kind_changed

    def _kind_changed(self, kind: RegisterChange | None) -> None:
        for name in VALUE_ROWS:
            self.show_field(name, kind is not None and name in ROWS[kind])
        mynumber = kind is RegisterChange.MYNUMBER_RECEIVED
        self.show_field("effective_from", kind is not None and not (self.correcting and mynumber))
        self.show_field("mynumber_received_on", False)
        if self.correcting:
            self.show_field("effective_from", False)
            self.show_field("mynumber_received_on", mynumber)
            self.show_field("reason", kind is not None)
        label = change_rules.effective_label(kind) if kind is not None else change_rules.EFFECTIVE_LABEL
        self.widget("effective_from").parent.query_one(".field-label", Label).update(Text(label))
        self.clear_field_errors()
        if kind is not None:
            self._fill(kind)
        self._schedule_preview()

    def _fill(self, kind: RegisterChange) -> None:
        """The kind's fields start from the registered values: the clerk types over what changed."""
        m = self.member
        if m is None:
            return
        for name in change_rules.CHANGE_FIELDS[kind]:
            value = getattr(m, name)
            widget = self.widget(name)
            if isinstance(widget, DateInput):
                widget.set_date(value)
            elif isinstance(widget, (ChoiceBar, Tick)):
                widget.value = value
            else:
                widget.value = "" if value is None else str(value)

    # ------------------------------------------------------------------ the preview

    @on(Input.Changed)
    @on(DateInput.Changed)
    @on(Tick.Changed)
    @on(ChoiceBar.Changed, "#ch-card")
    def _field_changed(self, event) -> None:
        if self.state == "editing":
            self._schedule_preview()

    def _schedule_preview(self) -> None:
        self._seq += 1
        self._preview(self._seq)

    def _show_preview(self, lines: list[str], kind: str = "") -> None:
        preview = self.query_one("#ch-preview", JaText)
        preview.set_class(kind == "error", "error")
        preview.set_text(Text("\n".join(lines)))

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def _preview(self, seq: int) -> None:
        # Every change is previewed at once, without waiting for the typing to stop: planning a
        # change reads one member and family (1 ms at 10,000 members), so previews never queue
        # up behind the keys. exclusive=True cancels this worker on the next change; one already
        # in its thread finishes unseen, and the number checks drop it.
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return  # a later change came meanwhile: its own preview follows
        if self.kind is None or self.member is None:
            self._show_preview([])
            return
        try:
            if self.correcting:
                lines = self._correction_lines(self._correction())
            else:
                plan = await asyncio.to_thread(plan_change, self.app.ctx, self.member_id, self.build_input())
                lines = describe(plan)
        except DomainError as exc:
            if seq == self._seq:
                self._show_preview([exc.message], "error")
            return
        if seq == self._seq and self.state == "editing":
            self._show_preview(lines)

    # ------------------------------------------------------------------ saving

    def _values(self, kind: RegisterChange) -> dict[str, Any]:
        values = {}
        for name in change_rules.CHANGE_FIELDS[kind]:
            if name == "mynumber_received_on":
                if self.correcting:
                    values[name] = self.value(name)
                continue
            values[name] = self.value(name)
        return values

    def build_input(self) -> ChangeInput:
        kind = self.kind
        if kind is None:
            raise DomainError(PICK_KIND, field="kind")
        entered = None if self.correcting else self.value("effective_from")
        return ChangeInput(self.member_id, kind, entered, self._values(kind))

    def _correction(self) -> tuple[str, Any, str]:
        """(field, value, reason) of a correction: exactly one field differs from the register."""
        data = self.build_input()
        m = self.member
        differing = [(name, value) for name, value in data.values.items()
                     if change_rules.stored_value(_blank(value)) != change_rules.stored_value(getattr(m, name))]
        if not differing:
            raise DomainError(NOTHING_CORRECTED, field=change_rules.CHANGE_FIELDS[data.kind][0])
        if len(differing) > 1:
            raise DomainError(ONE_FIELD, field=differing[1][0])
        name, value = differing[0]
        return name, value, self.value("reason") or ""

    def _correction_lines(self, correction: tuple[str, Any, str]) -> list[str]:
        name, value, _reason = correction
        old = change_rules.shown_value(name, change_rules.stored_value(getattr(self.member, name)))
        new = change_rules.shown_value(name, change_rules.stored_value(_blank(value)))
        return [f"訂正: {change_rules.FIELD_LABELS[name]} {old}{change_rules.ARROW}{new}", CORRECTION_NOTE]

    def service_call(self, data: ChangeInput) -> Callable[[], Any]:
        ctx = self.app.ctx
        version = self.member.version if self.member is not None else None
        if self.correcting:
            name, value, reason = self._correction()
            return lambda: correct(ctx, self.member_id, name, value, reason, expected_version=version)
        return lambda: apply_change(ctx, plan_change(ctx, self.member_id, data), expected_version=version)

    def show_recorded(self, record) -> None:
        if self.correcting:
            text = Text("訂正しました。", style="bold")
            text.append(f"{record.field_label}: {record.old_text}{change_rules.ARROW}{record.new_text}")
        else:
            text = Text("変更届を記録しました。", style="bold")
            text.append("\n" + "\n".join(describe(record.plan)))
        self._show_preview([])
        self.say_outcome(text, "success")
