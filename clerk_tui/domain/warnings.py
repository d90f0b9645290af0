"""The warnings at the top of the member detail screen, computed from the rules at a given date
from plain facts (no database, no clock). All their wording lives here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from clerk_tui.domain import rules
from clerk_tui.domain.codes import (
    CardStatus,
    ClaimStatus,
    DependentRemovalReason,
    DocumentKind,
    DocumentStatus,
    Standing,
    WithdrawalReason,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import format_wareki, format_wareki_month

__all__ = [
    "CERTIFICATE_NOTICE_DAYS",
    "CLAIM_NOTICE_DAYS",
    "RETURN_DAYS",
    "ClaimFacts",
    "DocFacts",
    "OutstandingFacts",
    "PersonFacts",
    "Warning",
    "member_warnings",
]

Level = Literal["error", "warning", "info"]

CERTIFICATE_NOTICE_DAYS = 60  # from this close, the 75th birthday (end of coverage) is a warning, not a note
CLAIM_NOTICE_DAYS = 60  # as the 立替払 intake (services.reimbursement)
RETURN_DAYS = 5  # R9 (law): the employer sends the documents back with the 資格喪失届 within 5 days

_LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}

# Documents that stand in for the card at a hospital: their expiry is what the 75 warning compares.
_CARD_KINDS = (DocumentKind.ELIGIBILITY_CERTIFICATE, DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD)

# R3 cases as the clerk says them: 「…ため資格確認書の交付対象です」.
_R3_PHRASES: dict[CardStatus, str] = {
    CardStatus.NO_CARD: "マイナンバーカードを持っていない",
    CardStatus.NOT_REGISTERED: "マイナンバーカードを保険証として利用登録していない",
    CardStatus.CARD_LOST: "マイナンバーカードを紛失中でマイナ保険証が使えない",
    CardStatus.CARD_RENEWING: "マイナンバーカードを更新中でマイナ保険証が使えない",
    CardStatus.CERT_EXPIRED: "マイナンバーカードの電子証明書が期限切れでマイナ保険証が使えない",
    CardStatus.CARD_RETURNED: "マイナンバーカードを返納した",
    CardStatus.REGISTRATION_CANCELLED: "保険証利用登録の解除を申請した",
}
_ASSIST_PHRASE = "要配慮者として申請があった"


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the screen's word; shadows the builtin only inside this module
    level: Level
    code: str
    text: str


@dataclass(frozen=True)
class PersonFacts:
    """The member the screen shows, with the insured person's data when the member is a dependent."""

    birth_date: date
    acquired_on: date
    is_insured: bool = True
    lost_on: date | None = None
    loss_reason: str | None = None  # a WithdrawalReason or DependentRemovalReason code
    card_status: CardStatus = CardStatus.NO_CARD
    needs_assistance: bool = False
    mynumber_received_on: date | None = None
    registered_on: date | None = None
    remuneration: int | None = None
    income_reduction: bool = False
    insured_birth_date: date | None = None
    insured_remuneration: int | None = None
    insured_income_reduction: bool = False
    certificate_queued: bool = False  # a 資格確認書 waits for issue via the employer (交付待ち)


@dataclass(frozen=True)
class DocFacts:
    kind: DocumentKind
    status: DocumentStatus
    issued_on: date
    valid_until: date | None = None


@dataclass(frozen=True)
class ClaimFacts:
    treatment_month: date
    institution_name: str
    paid_on: date
    status: ClaimStatus
    missing: tuple[str, ...] = ()  # the papers not yet received, as labelled by the intake


@dataclass(frozen=True)
class OutstandingFacts:
    """A document not yet returned after a loss of qualification (R9)."""

    kind: DocumentKind
    lost_on: date
    reminder_sent_on: date | None = None
    other_family_member: bool = False  # a dependent's item shown on the insured person's screen
    name_change: bool = False  # a certificate showing a former name (R17), `lost_on` the change's date


def member_warnings(person: PersonFacts, *, today: date, documents: Sequence[DocFacts] = (),
                    claims: Sequence[ClaimFacts] = (), outstanding: Sequence[OutstandingFacts] = ()) -> list[Warning]:
    """Every warning for this person on `today`, most urgent first."""
    found: list[Warning] = []
    lost = person.lost_on is not None and person.lost_on <= today
    if lost:
        found.append(_lost(person))
    else:
        if person.lost_on is not None:
            found.append(Warning("info", "qualification_ends",
                                 f"{format_wareki(person.lost_on)}に資格を喪失する予定です。"))
        found += _mynumber(person, today)
        found += _certificates(person, today, documents)
        found += _seventy(person, today)
        found += _seventy_five(person, today, documents)
        found += _system_view(person, today)
    found += _outstanding(today, outstanding)
    found += _claims(today, claims)
    return sorted(found, key=lambda w: _LEVEL_ORDER[w.level])


