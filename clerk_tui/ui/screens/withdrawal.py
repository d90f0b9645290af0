"""退職等・扶養削除 (loss of qualification, R9/R10) with a live preview of who loses coverage and what
must come back; and reinstatement of a mistaken loss."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from functools import partial
from types import SimpleNamespace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Label

from clerk_tui.domain import rules
from clerk_tui.domain.codes import DependentRemovalReason, WithdrawalReason
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.members import MemberDetail, reload_member
from clerk_tui.services.withdrawal import (
    LossPreview,
    Reinstatement,
    cancel_loss,
    preview_loss,
    record_withdrawal,
    remove_dependent,
)
from clerk_tui.ui.text import (
    CANNOT_OPEN,
    LOADING,
    code_choices,
    code_label,
    data_text,
    date_cell,
    labelled,
    loss_reason_label,
    member_kind,
    status_cell,
    wareki,
    wareki_short,
)
from clerk_tui.ui.screens.form import FieldSpec, FormScreen, date_field, text_field
from clerk_tui.ui.screens.form_dialog import FormDialog
from clerk_tui.ui.widgets.choice_bar import ChoiceBar
from clerk_tui.ui.widgets.date_input import DateInput
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.member_header import MemberHeader

# The screen's wording, kept together so that a clerk's phrasing is fixed in one place.
TITLE_WITHDRAWAL = "退職等（被保険者の資格喪失）"
TITLE_REMOVAL = "扶養削除（被扶養者の資格喪失）"
TITLE_LOST = "資格喪失の取消"
LAST_DAY_INSURED = "最終出勤日"
LAST_DAY_DEPENDENT = "扶養最終日"
LOST_ON = "資格喪失日"
PICK_REASON = "理由を数字キーで選んでください。"
ENTER_DATE = "{last}か資格喪失日を入力してください（片方を入れるともう片方は自動で入ります）。"
CHECK_DATE = "日付を確認してください。"
CHECKING = "確認中"


# --------------------------------------------------------------------------------------------
# Reinstatement of a mistaken loss


class ReinstateDialog(FormDialog):
    FORM_TITLE = TITLE_LOST
    FIELDS = (text_field("reason", "取消の理由", id="reinstate-reason", max_len=200,
                         placeholder="例: 退職日の誤り（事業所から訂正の連絡）"),)

    def __init__(self, summary: Text, member_id: int, version: int) -> None:
        super().__init__(summary)
        self.member_id = member_id
        self.version = version

    def build_input(self) -> str:
        reason = self.value("reason").strip()
        if not reason:
            raise DomainError("取消の理由を入力してください。", field="reason")
        return reason

    def service_call(self, reason: str) -> Callable[[], object]:
        return partial(cancel_loss, self.app.ctx, self.member_id, reason=reason,  # type: ignore[attr-defined]
                       expected_version=self.version)


# --------------------------------------------------------------------------------------------
# The withdrawal screen


class WithdrawalScreen(FormScreen):
    """The loss typed as a form: a reason and the pair of dates, with the preview under the
    message; a member already lost gets the reinstatement view instead of the fields."""

    BINDINGS = [
        Binding("ctrl+s", "save", "確定", tooltip="資格喪失を記録する（家族も同じ日に喪失）",
                id="withdrawal.confirm"),
        Binding("x", "reinstate", "喪失取消", tooltip="誤って記録した資格喪失を取り消す（要理由）",
                id="withdrawal.reinstate"),
    ]
    FIELDS = (
        # Its own ChoiceBar: the reasons are set once the member is known (insured or dependent).
        FieldSpec("reason", "理由", lambda _today: ChoiceBar(id="wd-reason"), "wd-reason"),
        date_field("last_work_day", LAST_DAY_INSURED, id="wd-last", placeholder="例: R7.11.30"),
        date_field("lost_on", LOST_ON, id="wd-lost", placeholder="例: R7.12.1", beside=True),
    )
    DEFAULT_CSS = """
    #wd-header { padding: 0 1; }
    WithdrawalScreen #form-title { display: none; }
    WithdrawalScreen #form-message { margin-top: 0; }
    WithdrawalScreen #form-message.success { text-style: bold; }
    /* The rows as they were before the form base: bold labels, each date read back under it. */
    WithdrawalScreen .field-row { height: auto; }
    WithdrawalScreen .field-row .field-label, WithdrawalScreen .field-row .inline-label {
        width: 12; padding: 0 1; text-style: bold; color: $foreground;
    }
    WithdrawalScreen .field-row .date-field { layout: vertical; height: auto; width: 1fr; }
    WithdrawalScreen .field-row .date-field > Input { width: 100%; }
    #wd-people { height: auto; max-height: 8; }
    #wd-docs { height: 1fr; }
    #wd-detail { padding: 0 1; height: auto; max-height: 2; background: $boost; }
    """

    def __init__(self, member_id: int) -> None:
        super().__init__(member_id)
        self.detail: MemberDetail | None = None
        self.mode = "loading"  # loading -> form | lost -> done
        self.preview: LossPreview | None = None
        self._previewing = False
        self._seq = 0  # bumped on every date change; an older preview is not shown
        self._doc_reasons: list[Text] = []
        self._filled_for_75: tuple[str, str] | None = None  # the dates filled in for 75歳到達

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        yield MemberHeader(Text(LOADING), id="wd-header")
        yield from super().compose_body()

    def compose_after_message(self) -> ComposeResult:
        yield FittedTable(id="wd-people", cursor_type="row")
        yield FittedTable(id="wd-docs", cursor_type="row", zebra_stripes=True)
        yield JaText(Text(""), id="wd-detail")

    def on_mount(self) -> None:
        # Runs before the base's on_mount (which then loads the member through _load_member):
        # the fields appear only for a member who can still lose the qualification.
        self.query_one("#fields").display = False

    @work(exclusive=True, group="member", exit_on_error=False)
    async def _load_member(self) -> None:
        """The member in full (family, documents): the form, or the reinstatement view."""
        try:
            detail = await asyncio.to_thread(reload_member, self.app.ctx, self.member_id)
        except Exception:
            self.query_one(MemberHeader).set_text(Text(CANNOT_OPEN))
            raise
        self.detail = detail
        if detail.member.lost_on is None:
            self._show_form(detail)
        else:
            self._show_lost(detail)

    def _header(self, title: str, d: MemberDetail) -> list[Text]:
        m = d.member
        kind = member_kind(m)
        items = [Text(title, style="bold reverse"), Text(m.member_code, style="bold"),
                 data_text(m.full_name, style="bold"), Text(kind),
                 labelled("生年月日", wareki(m.birth_date)),
                 labelled("事業所", data_text(m.employer_name) if m.employer_name else Text("")),
                 labelled("資格取得日", wareki(m.acquired_on))]
        if m.lost_on is not None:
            items.append(labelled("資格喪失日", Text(f"{wareki(m.lost_on)}（{loss_reason_label(m.loss_reason)}）",
                                                      style="bold")))
        return items

    # ------------------------------------------------------------------ the form (active member)

    def _is_insured(self) -> bool:
        return self.detail is not None and self.detail.member.is_insured

    def _show_form(self, d: MemberDetail) -> None:
        self.mode = "form"
        insured = d.member.is_insured
        self.query_one(MemberHeader).show(self._header(TITLE_WITHDRAWAL if insured else TITLE_REMOVAL, d))
        reasons = WithdrawalReason if insured else DependentRemovalReason
        self.query_one("#wd-reason", ChoiceBar).set_choices(code_choices(reasons))
        self.widget("last_work_day").parent.query_one(".field-label", Label).update(
            LAST_DAY_INSURED if insured else LAST_DAY_DEPENDENT)
        self.query_one("#fields").display = True
        self._clear_tables()
        self.say(self._form_hint(), "plain")
        self.query_one("#wd-reason", ChoiceBar).focus()
        self.refresh_bindings()

    def _last_label(self) -> str:
        return LAST_DAY_INSURED if self._is_insured() else LAST_DAY_DEPENDENT

    def _form_hint(self) -> str:
        hints = []
        if self.query_one("#wd-reason", ChoiceBar).value is None:
            hints.append(PICK_REASON)
        lost = self.query_one("#wd-lost", DateInput)
        if lost.value is None:
            hints.append(ENTER_DATE.format(last=self._last_label()))
        return "".join(hints)

    @on(ChoiceBar.Changed, "#wd-reason")
    def _reason_changed(self, event: ChoiceBar.Changed) -> None:
        lost = self.query_one("#wd-lost", DateInput)
        last_input = self.query_one("#wd-last", DateInput).query_one(Input)
        lost_input = lost.query_one(Input)
        # 75歳到達: the loss date is the 75th birthday itself (R5), so the app can fill it in.
        if event.value in (WithdrawalReason.AGE_75, DependentRemovalReason.AGE_75) and lost.value is None \
                and self.detail is not None:
            birthday_75 = rules.loss_on_reaching_75(self.detail.member.birth_date)
            lost_input.value = wareki_short(birthday_75)
            last_input.value = wareki_short(rules.last_work_day_for(birthday_75))
            self._filled_for_75 = (last_input.value, lost_input.value)
        elif self._filled_for_75 is not None:
            # Another reason after 75歳到達 (or the choice undone): the dates the app filled in
            # for the birthday go too, unless the clerk has changed them since.
            if (last_input.value, lost_input.value) == self._filled_for_75:
                lost_input.value = ""
                last_input.value = ""
            self._filled_for_75 = None
        self._show_preview_message()
        self.refresh_bindings()

    @on(DateInput.Changed)
    def _date_changed(self, event: DateInput.Changed) -> None:
        if self.mode != "form":
            return
        source = event.date_input
        last = self.query_one("#wd-last", DateInput)
        lost = self.query_one("#wd-lost", DateInput)
        # Only the field the clerk types in drives the other one; the programmatic update of the
        # other field sends a Changed too, which must not write back into the field being typed.
        if source.query_one(Input).has_focus:
            other = lost if source is last else last
            if event.value is None:
                derived = None
            elif source is last:
                derived = rules.qualification_lost_on(event.value)
            else:
                derived = rules.last_work_day_for(event.value)
            if derived != other.value:
                # In the short 和暦 shape clerks type (R7.12.01), not DateInput's ISO.
                other.query_one(Input).value = wareki_short(derived) if derived else ""
        if source is lost or (source.query_one(Input).has_focus and event.value is None):
            self._schedule_preview()

    def _schedule_preview(self) -> None:
        self._seq += 1
        self.preview = None
        lost_on = self.query_one("#wd-lost", DateInput).value
        if lost_on is None:
            self.workers.cancel_group(self, "preview")
            self._previewing = False
            self._clear_tables()
            error = self.query_one("#wd-lost", DateInput).error or self.query_one("#wd-last", DateInput).error
            typed = any(d.query_one(Input).value.strip() for d in self.query(DateInput))
            self.say(CHECK_DATE if typed and error else self._form_hint(), "error" if typed else "plain")
        else:
            self._previewing = True
            self.say(CHECKING, "plain")
            self._preview(lost_on, self._seq)
        self.refresh_bindings()

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def _preview(self, lost_on: date, seq: int) -> None:
        # Every change of the date is previewed at once, without waiting for the typing to stop:
        # a preview reads one family and its documents (2 ms at 10,000 members, 4 ms at most), so
        # previews never queue up behind the keys. exclusive=True cancels this worker on the next
        # change; one already in its thread finishes unseen, and the number check drops it.
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return  # a later change came meanwhile: its own preview follows
        try:
            preview = await asyncio.to_thread(preview_loss, self.app.ctx, self.member_id, lost_on)
        except DomainError as exc:
            if seq == self._seq:
                self._previewing = False
                self._clear_tables()
                self.say(exc.message, "error")
                self.refresh_bindings()
            return
        finally:
            if seq == self._seq:
                self._previewing = False
        if seq != self._seq:
            return
        self.preview = preview
        self._fill_preview(preview)
        self._show_preview_message()
        self.refresh_bindings()

    def _show_preview_message(self) -> None:
        p = self.preview
        if self.mode != "form" or p is None:
            # A refusal on screen stays until the date changes; choosing a reason does not hide it.
            refused = self.query_one("#form-message").has_class("error")
            if self.mode == "form" and not self._previewing and not refused:
                hint = self._form_hint()
                if hint:
                    self.say(hint, "plain")
            return
        text = Text()
        # The reason first: what Ctrl+S records is read back in full before it is recorded.
        reason = self.query_one("#wd-reason", ChoiceBar).value
        if reason is not None:
            text.append("理由 ")
            text.append(code_label(reason), style="bold reverse")
            text.append("、")
        text.append(f"{LOST_ON} {wareki(p.lost_on)}（{self._last_label()} {wareki(p.last_work_day)}の翌日）。")
        text.append(f"{len(p.people)}名が資格を失います", style="bold")
        text.append(f"。回収する書類 {len(p.collect)}件・回収しない書類 {len(p.not_collected)}件。")
        if p.pending_requests:
            text.append(f"交付待ちの書類 {p.pending_requests}件は取り消します。")
        birthday_75 = self._age_75_mismatch()
        if self.query_one("#wd-reason", ChoiceBar).value is None:
            text.append(PICK_REASON, style="bold")
        elif birthday_75 is not None:
            text.append(f"75歳到達の資格喪失日は75歳の誕生日（{wareki(birthday_75)}）です。", style="bold")
        else:
            text.append("Ctrl+S で記録します。")
        self.say(text, "error" if birthday_75 is not None else "plain")

    def _clear_tables(self) -> None:
        self.query_one("#wd-people", FittedTable).clear(columns=True)
        self.query_one("#wd-docs", FittedTable).clear(columns=True)
        self._doc_reasons = []
        self.query_one("#wd-detail", JaText).set_text(Text(""))

    def _person_row(self, m, lost_on: date | None = None) -> tuple[Text, ...]:
        kind = member_kind(m, short=True)
        return (data_text(m.full_name), Text(m.member_code), Text(kind), date_cell(m.birth_date),
                date_cell(lost_on if lost_on is not None else m.lost_on))

    def _fill_preview(self, p: LossPreview, *, done: bool = False) -> None:
        people = self.query_one("#wd-people", FittedTable)
        people.fill(["喪失した方" if done else "喪失する方", "記号番号", "続柄", "生年月日", LOST_ON],
                    [self._person_row(m, p.lost_on) for m in p.people], flex=0, optional=[3])
        if done:
            decisions = [(m, d, "未回収") for m, d in p.collect]
        else:
            decisions = [(m, d, "回収") for m, d in p.collect] + [(m, d, "不要") for m, d in p.not_collected]
        rows = [(data_text(m.full_name), Text(code_label(d.document.kind)),
                 Text(what, style="bold" if d.collect else "dim"), Text(d.reason))
                for m, d, what in decisions]
        self._doc_reasons = [data_text(m.full_name) + Text(f" {code_label(d.document.kind)}: {d.reason}")
                             for m, d, _ in decisions]
        self.query_one("#wd-docs", FittedTable).fill(["対象者", "書類", "扱い", "理由"], rows, flex=3)
        self._show_doc_detail(0)

    @on(DataTable.RowHighlighted, "#wd-docs")
    def _doc_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_doc_detail(event.cursor_row)

    def _show_doc_detail(self, row: int) -> None:
        detail = self.query_one("#wd-detail", JaText)
        if 0 <= row < len(self._doc_reasons):
            detail.set_text(self._doc_reasons[row])
        elif self.mode == "form" and self.preview is not None and not self._doc_reasons:
            detail.set_text(Text("交付済みの書類はありません（回収するものはありません）。"))
        else:
            detail.set_text(Text(""))

    # ------------------------------------------------------------------ confirming

    def _age_75_mismatch(self) -> date | None:
        """The 75th birthday, when 75歳到達 is chosen with another loss date (the service does
        not check the reason against the date)."""
        reason = self.query_one("#wd-reason", ChoiceBar).value
        if self.detail is None or self.preview is None or reason not in (WithdrawalReason.AGE_75,
                                                                         DependentRemovalReason.AGE_75):
            return None
        birthday_75 = rules.loss_on_reaching_75(self.detail.member.birth_date)
        return birthday_75 if birthday_75 != self.preview.lost_on else None

    def _can_confirm(self) -> bool:
        lost = self.query_one("#wd-lost", DateInput).value
        return (self.mode == "form" and self.state == "editing" and not self._previewing
                and self.preview is not None and self.preview.lost_on == lost
                and self.query_one("#wd-reason", ChoiceBar).value is not None
                and self._age_75_mismatch() is None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            if self.mode != "form" or self.state not in ("editing", "saving"):
                return False
            return True if self._can_confirm() else None  # None: shown, dimmed
        if action == "reinstate":
            return self.mode == "lost"
        return super().check_action(action, parameters)

    def action_save(self) -> None:
        if self._can_confirm():
            super().action_save()

    def build_input(self) -> dict:
        assert self.detail is not None and self.preview is not None
        # What is recorded is what the preview showed (the base locks the fields while saving).
        return {"lost_on": self.preview.lost_on, "reason": self.value("reason"),
                "expected_version": self.detail.member.version}

    def service_call(self, data: dict) -> Callable[[], object]:
        service = record_withdrawal if self._is_insured() else remove_dependent
        call = partial(service, self.app.ctx, self.member_id, **data)
        # A loss is not one record with an id: the preview of what was recorded stands for it.
        return lambda: SimpleNamespace(id=None, preview=call())

    def show_recorded(self, record) -> None:
        self._show_done(record.preview)

    def _show_done(self, p: LossPreview) -> None:
        self.mode = "done"
        self._fill_preview(p, done=True)
        items = f"回収対象を{len(p.collect)}件作成しました（未回収一覧 F8）" if p.collect else "回収する書類はありません"
        reason = self.query_one("#wd-reason", ChoiceBar).value
        said = f"（理由 {code_label(reason)}）" if reason is not None else ""
        cancelled = f"交付待ちの書類{p.pending_requests}件を取り消し、" if p.pending_requests else ""
        self.say(f"記録しました{said}。{len(p.people)}名が{wareki(p.lost_on)}に資格を喪失し、"
                 f"{cancelled}{items}。Esc で戻ります。", "success")
        self.query_one("#wd-docs", FittedTable).focus()
        self.refresh_bindings()

    # ------------------------------------------------------------------ already lost: reinstatement

    def _show_lost(self, d: MemberDetail) -> None:
        self.mode = "lost"
        m = d.member
        self.query_one(MemberHeader).show(self._header(TITLE_LOST, d))
        state = "資格を喪失しています" if m.lost_on <= d.today else "資格を喪失する予定が記録されています"
        text = Text(f"この方は{wareki(m.lost_on)}に{state}（{loss_reason_label(m.loss_reason)}）。"
                    "新たな喪失は記録できません。誤って記録した喪失であれば x で取り消せます（理由が必要）。")
        if not m.is_insured and d.insured.lost_on == m.lost_on:
            text.append("被保険者と同じ日の喪失です。家族全員を戻すときは被保険者の画面で取り消してください。",
                        style="bold")
        self.say(text, "plain")
        family = [p for p in d.family if p.lost_on is not None]
        self.query_one("#wd-people", FittedTable).fill(
            ["喪失している方", "記号番号", "続柄", "生年月日", LOST_ON],
            [self._person_row(p) for p in family], flex=0, optional=[3])
        kinds = {doc.id: code_label(doc.kind) for docs in d.documents_by_member.values() for doc in docs}
        names = {p.id: p.full_name for p in d.family}
        # What a cancellation touches: the family's items for an insured person (the loss was
        # recorded for all), only this person's for a dependent.
        items = [i for i in d.collection_items
                 if i.lost_on == m.lost_on and (m.is_insured or i.member_id == m.id)]
        self.query_one("#wd-docs", FittedTable).fill(
            ["対象者", "回収対象の書類", "状態", "返却日"],
            [(data_text(names.get(i.member_id, "")), Text(kinds.get(i.document_id, "書類")),
              status_cell(i.status), date_cell(i.returned_on)) for i in items], flex=0)
        self.query_one("#wd-detail", JaText).set_text(Text(
            "取り消すと、同じ日に喪失した家族の資格も戻り、未回収の回収対象は取消になります。" if m.is_insured
            else "取り消すと、この方の資格が戻り、この方の未回収の回収対象は取消になります。"))
        self.query_one("#wd-people", FittedTable).focus()
        self.refresh_bindings()

    def action_reinstate(self) -> None:
        if self.mode != "lost" or self.detail is None:
            return
        m = self.detail.member
        summary = Text()
        summary.append_text(data_text(m.full_name))
        summary.append(f"（{m.member_code}）の{wareki(m.lost_on)}の資格喪失"
                       f"（{loss_reason_label(m.loss_reason)}）を取り消し、資格を元に戻します。この操作は履歴に残ります。")
        self.app.push_screen(ReinstateDialog(summary, m.id, m.version), callback=self._reinstated)

    def _reinstated(self, result: Reinstatement | None) -> None:
        if result is None or self.detail is None:
            return
        restored = result.members
        self.mode = "done"
        self.query_one(MemberHeader).show(self._header(TITLE_LOST, self.detail)[:-1])  # no loss date now
        names = [p.full_name for p in self.detail.family if p.id in restored]
        text = Text(f"資格喪失を取り消しました。{len(restored)}名の資格が戻りました: ")
        text.append_text(data_text("、".join(names)))
        if result.requests_restored:
            text.append(f"。喪失で取り消した交付待ちの書類{result.requests_restored}件を戻しました")
        text.append("。Esc で戻ります。")
        self.say(text, "success")
        self.query_one("#wd-people", FittedTable).fill(
            ["資格が戻った方", "記号番号", "続柄", "生年月日"],
            [self._person_row(p)[:4] for p in self.detail.family if p.id in restored], flex=0)
        self.query_one("#wd-docs", FittedTable).clear(columns=True)
        self.query_one("#wd-detail", JaText).set_text(Text(""))
        self.refresh_bindings()

    # ------------------------------------------------------------------ leaving

    def action_back(self) -> None:
        # Not the base's question before discarding: the screen is left as before, at once.
        if self.state != "saving":
            self.dismiss(None)
