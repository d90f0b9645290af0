"""Enrolment (資格取得) and 扶養追加: the dates a clerk may record, the plausibility of a
dependent, the family's 番号 and 枝番, whether a new member needs a 資格確認書, and when two
records may be the same person. Pure: the caller passes today and the keys it looked up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from clerk_tui.domain.codes import CardStatus, Relationship
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import _date_text, _require_date
from clerk_tui.domain.rules.certificates import certificate_eligibility
from clerk_tui.domain.rules.dates import age_on, loss_on_reaching_75

# A 資格取得届 is filed after the hiring day; a date further ahead than this is a typing mistake.
MAX_DAYS_AHEAD = 90
# The oldest age anyone is enrolled at; an insured person is at least of working age.
MAX_AGE = 120
MIN_INSURED_AGE = 15
LAST_BRANCH = 99

# Relations that are a generation below / above the insured person.
_YOUNGER = (Relationship.CHILD, Relationship.GRANDCHILD)
_OLDER = (Relationship.PARENT, Relationship.GRANDPARENT)


def _error(message: str, field: str) -> DomainError:
    return DomainError(message, field=field)


def check_acquired_on(acquired_on: date, today: date, *, field: str = "acquired_on") -> None:
    """資格取得日: a real date, not far in the future (the 届出 follows the hiring)."""
    _require_date(acquired_on, field)
    if acquired_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise _error(f"資格取得日（{_date_text(acquired_on)}）が先すぎます。"
                     f"今日から{MAX_DAYS_AHEAD}日以内の日付を入力してください。", field)


def check_person(birth_date: date, acquired_on: date, *, insured: bool, field: str = "birth_date") -> None:
    """A person enrolled on `acquired_on`: born by then, of a plausible age, and under 75 (at 75
    the person belongs to the 後期高齢者医療制度, not to the society)."""
    _require_date(birth_date, field)
    if birth_date > acquired_on:
        raise _error(f"生年月日（{_date_text(birth_date)}）が資格取得日（{_date_text(acquired_on)}）より後です。", field)
    age = age_on(birth_date, acquired_on)
    if age > MAX_AGE:
        raise _error(f"生年月日（{_date_text(birth_date)}）では{age}歳になります。生年月日を確認してください。", field)
    if loss_on_reaching_75(birth_date) <= acquired_on:
        raise _error(f"資格取得日に75歳以上です（{age}歳）。後期高齢者医療制度の対象のため加入できません。", field)
    if insured and age < MIN_INSURED_AGE:
        raise _error(f"被保険者が資格取得日に{age}歳です。{MIN_INSURED_AGE}歳未満の被保険者は登録できません。"
                     "生年月日を確認してください。", field)


def check_dependent(birth_date: date, relationship: Relationship, insured_birth_date: date,
                    acquired_on: date, insured_acquired_on: date, *, field: str = "birth_date",
                    date_field: str = "acquired_on") -> None:
    """A dependent: the person checks, a start not before the insured's, and an age that fits the
    relationship (a child or grandchild younger than the insured, a parent or grandparent older)."""
    if acquired_on < insured_acquired_on:
        raise _error(f"被扶養者の資格取得日（{_date_text(acquired_on)}）が被保険者の資格取得日"
                     f"（{_date_text(insured_acquired_on)}）より前です。", date_field)
    check_person(birth_date, acquired_on, insured=False, field=field)
    if relationship is Relationship.SELF:
        raise _error("被扶養者の続柄に「本人」は選べません。", "relationship")
    label = relationship.label
    if relationship in _YOUNGER and birth_date <= insured_birth_date:
        raise _error(f"続柄が{label}ですが、被保険者（{_date_text(insured_birth_date)}生）より年上です。"
                     "生年月日か続柄を確認してください。", field)
    if relationship in _OLDER and birth_date >= insured_birth_date:
        raise _error(f"続柄が{label}ですが、被保険者（{_date_text(insured_birth_date)}生）より年下です。"
                     "生年月日か続柄を確認してください。", field)


def next_number(numbers_in_symbol_max: int | None) -> str:
    """The family's 番号: one more than the highest already given in the 記号 (1 for the first)."""
    return str((numbers_in_symbol_max or 0) + 1)


def next_branch(branches_used: Iterable[str]) -> str:
    """The next 枝番 of a family: one more than the highest ever used, lost members included, so
    a 枝番 is never given twice (00 is the insured's)."""
    highest = max((int(b) for b in branches_used), default=-1)
    if highest >= LAST_BRANCH:
        raise _error("この世帯の枝番は99まで使われているため、これ以上追加できません。", "branch")
    return f"{highest + 1:02d}"


def needs_certificate(card_status: CardStatus, needs_assistance: bool, mynumber_received_on: date | None) -> bool:
    """Whether a new member gets a 資格確認書 with the お知らせ: the R3 cases (and a 要配慮者),
    and also a member whose card is registered but whose My Number the society has not received
    (the online check cannot find that member, so マイナ保険証 does not work yet)."""
    if certificate_eligibility(card_status, needs_assistance).eligible:
        return True
    return card_status is CardStatus.USABLE and mynumber_received_on is None


@dataclass(frozen=True)
class PersonKeys:
    """What the duplicate check compares: the birth date and the folded name keys (see
    domain.kana.name_key / kana_key: variant kanji, width and small kana folded, no spaces)."""

    birth_date: date
    name_key: str
    kana_key: str


def may_be_same_person(a: PersonKeys, b: PersonKeys) -> bool:
    """Same birth date and the same name in kanji or in kana (after folding): possibly one person
    enrolled twice, or a former member coming back. The clerk decides."""
    if a.birth_date != b.birth_date:
        return False
    return bool(a.name_key and a.name_key == b.name_key) or bool(a.kana_key and a.kana_key == b.kana_key)