# ---------------------------------------------------------------------------------------------


def _lost(person: PersonFacts) -> Warning:
    reason = _loss_reason_label(person.loss_reason)
    text = f"{format_wareki(person.lost_on)}に資格を喪失しています" + (f"（{reason}）" if reason else "") + "。"
    return Warning("info", "qualification_lost", text)


def _loss_reason_label(code: str | None) -> str | None:
    if not code:
        return None
    for enum in (WithdrawalReason, DependentRemovalReason):
        try:
            return enum(code).label
        except ValueError:
            continue
    return None


def _mynumber(person: PersonFacts, today: date) -> list[Warning]:
    """R11: without the My Number at the insurer the online check fails, whatever the card says."""
    usable = person.card_status == CardStatus.USABLE
    received = person.mynumber_received_on
    if received is None:
        if usable:
            return [Warning("error", "mynumber_missing",
                            "組合はこの方のマイナンバーを受け付けていません。マイナ保険証は使えません"
                            "（オンライン資格確認でエラーになります）。事業所にマイナンバーの届出を依頼してください。")]
        return [Warning("warning", "mynumber_missing",
                        "組合はこの方のマイナンバーを受け付けていません。マイナンバーカードを保険証として"
                        "登録しても、届出があるまでマイナ保険証は使えません。事業所にマイナンバーの届出を依頼してください。")]
    try:
        usable_from = rules.mynumber_usable_from(received)
    except DomainError:  # a year the holiday calendar does not cover: no date to promise
        return []
    if today >= usable_from:
        return []
    # Before the date a member who already registered the card will see the online check fail.
    return [Warning("warning" if usable else "info", "mynumber_pending",
                    f"マイナンバーの届出を{format_wareki(received)}に受付。"
                    f"マイナ保険証は{format_wareki(usable_from)}頃から使えます。")]


def _mynumber_in_effect(person: PersonFacts, today: date) -> bool:
    if person.mynumber_received_on is None:
        return False
    try:
        return rules.mynumber_usable_from(person.mynumber_received_on) <= today
    except DomainError:
        return True  # outside the holiday calendar: long past or far ahead, assume in effect

def _ends_by(person: PersonFacts, day: date) -> bool:
    """True when the person is no longer covered on `day` (own loss, 75, or the insured's 75)."""
    if person.lost_on is not None and person.lost_on <= day:
        return True
    if rules.reaches_75_before(person.birth_date, day):
        return True
    return (not person.is_insured and person.insured_birth_date is not None
            and rules.reaches_75_before(person.insured_birth_date, day))


def _standings(person: PersonFacts, today: date, documents: Sequence[DocFacts],
               kinds: tuple[DocumentKind, ...]) -> list[tuple[DocFacts, rules.DocumentStanding]]:
    """The documents of these kinds with their standing today (R18), newest issue first."""
    found = [(d, rules.document_standing(d.kind, d.status, d.valid_until, person.lost_on, today))
             for d in documents if d.kind in kinds]
    return sorted(found, key=lambda pair: pair[0].issued_on, reverse=True)


def _certificates(person: PersonFacts, today: date, documents: Sequence[DocFacts]) -> list[Warning]:
    found = []
    certificates = _standings(person, today, documents, (DocumentKind.ELIGIBILITY_CERTIFICATE,))
    current = [s for _, s in certificates if s.in_force]
    eligibility = rules.certificate_eligibility(person.card_status, person.needs_assistance)
    # R11: a registered card without the My Number at the insurer does not work, so R3's
    # "cannot be checked online" still holds and the certificate is renewed.
    renew = eligibility.eligible or not _mynumber_in_effect(person, today)
    if not current:
        latest = certificates[0][1] if certificates else None
        if person.certificate_queued:  # on its way with the employer's batch: not to be issued again
            found.append(Warning("info", "certificate_queued",
                                 "資格確認書は交付待ちです（事業所経由の一括交付で交付します）。"))
        elif latest is not None and latest.standing is Standing.EXPIRED:
            if _ends_by(person, latest.last_day + timedelta(days=1)):
                return found  # it ended with the coverage (75): nothing to renew
            text = f"資格確認書の有効期限（{format_wareki(latest.last_day)}）が切れています（期限切れ）。"
            if renew:
                text += "新しい資格確認書を交付してください。期限切れの資格確認書は本人が破棄します。"
            else:
                text += "マイナ保険証が使えるため、原則として新しい資格確認書は交付しません（期限切れの資格確認書は本人が破棄）。"
            found.append(Warning("warning" if renew else "info", "certificate_expired", text))
        elif eligibility.eligible:
            phrase = _ASSIST_PHRASE if eligibility.case == "assist" else _R3_PHRASES[person.card_status]
            found.append(Warning("warning", "certificate_missing",
                                 f"{phrase}ため資格確認書の交付対象ですが、有効な資格確認書がありません。"
                                 "資格確認書を交付してください。"))
        return found
    dated = [s for s in current if s.last_day is not None]
    if not dated:
        return found
    newest = max(dated, key=lambda s: s.last_day)
    # A certificate that ends because coverage ends (75, a recorded loss) is not renewed.
    if newest.days_left >= rules.EXPIRY_NOTICE_DAYS or _ends_by(person, newest.last_day + timedelta(days=1)):
        return found
    if newest.days_left == 0:
        text = f"資格確認書の有効期限は本日（{format_wareki(newest.last_day)}）までです。"
    else:
        text = f"資格確認書の有効期限まで残り{newest.days_left}日です（{format_wareki(newest.last_day)}まで）。"
    if renew:
        text += "更新の交付が必要です。"
    else:
        text += "マイナ保険証が使えるため、原則として更新の交付はしません。"
    found.append(Warning("warning", "certificate_expiring", text))
    return found


