"""資格取得 (F3): the employer's 資格取得届 with its 被扶養者届 typed in as one form, the insured
person first and one block per dependent (Ctrl+N adds one); and 扶養追加 (key a on a member):
one dependent added to an existing insured person. Both show possible duplicates before saving."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import Input, Static

from clerk_tui.domain.codes import CardStatus, Relationship, Sex
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.money import parse_yen
from clerk_tui.domain.text import TextKind
from clerk_tui.services.enrolment import (
    DependentInput,
    EnrolmentInput,
    PersonInput,
    PossibleDuplicates,
    add_dependent,
    enrol,
    find_employers,
)
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
from clerk_tui.ui.text import code_choices, code_label, data_text

ENROL_TITLE = "資格取得届の受付（被保険者・被扶養者）"
ENROL_HINT = ("届出書の記載どおりに入力し、Ctrl+S で登録します。Ctrl+N で被扶養者の欄を追加"
              "（氏名が空欄の欄は登録しません）。")
ADD_TITLE = "扶養追加（被扶養者異動届の受付）"
ADD_HINT = "届出書の記載どおりに入力し、Ctrl+S で登録します（住所が空欄なら被保険者と同じ）。"
NEED_EMPLOYER = "事業所を選んでください（コード・名称・カナで検索）。"
NEED_MYNUMBER_DATE = "マイナンバー届出の受付日を入力してください。"
MAX_DEPENDENTS = 20

# Short enough for one line at 80 columns, with the scrollbar (the full labels are on the member
# screen): 更新 = カード更新中, 期限切 = 電子証明書の期限切れ.
CARD_CHOICES = [("利用可", CardStatus.USABLE), ("未取得", CardStatus.NO_CARD), ("未登録", CardStatus.NOT_REGISTERED),
                ("紛失", CardStatus.CARD_LOST), ("更新", CardStatus.CARD_RENEWING),
                ("期限切", CardStatus.CERT_EXPIRED), ("返納", CardStatus.CARD_RETURNED),
                ("解除", CardStatus.REGISTRATION_CANCELLED)]
RELATIONSHIPS = code_choices(r for r in Relationship if r is not Relationship.SELF)


# ------------------------------------------------------------------ the fields of one person


def person_fields(prefix: str, idp: str, *, address: bool) -> tuple[FieldSpec, ...]:
    """Name, kana, birth date, sex (and address, telephone) of one person; `prefix` is the
    service's field name prefix ("dependents.0."), `idp` the widgets' id prefix."""
    fields = [
        text_field(prefix + "family_name", "氏名", id=f"{idp}family", max_len=40, kind=TextKind.NAME,
                   paper_label="氏", placeholder="氏", classes="name"),
        text_field(prefix + "given_name", "", id=f"{idp}given", max_len=40, kind=TextKind.NAME,
                   paper_label="名", placeholder="名", classes="name", beside=True),
        text_field(prefix + "family_name_kana", "フリガナ", id=f"{idp}family-kana", max_len=60, kind=TextKind.KANA,
                   paper_label="氏（カナ）", placeholder="シ", classes="name"),
        text_field(prefix + "given_name_kana", "", id=f"{idp}given-kana", max_len=60, kind=TextKind.KANA,
                   paper_label="名（カナ）", placeholder="メイ", classes="name", beside=True),
        date_field(prefix + "birth_date", "生年月日", id=f"{idp}birth", placeholder="例: S60.3.3"),
        choice_field(prefix + "sex", "性別", code_choices(Sex), id=f"{idp}sex"),
    ]
    if address:
        fields += [
            code_field(prefix + "postal_code", "郵便番号", id=f"{idp}postal", placeholder="123-4567", classes="short"),
            code_field(prefix + "phone", "電話", id=f"{idp}phone", placeholder="03-1234-5678", beside=True),
            text_field(prefix + "address", "住所", id=f"{idp}address", max_len=200, kind=TextKind.ADDRESS),
        ]
    return tuple(fields)


def card_fields(prefix: str, idp: str) -> tuple[FieldSpec, ...]:
    """The My Number card situation, whether (and when) the My Number 届出 arrived, 要配慮者."""
    return (
        choice_field(prefix + "card_status", "マイナ保険証", CARD_CHOICES, id=f"{idp}card", numbered=False),
        tick_field(prefix + "mynumber", "個人番号届出", "受付済", id=f"{idp}mynumber"),
        date_field(prefix + "mynumber_received_on", "受付日", id=f"{idp}mynumber-on", beside=True,
                   placeholder="届出の受付日", required=False),
        tick_field(prefix + "needs_assistance", "要配慮者", "資格確認書の交付を希望する要配慮者", id=f"{idp}assist"),
    )


def dependent_fields(prefix: str, idp: str, *, address: bool) -> tuple[FieldSpec, ...]:
    return (
        choice_field(prefix + "relationship", "続柄", RELATIONSHIPS, id=f"{idp}relationship", numbered=False),
        *person_fields(prefix, idp, address=address),
        date_field(prefix + "acquired_on", "資格取得日", id=f"{idp}acquired", required=not prefix,
                   placeholder="空欄: 被保険者と同じ" if prefix else "例: R7.12.1"),
        *card_fields(prefix, idp),
    )


def read_person(form: FormScreen, prefix: str, *, address: bool) -> dict[str, Any]:
    """The `PersonInput` values of one person on the form."""
    mynumber_on = form.value(prefix + "mynumber_received_on")
    if form.value(prefix + "mynumber"):
        if mynumber_on is None:
            raise DomainError(NEED_MYNUMBER_DATE, field=prefix + "mynumber_received_on")
    else:
        mynumber_on = None
    values = {name: form.value(prefix + name) or "" for name in
              ("family_name", "given_name", "family_name_kana", "given_name_kana")}
    values.update(birth_date=form.value(prefix + "birth_date"), sex=form.value(prefix + "sex"),
                  card_status=form.value(prefix + "card_status"), mynumber_received_on=mynumber_on,
                  needs_assistance=bool(form.value(prefix + "needs_assistance")))
    if address:
        values.update(postal_code=form.value(prefix + "postal_code"), phone=form.value(prefix + "phone"),
                      address=form.value(prefix + "address"))
    return values


def read_dependent(form: FormScreen, prefix: str, *, address: bool) -> DependentInput:
    return DependentInput(**read_person(form, prefix, address=address),
                          relationship=form.value(prefix + "relationship"),
                          acquired_on=form.value(prefix + "acquired_on"))


def recorded_text(result, verb: str) -> Text:
    """What was registered and what now waits for issue via the employer."""
    text = Text(f"{verb}しました。", style="bold")
    waiting: dict[int, list[str]] = {}
    for r in result.requests:
        waiting.setdefault(r.member_id, []).append(code_label(r.kind))
    for m in result.members:
        text.append(f"\n{m.member_code}  ")
        text.append_text(data_text(m.full_name))
        text.append(f"  交付待ち: {'・'.join(waiting.get(m.id, [])) or 'なし'}")
    text.append("\no でこの加入員を開きます。書類は事業所ごとの一括交付（F6）で交付します。")
    return text


class _RegisterForm(FormScreen):
    """What enrolment and 扶養追加 share: the duplicate step and the recorded result."""

    BINDINGS = [Binding("o", "open_member", "開く", tooltip="登録した加入員を開く", id="enrol.open")]

    def __init__(self, member_id: int | None) -> None:
        super().__init__(member_id)
        self._data: Any = None
        self.duplicates_seen = False

    def service_call(self, data: Any) -> Callable[[], Any]:
        self._data = data
        return self.call_with(data, None)

    def call_with(self, data: Any, reason: str | None) -> Callable[[], Any]:
        raise NotImplementedError

    def on_save_refused(self, exc: DomainError) -> bool:
        if not isinstance(exc, PossibleDuplicates):
            return False
        from clerk_tui.ui.screens.duplicates import DuplicatesScreen

        self.duplicates_seen = True
        self.say(Text(exc.message), "notice")
        self.app.push_screen(DuplicatesScreen(exc.candidates, requalify=self.CAN_REQUALIFY),
                             callback=self._duplicates_answered)
        return True

    CAN_REQUALIFY = False

    def _duplicates_answered(self, answer: tuple[str, Any] | None) -> None:
        if answer is None:
            self.say(Text("登録していません。既存の記録を確かめてから、もう一度 Ctrl+S で登録できます。"), "hint")
            return
        what, value = answer
        if what == "open":
            self.app.open_member(value)  # type: ignore[attr-defined]
        elif what == "new":
            self._save(self.call_with(self._data, value))
        elif what == "requalify":
            self._save(self.call_with(replace(self._data, requalifies_id=value), None))

    def show_recorded(self, record) -> None:
        self.say_outcome(recorded_text(record, self.VERB), "success")
        self.refresh_bindings()

    VERB = "登録"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_member":
            return self.state == "recorded"
        if action == "add_dependent":
            return self.state == "editing"
        return super().check_action(action, parameters)

    def action_open_member(self) -> None:
        if self.state == "recorded" and self.record_id is not None:
            self.app.open_member(self.record_id)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ 資格取得


class EnrolScreen(_RegisterForm):
    FORM_TITLE = ENROL_TITLE
    HINT = ENROL_HINT
    VERB = "資格取得を登録"
    CAN_REQUALIFY = True
    BINDINGS = [Binding("ctrl+n", "add_dependent", "家族を追加", tooltip="被扶養者の欄を1人分追加する",
                        id="enrol.add_dependent")]

    def __init__(self) -> None:
        super().__init__(None)
        self.dependent_count = 0
        self.employer = None  # the EmployerRow the lookup settled on

    def fields(self) -> tuple[FieldSpec, ...]:
        fields = [
            code_field("employer", "事業所", id="employer", placeholder="事業所コード・名称・カナ"),
            info_field("", id="employer-line", text=Text(NEED_EMPLOYER)),
            date_field("acquired_on", "資格取得日", id="acquired", placeholder="例: R7.12.1"),
            *person_fields("", "", address=True),
            code_field("standard_monthly_remuneration", "標準報酬月額", id="remuneration", placeholder="例: 300,000",
                       classes="short", also=("標準報酬月額",)),
            *card_fields("", ""),
        ]
        for i in range(self.dependent_count):
            fields += self.dependent_block(i)
        return tuple(fields)

    @staticmethod
    def dependent_block(i: int) -> tuple[FieldSpec, ...]:
        return (info_field(f"被扶養者{i + 1}", id=f"dep{i}-title", text=Text("（氏名が空欄なら登録しません）")),
                *dependent_fields(f"dependents.{i}.", f"dep{i}-", address=False))

    async def action_add_dependent(self) -> None:
        if self.state != "editing" or self.dependent_count >= MAX_DEPENDENTS:
            return
        i = self.dependent_count
        await self.query_one("#fields").mount(*self.field_rows(self.dependent_block(i)))
        self.dependent_count += 1  # its fields exist now: the form reads them from here on
        first = self.widget(f"dependents.{i}.relationship")
        first.focus()
        self.call_after_refresh(first.scroll_visible, animate=False)

    # ------------------------------------------------------------------ the employer lookup

    @on(Input.Changed, "#employer")
    def _employer_typed(self, event: Input.Changed) -> None:
        self.employer = None
        self._look_up_employer(event.value)

    @work(exclusive=True, group="employer", exit_on_error=False)
    async def _look_up_employer(self, typed: str) -> None:
        try:
            found = await asyncio.to_thread(find_employers, self.app.ctx, typed)
        except DomainError as exc:
            self._employer_line(Text(exc.message))
            return
        exact = [e for e in found if e.code == typed.strip().upper() or e.code == typed.strip()]
        if len(found) == 1 or exact:
            self.employer = (exact or found)[0]
            e = self.employer
            line = Text(f"{e.code}  ")
            line.append_text(data_text(e.name, style="bold"))
            line.append(f"  記号 {e.symbol}" if e.symbol else "  記号未登録", style="" if e.symbol else "bold")
        elif found:
            line = Text(f"候補 {len(found)}件: ")
            for e in found[:4]:
                line.append(f"{e.code} ")
                line.append_text(data_text(e.name))
                line.append(" / ")
            line.append("コードで選んでください")
        else:
            line = Text("該当する事業所がありません。" if typed.strip() else NEED_EMPLOYER)
        self._employer_line(line)

    def _employer_line(self, text: Text) -> None:
        self.query_one("#employer-line", Static).update(text)

    # ------------------------------------------------------------------ saving

    def build_input(self) -> EnrolmentInput:
        if self.employer is None:
            raise DomainError(NEED_EMPLOYER, field="employer")
        typed = self.value("standard_monthly_remuneration")
        remuneration = parse_yen(typed, label="標準報酬月額") if typed else None
        dependents = []
        for i in range(self.dependent_count):
            prefix = f"dependents.{i}."
            if not (self.value(prefix + "family_name") or self.value(prefix + "given_name")):
                continue  # an empty block: the clerk added one too many
            dependents.append(read_dependent(self, prefix, address=False))
        return EnrolmentInput(employer_id=self.employer.id, acquired_on=self.value("acquired_on"),
                              insured=PersonInput(**read_person(self, "", address=True)),
                              standard_monthly_remuneration=remuneration, dependents=tuple(dependents))

    def call_with(self, data: EnrolmentInput, reason: str | None) -> Callable[[], Any]:
        ctx = self.app.ctx
        return lambda: enrol(ctx, data, confirmed_new_reason=reason)


# ------------------------------------------------------------------ 扶養追加


class AddDependentScreen(_RegisterForm):
    FORM_TITLE = ADD_TITLE
    HINT = ADD_HINT
    VERB = "扶養追加を登録"

    def __init__(self, insured_id: int) -> None:
        super().__init__(insured_id)
        self.insured_version: int | None = None

    def fields(self) -> tuple[FieldSpec, ...]:
        return (info_field("被保険者", id="member-line"), *dependent_fields("", "", address=True))

    def show_member(self, member) -> None:
        super().show_member(member)
        self.insured_version = member.version

    def build_input(self) -> DependentInput:
        return read_dependent(self, "", address=True)

    def call_with(self, data: DependentInput, reason: str | None) -> Callable[[], Any]:
        ctx, insured_id, version = self.app.ctx, self.member_id, self.insured_version
        return lambda: add_dependent(ctx, insured_id, data, expected_version=version, confirmed_new_reason=reason)
