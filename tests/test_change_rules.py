"""The pure rules of register changes (R17): effective dates, the ratio decision, which
certificates a 氏名変更 replaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_tui.domain.codes import DocumentKind, DocumentStatus, RegisterChange
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules import Copay
from clerk_tui.domain.rules import changes as rules

TODAY = date(2025, 11, 20)
ACQUIRED = date(2020, 4, 1)


def _effective(kind, entered, **kw):
    args = {"acquired_on": ACQUIRED, "lost_on": None, "today": TODAY} | kw
    return rules.check_effective(kind, entered, **args)


def test_an_income_reduction_applies_from_the_month_after_the_application():
    assert _effective(RegisterChange.INCOME_REDUCTION, date(2025, 11, 10)) == date(2025, 12, 1)
    assert _effective(RegisterChange.INCOME_REDUCTION, date(2025, 10, 31)) == date(2025, 11, 1)


@pytest.mark.parametrize("kind, entered, words", [
    (RegisterChange.NAME_CHANGE, date(2020, 3, 31), "資格取得日"),
    (RegisterChange.NAME_CHANGE, date(2026, 2, 21), "先すぎます"),  # today + 93 days
    (RegisterChange.REMUNERATION, date(2025, 12, 15), "1日"),
    (RegisterChange.MYNUMBER_RECEIVED, date(2025, 11, 21), "未来"),
    (RegisterChange.INCOME_REDUCTION, date(2025, 11, 21), "未来"),
])
def test_effective_dates_refused(kind, entered, words):
    with pytest.raises(DomainError, match=words) as err:
        _effective(kind, entered)
    assert err.value.field == "effective_from"


def test_effective_date_boundaries_accepted():
    assert _effective(RegisterChange.NAME_CHANGE, ACQUIRED) == ACQUIRED
    assert _effective(RegisterChange.NAME_CHANGE, date(2026, 2, 20)) == date(2026, 2, 20)  # today + 92 days
    # A My Number 届出 may arrive before qualification began (the employer sends it with the 届出).
    assert _effective(RegisterChange.MYNUMBER_RECEIVED, date(2020, 3, 1)) == date(2020, 3, 1)


def test_no_change_after_loss_nor_before_one_already_recorded():
    with pytest.raises(DomainError, match="資格喪失日"):
        _effective(RegisterChange.ADDRESS_CHANGE, date(2025, 11, 1), lost_on=date(2025, 11, 1))
    with pytest.raises(DomainError, match="訂正"):
        _effective(RegisterChange.ADDRESS_CHANGE, date(2025, 10, 1), last_effective=date(2025, 10, 2))
    assert _effective(RegisterChange.ADDRESS_CHANGE, date(2025, 10, 2), last_effective=date(2025, 10, 2))


def _copay(ratio, printed=True, starts=date(2024, 6, 1)):
    return Copay(ratio, printed, starts if printed else None, "")


@pytest.mark.parametrize("old, new, expected", [
    (_copay(2), _copay(3), date(2025, 12, 1)),
    (_copay(3), _copay(2), date(2025, 12, 1)),
    (_copay(2), _copay(2), None),
    (_copay(3, printed=False), _copay(3, printed=False), None),  # under 70: never printed
    (None, _copay(3), None),
    (_copay(2, starts=date(2026, 1, 1)), _copay(3, starts=date(2026, 1, 1)), date(2026, 1, 1)),  # own 70–74 date later
])
def test_ratio_change_from(old, new, expected):
    assert rules.ratio_change_from(old, new, date(2025, 12, 1)) == expected


@given(st.sampled_from([2, 3]), st.sampled_from([2, 3]), st.dates(date(2020, 1, 1), date(2030, 1, 1)))
def test_a_ratio_change_is_never_dated_before_the_change(a, b, effective):
    starts = rules.ratio_change_from(_copay(a), _copay(b), effective)
    assert (starts is None) == (a == b)
    assert starts is None or starts >= effective


@dataclass
class Doc:
    kind: DocumentKind
    status: DocumentStatus = DocumentStatus.VALID
    valid_until: date | None = date(2028, 3, 31)


CERT = DocumentKind.ELIGIBILITY_CERTIFICATE


def test_certificates_to_replace_after_a_name_change():
    held = [rules.HeldDocument(1, Doc(CERT)), rules.HeldDocument(2, Doc(CERT)),
            rules.HeldDocument(1, Doc(DocumentKind.ELIGIBILITY_NOTICE)),
            rules.HeldDocument(1, Doc(CERT, valid_until=date(2025, 10, 31))),
            rules.HeldDocument(2, Doc(CERT, status=DocumentStatus.LOST)),
            rules.HeldDocument(2, Doc(CERT, valid_until=None))]
    eff = date(2025, 11, 1)
    # The insured person (1): the whole family's valid certificates.
    assert [h.member_id for h in rules.certificates_to_replace(1, True, eff, held)] == [1, 2, 2]
    # A dependent (2): only their own.
    assert [h.member_id for h in rules.certificates_to_replace(2, False, eff, held)] == [2, 2]


def test_shown_values():
    assert rules.shown_value("standard_monthly_remuneration", "280000") == "280,000円"
    assert rules.shown_value("mynumber_received_on", "2025-11-20") == "令和7年11月20日"
    assert rules.shown_value("address", None) == "（なし）"
    assert rules.stored_value(True) == "1" and rules.stored_value(date(2025, 1, 2)) == "2025-01-02"