def _copay(person: PersonFacts, on: date) -> rules.Copay | None:
    try:
        return rules.copay_ratio(
            person.birth_date, on, is_insured=person.is_insured, remuneration=person.remuneration,
            insured_birth_date=None if person.is_insured else person.insured_birth_date,
            insured_remuneration=person.remuneration if person.is_insured else person.insured_remuneration,
            income_reduction=person.income_reduction,
            insured_income_reduction=person.income_reduction if person.is_insured else person.insured_income_reduction,
            acquired_on=person.acquired_on,
        )
    except DomainError:
        return None


def _seventy(person: PersonFacts, today: date) -> list[Warning]:
    """R5: the ratio printed on the documents changes on the 1st of next month."""
    first = rules.first_day_of_next_month(today)
    if _ends_by(person, first) or today < person.birth_date:
        return []
    after = _copay(person, first)
    if rules.turns_70_next_month(person.birth_date, today):
        ratio = f"（{after.ratio}割）" if after is not None else "（割合は標準報酬月額などが未登録のため判定できません）"
        return [Warning("warning", "turns_70",
                        f"来月（{format_wareki(first)}）から70〜74歳の負担割合{ratio}になります。"
                        "資格確認書・お知らせの再交付が必要です。")]
    # A 70–74 dependent's ratio also follows the insured person (R5), e.g. when the insured turns 70.
    before = _copay(person, today)
    if (before is not None and after is not None and before.printed and after.printed
            and before.ratio != after.ratio):
        return [Warning("warning", "ratio_changes",
                        f"来月（{format_wareki(first)}）から負担割合が{before.ratio}割から{after.ratio}割に"
                        f"変わります（{after.reason}）。資格確認書・お知らせの再交付が必要です。")]
    return []


def _seventy_five(person: PersonFacts, today: date, documents: Sequence[DocFacts]) -> list[Warning]:
    """R4/R5: coverage ends on the 75th birthday (a dependent's also on the insured person's)."""
    cards = [(d.kind, s.last_day) for d, s in _standings(person, today, documents, _CARD_KINDS)
             if s.in_force and s.last_day is not None]
    certificate_ends = max((last for kind, last in cards if kind == DocumentKind.ELIGIBILITY_CERTIFICATE),
                           default=None)
    # A certificate capped by R4 ends the day before the birthday, so "within its validity" means
    # on or before the day after it ends; without a document, the same notice period as a renewal.
    horizon = max((last for _, last in cards), default=today) + timedelta(days=1)
    horizon = max(horizon, today + timedelta(days=CERTIFICATE_NOTICE_DAYS))

    def level(day: date) -> Level:
        return "warning" if (day - today).days <= CERTIFICATE_NOTICE_DAYS else "info"

    own = rules.loss_on_reaching_75(person.birth_date)
    insured = (rules.loss_on_reaching_75(person.insured_birth_date)
               if not person.is_insured and person.insured_birth_date is not None else None)
    if person.lost_on is not None:
        # A loss already recorded for an earlier day ends coverage first.
        if own >= person.lost_on:
            own = None
        if insured is not None and insured >= person.lost_on:
            insured = None

    # The birthday has passed and no loss is recorded for it: the register still says covered.
    if own is not None and own <= today and (insured is None or own <= insured):
        return [Warning("error", "reached_75_unrecorded",
                        f"{format_wareki(own)}に75歳になり資格を喪失していますが、喪失が記録されていません。"
                        "75歳到達による資格喪失を記録してください（後期高齢者医療制度へ移行済み）。")]
    if insured is not None and insured <= today:
        return [Warning("error", "insured_reached_75_unrecorded",
                        f"被保険者が{format_wareki(insured)}に75歳になり資格を喪失したため、この方（被扶養者）も"
                        "同日に資格を喪失していますが、記録されていません。被保険者の75歳到達による資格喪失を"
                        "記録してください。")]
    if insured is not None and today < insured <= horizon and (own is None or insured < own):
        return [Warning(level(insured), "insured_reaches_75",
                        f"被保険者が{format_wareki(insured)}に75歳になり資格を喪失するため、"
                        "この方（被扶養者）も同日に資格を喪失します。")]
    if own is None or not today < own <= horizon:
        return []
    text = f"{format_wareki(own)}に75歳になり、資格を喪失します（後期高齢者医療制度へ）。"
    if certificate_ends is not None:
        day_before = own - timedelta(days=1)
        if certificate_ends <= day_before:
            text += "資格確認書の有効期限はその前日までです。"
        else:
            text += (f"資格確認書の有効期限は{format_wareki(certificate_ends)}と記録されていますが、"
                     f"使えるのはその前日（{format_wareki(day_before)}）までです。")
    return [Warning(level(own), "reaches_75", text)]


def _system_view(person: PersonFacts, today: date) -> list[Warning]:
    """R13: a new member cannot yet print the お知らせ from the 資格情報確認システム."""
    if person.registered_on is None:
        return []
    ready = rules.system_view_ready_on(person.registered_on)
    if today >= ready:
        return []
    return [Warning("info", "system_view_pending",
                    f"資格情報確認システムへの反映は{format_wareki(ready)}頃です（届出から約2週間）。")]


def _outstanding(today: date, items: Sequence[OutstandingFacts]) -> list[Warning]:
    """R9: what has not come back, one warning per loss date (and per 氏名変更, R17)."""
    found = []
    for lost_on, name_change in sorted({(i.lost_on, i.name_change) for i in items}):
        group = [i for i in items if i.lost_on == lost_on and i.name_change == name_change]
        kinds = Counter(DocumentKind(i.kind) for i in group)
        detail = "、".join(f"{kind.label}{n}件" for kind, n in kinds.items())
        family = sum(i.other_family_member for i in group)
        if family:
            detail += f"、うち家族分{family}件"
        days = (today - lost_on).days
        if name_change:
            text = (f"氏名変更（{format_wareki(lost_on)}）により、旧氏名の書類が{len(group)}件未回収です"
                    f"（{detail}）。事業所経由で返却されます。")
            found.append(Warning("info", "outstanding", text))
            continue
        if days < 0:
            found.append(Warning("info", "outstanding",
                                 f"資格喪失（{format_wareki(lost_on)}予定）後に回収する書類が{len(group)}件あります"
                                 f"（{detail}）。事業所経由で返却されます。"))
            continue
        text = (f"資格喪失（{format_wareki(lost_on)}）後、未回収の書類が{len(group)}件あります"
                f"（{detail}）。喪失から{days}日経過。")
        reminders = [i.reminder_sent_on for i in group if i.reminder_sent_on is not None]
        if reminders:
            text += f"{format_wareki(max(reminders))}に督促済み。"
        if days > RETURN_DAYS:
            text += f"返却期限（喪失後{RETURN_DAYS}日以内）を過ぎています。事業所に返却を督促してください。"
            found.append(Warning("warning", "outstanding", text))
        else:
            text += "事業所からの返却を待っています。"
            found.append(Warning("info", "outstanding", text))
    return found


def _claims(today: date, claims: Sequence[ClaimFacts]) -> list[Warning]:
    """R12: a claim still missing papers must be completed before it lapses; a complete one has
    been made in time and is the 給付グループ's to process."""
    found = []
    for c in claims:
        if c.status != ClaimStatus.INCOMPLETE:
            continue
        deadline = rules.claim_deadline(c.paid_on)
        days_left = rules.claim_days_left(c.paid_on, today)
        what = f"立替払の請求（{format_wareki_month(c.treatment_month)}診療・{c.institution_name}）"
        missing = "・".join(c.missing) if c.missing else "書類"
        if days_left < 0:
            found.append(Warning("error", "claim_lapsed",
                                 f"{what}は請求期限（{format_wareki(deadline)}）を過ぎています。"
                                 f"不足書類（{missing}）が揃っていません。給付グループに扱いを確認してください。"))
        elif days_left <= CLAIM_NOTICE_DAYS:
            left = "本日まで" if days_left == 0 else f"あと{days_left}日"
            found.append(Warning("warning", "claim_deadline",
                                 f"{what}の請求期限は{format_wareki(deadline)}です（{left}）。"
                                 f"不足書類（{missing}）を期限までに提出するよう伝えてください。"))
    return found
