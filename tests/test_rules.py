"""Tests for clerk_tui.domain.rules: the examples and boundaries of docs/rules.md R3–R13, plus
property-based invariants."""

from __future__ import annotations

import calendar
from dataclasses import FrozenInstanceError, dataclass
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules import (
    LEGACY_CARD_LAST_VALID,
    LEGACY_ISSUE_STOPPED,
    Copay,
    Expiry,
    add_business_days,
    age_on,
    attains_age_on,
    cancellation_effective_on,
    certificate_eligibility,
    certificate_valid_until,
    claim_days_left,
    claim_deadline,
    collection_decisions,
    copay_ratio,
    counted_cost,
    fiscal_year,
    insurer_share,
    is_business_day,
    last_work_day_for,
    legacy_card_return_required,
    legacy_card_valid_on,
    loss_on_reaching_75,
    mynumber_usable_from,
    nth_birthday,
    qualification_lost_on,
    ratio_in_force,
    ratio_masked,
    reaches_75_before,
    school_age_starts_on,
    seventy_ratio_starts_on,
    system_view_ready_on,
    turns_70_next_month,
)

D = date
ONE_DAY = timedelta(days=1)


def plus_years(d: date, years: int) -> date:
    """Same calendar date `years` later; 29 Feb becomes 28 Feb in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


# ---------------------------------------------------------------------------------------------
# Ages and fiscal years


class TestAges:
    def test_attains_age_the_day_before_the_birthday(self):
        assert age_on(D(1955, 4, 1), D(2025, 3, 31)) == 70
        assert age_on(D(1955, 4, 1), D(2025, 3, 30)) == 69
        assert attains_age_on(D(1955, 4, 1), 70) == D(2025, 3, 31)

    def test_feb_29_birth(self):
        assert nth_birthday(D(2004, 2, 29), 1) == D(2005, 3, 1)
        assert nth_birthday(D(2004, 2, 29), 4) == D(2008, 2, 29)
        assert attains_age_on(D(2004, 2, 29), 1) == D(2005, 2, 28)
        assert age_on(D(2004, 2, 29), D(2005, 2, 27)) == 0
        assert age_on(D(2004, 2, 29), D(2005, 2, 28)) == 1
        assert age_on(D(2004, 2, 29), D(2008, 2, 28)) == 4

    def test_new_years_day_birth_attains_on_new_years_eve(self):
        assert age_on(D(2000, 1, 1), D(2024, 12, 30)) == 24
        assert age_on(D(2000, 1, 1), D(2024, 12, 31)) == 25

    def test_age_on_the_birth_date_is_zero(self):
        assert age_on(D(2025, 6, 1), D(2025, 6, 1)) == 0

    def test_date_before_birth_is_an_error(self):
        with pytest.raises(DomainError):
            age_on(D(2025, 6, 1), D(2025, 5, 31))

    def test_negative_n_is_an_error(self):
        with pytest.raises(DomainError):
            nth_birthday(D(2000, 1, 1), -1)

    @pytest.mark.parametrize(
        ("d", "fy"),
        [
            (D(2025, 1, 15), 2024),
            (D(2025, 3, 31), 2024),
            (D(2025, 4, 1), 2025),
            (D(2025, 12, 31), 2025),
        ],
    )
    def test_fiscal_year(self, d, fy):
        assert fiscal_year(d) == fy

    @given(
        st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)),
        st.integers(min_value=1, max_value=110),
    )
    def test_age_increases_exactly_on_the_attainment_day(self, birth, n):
        attained = attains_age_on(birth, n)
        assert age_on(birth, attained) == n
        assert age_on(birth, attained - ONE_DAY) == n - 1


# ---------------------------------------------------------------------------------------------
# R4


class TestCertificateExpiry:
    def test_seed_example_issued_january_2025(self):
        assert certificate_valid_until(D(2025, 1, 15), D(1980, 5, 5)) == Expiry(
            D(2027, 3, 31), False
        )

    def test_seed_example_issued_april_2025(self):
        assert certificate_valid_until(D(2025, 4, 1), D(1980, 5, 5)) == Expiry(
            D(2028, 3, 31), False
        )

    def test_last_day_of_fiscal_year(self):
        assert certificate_valid_until(D(2025, 3, 31), D(1980, 5, 5)).valid_until == D(2027, 3, 31)

    def test_capped_at_day_before_75th_birthday(self):
        assert certificate_valid_until(D(2025, 4, 1), D(1952, 6, 10)) == Expiry(D(2027, 6, 9), True)

    def test_75th_birthday_on_the_expiry_date_caps(self):
        # Qualification ends on 2028-03-31 itself, so the certificate must stop the day before.
        assert certificate_valid_until(D(2025, 4, 1), D(1953, 3, 31)) == Expiry(
            D(2028, 3, 30), True
        )

    def test_75th_birthday_the_day_after_expiry_does_not_cap(self):
        assert certificate_valid_until(D(2025, 4, 1), D(1953, 4, 1)) == Expiry(
            D(2028, 3, 31), False
        )

    def test_issue_on_or_after_75th_birthday_is_refused(self):
        with pytest.raises(DomainError) as e:
            certificate_valid_until(D(2025, 6, 10), D(1950, 6, 10))
        # The clerk reads the loss date in 和暦, as everywhere else.
        assert "令和7年6月10日に75歳到達により資格喪失" in e.value.message
        assert "2025年" not in e.value.message
        assert certificate_valid_until(D(2025, 6, 9), D(1950, 6, 10)) == Expiry(D(2025, 6, 9), True)

    def test_result_is_frozen(self):
        exp = certificate_valid_until(D(2025, 4, 1), D(1980, 5, 5))
        with pytest.raises(FrozenInstanceError):
            exp.valid_until = D(2030, 1, 1)  # type: ignore[misc]

    @given(
        st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
        st.dates(min_value=D(1900, 1, 1), max_value=D(2090, 12, 31)),
    )
    def test_invariants(self, issued, birth):
        assume(birth <= issued < loss_on_reaching_75(birth))
        exp = certificate_valid_until(issued, birth)
        uncapped = D(fiscal_year(issued) + 3, 3, 31)
        if exp.capped_at_75:
            assert exp.valid_until == nth_birthday(birth, 75) - ONE_DAY
            assert exp.valid_until < uncapped
            assert exp.valid_until >= issued
        else:
            assert (exp.valid_until.month, exp.valid_until.day) == (3, 31)
            assert exp.valid_until >= plus_years(issued, 2)
            assert exp.valid_until < loss_on_reaching_75(birth)


# ---------------------------------------------------------------------------------------------
# R5


def insured(birth, on, remuneration=300_000, **kw) -> Copay:
    return copay_ratio(birth, on, is_insured=True, remuneration=remuneration, **kw)


def dependent(birth, on, insured_birth, insured_remuneration, **kw) -> Copay:
    return copay_ratio(
        birth,
        on,
        is_insured=False,
        remuneration=None,
        insured_birth_date=insured_birth,
        insured_remuneration=insured_remuneration,
        **kw,
    )


class TestCopayRatio:
    # -- children
    def test_under_school_age_boundary_april_1_birth(self):
        # Born 2019-04-01: attains 6 on 2025-03-31, so primary school age from 2025-04-01.
        assert school_age_starts_on(D(2019, 4, 1)) == D(2025, 4, 1)
        c = insured(D(2019, 4, 1), D(2025, 3, 31))
        assert (c.ratio, c.printed, c.effective_from) == (2, False, None)
        c = insured(D(2019, 4, 1), D(2025, 4, 1))
        assert (c.ratio, c.printed) == (3, False)

    def test_under_school_age_boundary_april_2_birth(self):
        # Born 2019-04-02: attains 6 on 2025-04-01, so 2割 until 2026-03-31.
        c = dependent(D(2019, 4, 2), D(2025, 4, 1), D(1985, 1, 1), 500_000)
        assert (c.ratio, c.printed) == (2, False)
        assert ratio_masked(c) == "*******"
        assert "就学前" in c.reason
        assert dependent(D(2019, 4, 2), D(2026, 3, 31), D(1985, 1, 1), 500_000).ratio == 2
        assert dependent(D(2019, 4, 2), D(2026, 4, 1), D(1985, 1, 1), 500_000).ratio == 3

    def test_newborn(self):
        c = dependent(D(2025, 6, 1), D(2025, 6, 1), D(1990, 1, 1), 300_000)
        assert (c.ratio, c.printed) == (2, False)

    # -- 6 to 69
    def test_working_age_three_not_printed(self):
        c = insured(D(1980, 5, 5), D(2025, 6, 1), remuneration=100_000)
        assert c == Copay(3, False, None, c.reason)
        assert ratio_masked(c) == "*******"

    # -- the 70th birthday
    def test_birthday_on_the_1st_ratio_from_the_birthday(self):
        birth = D(1955, 8, 1)  # attains 70 on 2025-07-31
        assert seventy_ratio_starts_on(birth) == D(2025, 8, 1)
        assert insured(birth, D(2025, 7, 30)).printed is False
        before = insured(birth, D(2025, 7, 31))
        assert (before.ratio, before.printed, before.effective_from) == (3, True, D(2025, 8, 1))
        assert "発効期日令和7年8月1日" in before.reason
        on_birthday = insured(birth, D(2025, 8, 1))
        assert (on_birthday.printed, on_birthday.effective_from) == (True, D(2025, 8, 1))
        assert "発効期日" not in on_birthday.reason

    def test_birthday_on_the_2nd_ratio_from_next_month(self):
        birth = D(1955, 8, 2)  # attains 70 on 2025-08-01
        assert seventy_ratio_starts_on(birth) == D(2025, 9, 1)
        assert insured(birth, D(2025, 7, 31), remuneration=200_000).printed is False

    def test_day_before_70th_birthday_is_already_printed(self):
        birth = D(1955, 8, 2)
        c = insured(birth, D(2025, 8, 1), remuneration=200_000)
        assert (c.ratio, c.printed, c.effective_from) == (2, True, D(2025, 9, 1))
        assert ratio_masked(c) == "2割"
        assert "それまでは3割" in c.reason

    def test_the_month_after(self):
        c = insured(D(1955, 8, 2), D(2025, 9, 1), remuneration=300_000)
        assert (c.ratio, c.printed, c.effective_from) == (3, True, D(2025, 9, 1))
        assert ratio_masked(c) == "3割"
        assert c.reason == "70〜74歳・標準報酬月額28万円以上のため3割"

    def test_joins_after_70_ratio_from_join_date(self):
        c = insured(D(1955, 8, 2), D(2025, 10, 15), acquired_on=D(2025, 10, 15))
        assert c.effective_from == D(2025, 10, 15)
        # Joining before the ratio's start does not move it earlier.
        c = insured(D(1955, 8, 2), D(2025, 8, 10), acquired_on=D(2020, 4, 1))
        assert c.effective_from == D(2025, 9, 1)

    def test_remuneration_boundary(self):
        assert insured(D(1953, 5, 10), D(2025, 6, 1), remuneration=279_999).ratio == 2
        assert insured(D(1953, 5, 10), D(2025, 6, 1), remuneration=280_000).ratio == 3

    def test_income_reduction_on_insured(self):
        c = insured(D(1953, 5, 10), D(2025, 6, 1), remuneration=500_000, income_reduction=True)
        assert (c.ratio, c.printed) == (2, True)
        assert "基準収入額" in c.reason

    def test_insured_70_74_needs_remuneration(self):
        with pytest.raises(DomainError) as e:
            insured(D(1953, 5, 10), D(2025, 6, 1), remuneration=None)
        assert e.value.field == "remuneration"

    def test_negative_remuneration_is_an_error(self):
        with pytest.raises(DomainError):
            insured(D(1980, 5, 5), D(2025, 6, 1), remuneration=-1)

    # -- dependents
    def test_dependent_of_3_wari_insured(self):
        c = dependent(D(1953, 5, 10), D(2025, 6, 1), D(1951, 9, 20), 300_000)
        assert (c.ratio, c.printed) == (3, True)

    def test_dependent_of_low_remuneration_insured(self):
        assert dependent(D(1953, 5, 10), D(2025, 6, 1), D(1951, 9, 20), 279_999).ratio == 2

    def test_dependent_of_under_70_insured_always_2(self):
        c = dependent(D(1953, 5, 10), D(2025, 6, 1), D(1960, 1, 1), 1_390_000)
        assert (c.ratio, c.printed) == (2, True)
        assert "70歳未満" in c.reason

    def test_dependent_follows_insured_from_insured_ratio_start(self):
        # The insured attains 70 on 2025-08-01; their 70–74 status counts from 2025-09-01.
        assert dependent(D(1953, 5, 10), D(2025, 8, 15), D(1955, 8, 2), 300_000).ratio == 2
        assert dependent(D(1953, 5, 10), D(2025, 9, 1), D(1955, 8, 2), 300_000).ratio == 3

    # -- the 発効期日 printed for a 70–74 dependent: the date the ratio took effect for that person
    @pytest.mark.parametrize(
        ("dep_birth", "insured_birth", "remuneration", "on", "acquired_on", "expected"),
        [
            # Dependent 70–74 since 2022-05-01 at 2割; the insured attains 70 on 2025-03-14, so
            # the dependent's 3割 takes effect with the insured's 70–74 month, 2025-04-01.
            (D(1952, 4, 10), D(1955, 3, 15), 300_000, D(2025, 6, 1), None, (3, D(2025, 4, 1))),
            (D(1952, 4, 10), D(1955, 3, 15), 300_000, D(2025, 4, 1), None, (3, D(2025, 4, 1))),
            # Insured born on the 1st: 70–74 from the birthday itself.
            (D(1952, 4, 10), D(1955, 4, 1), 300_000, D(2025, 6, 1), None, (3, D(2025, 4, 1))),
            # Before the insured's 70–74 month the dependent still pays 2割, from their own date.
            (D(1952, 4, 10), D(1955, 3, 15), 300_000, D(2025, 3, 20), None, (2, D(2022, 5, 1))),
            # The insured was 70–74 first: the dependent's own date is the later one.
            (D(1953, 5, 10), D(1951, 9, 20), 300_000, D(2025, 6, 1), None, (3, D(2023, 6, 1))),
            # A dependent added after both dates: from the join date.
            (D(1952, 4, 10), D(1955, 3, 15), 300_000, D(2025, 9, 1), D(2025, 8, 18), (3, D(2025, 8, 18))),
            # 2割 because of the insured's remuneration: 2割 since the dependent's own date.
            (D(1952, 4, 10), D(1955, 3, 15), 279_999, D(2025, 6, 1), None, (2, D(2022, 5, 1))),
            # 2割 because the insured is under 70.
            (D(1952, 4, 10), D(1960, 1, 1), 1_390_000, D(2025, 6, 1), None, (2, D(2022, 5, 1))),
        ],
    )
    def test_dependent_effective_date(self, dep_birth, insured_birth, remuneration, on, acquired_on,
                                      expected):
        c = dependent(dep_birth, on, insured_birth, remuneration, acquired_on=acquired_on)
        assert c.printed
        assert (c.ratio, c.effective_from) == expected
        assert ratio_in_force(c, on) == c.ratio  # already in force on these days

    @given(
        st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31)),
        st.integers(min_value=69 * 366, max_value=75 * 365),
        st.integers(min_value=60 * 365, max_value=75 * 365),
    )
    def test_dependent_three_never_dated_before_the_insureds_seventy_month(self, on, dep_days, insured_days):
        dep_birth, insured_birth = on - timedelta(days=dep_days), on - timedelta(days=insured_days)
        assume(attains_age_on(dep_birth, 70) <= on < loss_on_reaching_75(dep_birth))
        assume(on < loss_on_reaching_75(insured_birth))
        c = dependent(dep_birth, on, insured_birth, 500_000)
        if c.ratio == 3:
            assert c.effective_from >= seventy_ratio_starts_on(insured_birth)
            assert c.effective_from >= seventy_ratio_starts_on(dep_birth)
        else:
            assert c.effective_from == seventy_ratio_starts_on(dep_birth)

    def test_dependent_reason_names_the_insureds_seventy_month_in_wareki(self):
        # The insured attains 70 on 2025-03-14: the 70–74 class applies from 2025-04-01.
        c = dependent(D(1952, 4, 10), D(2025, 3, 20), D(1955, 3, 15), 300_000)
        assert c.ratio == 2
        assert "被保険者の70〜74歳の区分が令和7年4月1日からのため2割" in c.reason

    @pytest.mark.parametrize("kw", [{"income_reduction": True}, {"insured_income_reduction": True}])
    def test_dependent_income_reduction(self, kw):
        assert dependent(D(1953, 5, 10), D(2025, 6, 1), D(1951, 9, 20), 300_000, **kw).ratio == 2

    def test_dependent_70_74_needs_insured_data(self):
        with pytest.raises(DomainError) as e:
            dependent(D(1953, 5, 10), D(2025, 6, 1), None, None)
        assert e.value.field == "insured_birth_date"
        with pytest.raises(DomainError) as e:
            dependent(D(1953, 5, 10), D(2025, 6, 1), D(1951, 9, 20), None)
        assert e.value.field == "insured_remuneration"

    def test_dependent_loses_coverage_with_insured_at_75(self):
        assert dependent(D(1953, 5, 10), D(2025, 5, 31), D(1950, 6, 1), 300_000).ratio == 3
        with pytest.raises(DomainError) as e:
            dependent(D(1953, 5, 10), D(2025, 6, 1), D(1950, 6, 1), 300_000)
        assert e.value.field == "insured_birth_date"
        assert "被保険者が令和7年6月1日に75歳到達により資格喪失" in e.value.message

    # -- 75
    def test_75th_birthday_moves_to_late_elderly_system(self):
        # Attains 75 on 2025-06-09 but is still covered that day; lost on the birthday.
        c = insured(D(1950, 6, 10), D(2025, 6, 9))
        assert (c.ratio, c.printed) == (3, True)
        with pytest.raises(DomainError) as e:
            insured(D(1950, 6, 10), D(2025, 6, 10))
        assert "後期高齢者医療制度" in e.value.message
        assert "令和7年6月10日に75歳到達" in e.value.message

    def test_date_before_birth_is_an_error(self):
        with pytest.raises(DomainError):
            insured(D(2025, 6, 10), D(2025, 6, 9))

    @given(
        st.dates(min_value=D(1940, 1, 1), max_value=D(2030, 12, 31)),
        st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)),
        st.integers(min_value=0, max_value=1_500_000),
        st.booleans(),
    )
    def test_printed_iff_70_attained(self, birth, on, remuneration, reduction):
        assume(birth <= on < loss_on_reaching_75(birth))
        c = insured(birth, on, remuneration=remuneration, income_reduction=reduction)
        assert c.ratio in (2, 3)
        assert c.printed == (on >= attains_age_on(birth, 70))
        assert (c.effective_from is not None) == c.printed
        assert ratio_masked(c) == (f"{c.ratio}割" if c.printed else "*******")


# ---------------------------------------------------------------------------------------------
# R3


class TestEligibility:
    @pytest.mark.parametrize(
        ("status", "case"),
        [
            (CardStatus.NO_CARD, "a"),
            (CardStatus.NOT_REGISTERED, "b"),
            (CardStatus.CARD_LOST, "c"),
            (CardStatus.CARD_RENEWING, "c"),
            (CardStatus.CERT_EXPIRED, "c"),
            (CardStatus.CARD_RETURNED, "d"),
            (CardStatus.REGISTRATION_CANCELLED, "d"),
        ],
    )
    def test_cases(self, status, case):
        e = certificate_eligibility(status)
        assert (e.eligible, e.case) == (True, case)
        assert "交付対象" in e.reason

    def test_usable_is_not_eligible(self):
        e = certificate_eligibility(CardStatus.USABLE)
        assert (e.eligible, e.case) == (False, None)
        assert "マイナ保険証で受診できるため原則交付しない" in e.reason

    def test_usable_with_assistance(self):
        e = certificate_eligibility(CardStatus.USABLE, needs_assistance=True)
        assert (e.eligible, e.case) == (True, "assist")
        assert "要配慮者" in e.reason

    def test_every_status_is_decided(self):
        for status in CardStatus:
            certificate_eligibility(status)

    def test_unknown_status(self):
        with pytest.raises(DomainError):
            certificate_eligibility("lost_in_space")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# R6, R7


class TestLegacyAndCancellation:
    def test_legacy_dates(self):
        assert LEGACY_ISSUE_STOPPED == D(2024, 12, 2)
        assert legacy_card_valid_on(D(2025, 12, 1))
        assert not legacy_card_valid_on(D(2025, 12, 2))
        assert legacy_card_return_required(D(2025, 12, 1))
        assert not legacy_card_return_required(D(2025, 12, 2))

    @pytest.mark.parametrize(
        ("received", "effective"),
        [
            (D(2025, 1, 31), D(2025, 2, 28)),
            (D(2025, 1, 1), D(2025, 2, 28)),
            (D(2024, 1, 15), D(2024, 2, 29)),
            (D(2025, 12, 10), D(2026, 1, 31)),
            (D(2025, 3, 1), D(2025, 4, 30)),
        ],
    )
    def test_effective_on(self, received, effective):
        assert cancellation_effective_on(received) == effective

    @given(st.dates(min_value=D(1900, 1, 1), max_value=D(9999, 10, 31)))
    def test_always_last_day_of_next_month(self, received):
        eff = cancellation_effective_on(received)
        assert eff.day == calendar.monthrange(eff.year, eff.month)[1]
        assert (eff.year * 12 + eff.month) - (received.year * 12 + received.month) == 1


# ---------------------------------------------------------------------------------------------
# R11


class TestBusinessDays:
    @pytest.mark.parametrize(
        ("d", "expected"),
        [
            (D(2025, 12, 26), True),  # Friday
            (D(2025, 12, 27), False),  # Saturday
            (D(2025, 12, 29), False),  # Monday, year-end break
            (D(2025, 12, 31), False),
            (D(2026, 1, 2), False),  # Friday, year-end break
            (D(2026, 1, 5), True),
            (D(2025, 1, 3), False),
            (D(2025, 5, 2), True),
            (D(2025, 5, 6), False),  # substitute holiday for 5/4 (Sunday)
            (D(2025, 11, 24), False),  # substitute holiday
            (D(2026, 9, 22), False),  # 国民の休日 between two holidays
            (D(2025, 4, 29), False),  # 昭和の日
        ],
    )
    def test_is_business_day(self, d, expected):
        assert is_business_day(d) is expected

    def test_new_year(self):
        assert mynumber_usable_from(D(2025, 12, 26)) == D(2026, 1, 9)

    def test_golden_week(self):
        assert mynumber_usable_from(D(2025, 5, 1)) == D(2025, 5, 12)

    def test_ordinary_week_and_weekend_receipt(self):
        assert mynumber_usable_from(D(2025, 6, 2)) == D(2025, 6, 9)
        assert mynumber_usable_from(D(2025, 6, 7)) == D(2025, 6, 13)

    def test_zero_and_negative(self):
        assert add_business_days(D(2025, 12, 27), 0) == D(2025, 12, 27)
        assert add_business_days(D(2026, 1, 5), -1) == D(2025, 12, 26)

    def test_outside_holiday_data_is_refused(self):
        with pytest.raises(DomainError):
            is_business_day(D(2100, 6, 1))

    @given(
        st.dates(min_value=D(1950, 1, 1), max_value=D(2098, 12, 1)),
        st.integers(min_value=1, max_value=30),
    )
    def test_result_is_a_later_business_day(self, d, n):
        result = add_business_days(d, n)
        assert result > d
        assert is_business_day(result)
        days = (result - d).days
        assert sum(is_business_day(d + timedelta(days=i)) for i in range(1, days + 1)) == n


# ---------------------------------------------------------------------------------------------
# R9, R10


@dataclass
class Doc:
    kind: DocumentKind
    status: DocumentStatus = DocumentStatus.VALID
    issued_on: date = D(2025, 1, 15)
    valid_until: date | None = None


def decide(lost_on, doc):
    [decision] = collection_decisions(lost_on, [doc])
    assert decision.document is doc
    return decision


class TestCollection:
    def test_loss_dates(self):
        assert qualification_lost_on(D(2025, 11, 30)) == D(2025, 12, 1)
        assert last_work_day_for(D(2025, 12, 1)) == D(2025, 11, 30)
        assert loss_on_reaching_75(D(1950, 6, 10)) == D(2025, 6, 10)

    @pytest.mark.parametrize("kind", [DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD])
    def test_legacy_cards_boundary(self, kind):
        assert decide(LEGACY_CARD_LAST_VALID, Doc(kind)).collect is True
        d = decide(D(2025, 12, 2), Doc(kind))
        assert d.collect is False
        assert "返却不要" in d.reason

    def test_legacy_card_already_past_own_expiry(self):
        card = Doc(DocumentKind.ELDERLY_CARD, valid_until=D(2025, 5, 31))
        assert decide(D(2025, 6, 1), card).collect is False

    def test_certificate_expiring_on_loss_date_is_collected(self):
        lost = D(2027, 3, 31)
        cert = Doc(DocumentKind.ELIGIBILITY_CERTIFICATE, valid_until=D(2027, 3, 31))
        assert decide(lost, cert).collect is True

    def test_certificate_expired_day_before_is_not(self):
        cert = Doc(DocumentKind.ELIGIBILITY_CERTIFICATE, valid_until=D(2027, 3, 31))
        d = decide(D(2027, 4, 1), cert)
        assert d.collect is False
        assert "破棄" in d.reason

    def test_certificate_after_legacy_end_still_collected(self):
        cert = Doc(DocumentKind.ELIGIBILITY_CERTIFICATE, valid_until=D(2028, 3, 31))
        assert decide(D(2026, 5, 1), cert).collect is True

    def test_notice_never(self):
        d = decide(D(2025, 6, 1), Doc(DocumentKind.ELIGIBILITY_NOTICE))
        assert d.collect is False
        assert "お知らせ" in d.reason

    @pytest.mark.parametrize(
        "status",
        [DocumentStatus.RETURNED, DocumentStatus.LOST, DocumentStatus.UNRECOVERABLE,
         DocumentStatus.EXPIRED, DocumentStatus.SUPERSEDED],
    )
    def test_not_valid_documents_are_not_collected(self, status):
        cert = Doc(DocumentKind.ELIGIBILITY_CERTIFICATE, status=status, valid_until=D(2028, 3, 31))
        assert decide(D(2025, 6, 1), cert).collect is False

    def test_lost_reason_mentions_return_if_found(self):
        cert = Doc(
            DocumentKind.ELIGIBILITY_CERTIFICATE,
            status=DocumentStatus.LOST,
            valid_until=D(2028, 3, 31),
        )
        assert "見つかった場合" in decide(D(2025, 6, 1), cert).reason

    @pytest.mark.parametrize(
        "kind", [DocumentKind.CEILING_CERTIFICATE, DocumentKind.SPECIFIED_DISEASE_CERTIFICATE]
    )
    def test_ceiling_and_disease_certificates_not_handled(self, kind):
        d = decide(D(2025, 6, 1), Doc(kind, valid_until=D(2026, 7, 31)))
        assert d.collect is False
        assert "本プログラムでは扱わない" in d.reason

    def test_order_and_mix(self):
        docs = [
            Doc(DocumentKind.LEGACY_CARD),
            Doc(DocumentKind.ELIGIBILITY_NOTICE),
            Doc(DocumentKind.ELIGIBILITY_CERTIFICATE, valid_until=D(2027, 3, 31)),
        ]
        decisions = collection_decisions(D(2025, 11, 1), docs)
        assert [x.document for x in decisions] == docs
        assert [x.collect for x in decisions] == [True, False, True]

    def test_bad_kind_is_an_error(self):
        with pytest.raises(DomainError):
            collection_decisions(D(2025, 6, 1), [Doc("passport")])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# R12, R13


class TestClaims:
    @pytest.mark.parametrize(
        ("paid", "deadline"),
        [
            (D(2025, 3, 10), D(2027, 3, 10)),
            (D(2024, 2, 29), D(2026, 2, 28)),
            (D(2024, 2, 28), D(2026, 2, 28)),
            (D(2023, 12, 31), D(2025, 12, 31)),
            # 民法143条: the period started 2022-03-01 and ends the day before 2024-03-01.
            (D(2022, 2, 28), D(2024, 2, 29)),
        ],
    )
    def test_deadline(self, paid, deadline):
        assert claim_deadline(paid) == deadline

    def test_days_left(self):
        assert claim_days_left(D(2025, 3, 10), D(2025, 3, 10)) == 730
        assert claim_days_left(D(2025, 3, 10), D(2027, 3, 10)) == 0
        assert claim_days_left(D(2025, 3, 10), D(2027, 3, 11)) == -1

    def test_share(self):
        assert insurer_share(10_000, 3) == 7_000
        assert insurer_share(10_000, 2) == 8_000
        assert insurer_share(999, 3) == 699  # floored
        assert insurer_share(0, 3) == 0

    # R12: refund = min(fee-schedule cost, paid) × (1 − 負担割合), floored to the yen.
    @pytest.mark.parametrize(
        ("cost", "paid", "ratio", "refund"),
        [
            (10_000, 10_000, 3, 7_000),
            (10_000, 8_000, 3, 5_600),  # paid less than the cost: the amount paid is counted
            (20_000, 10_000, 3, 7_000),  # never the whole amount paid
            (10_000, 12_000, 3, 7_000),  # paid more than the cost: the cost is counted
            (10_000, 8_000, 2, 6_400),
            (20_000, 10_000, 2, 8_000),
            (12_345, 9_999, 3, 6_999),  # 6,999.3 floored
            (999, 999, 3, 699),
            (0, 5_000, 3, 0),
            (5_000, 0, 3, 0),
            (None, 10_000, 3, 7_000),  # no cost known: the amount paid is counted
            (None, 8_000, 2, 6_400),
        ],
    )
    def test_share_of_the_cost_counted(self, cost, paid, ratio, refund):
        assert insurer_share(paid, ratio, cost) == refund
        assert counted_cost(paid, cost) == (paid if cost is None else min(cost, paid))

    @pytest.mark.parametrize(
        ("args", "field"),
        [
            ((-1, 3), "amount_paid"),
            ((10.5, 3), "amount_paid"),
            ((True, 3), "amount_paid"),
            ((10_000, 1), "ratio"),
            ((10_000, 3.0), "ratio"),
            ((10_000, 3, -5), "fee_schedule_cost"),
            ((10_000, 3, "7000"), "fee_schedule_cost"),
        ],
    )
    def test_share_validation(self, args, field):
        with pytest.raises(DomainError) as e:
            insurer_share(*args)
        assert e.value.field == field

    @given(
        st.integers(min_value=0, max_value=10**9),
        st.sampled_from([2, 3]),
        st.none() | st.integers(min_value=0, max_value=10**9),
    )
    def test_share_never_exceeds_the_insurers_part_of_what_was_paid(self, paid, ratio, cost):
        share = insurer_share(paid, ratio, cost)
        assert 0 <= share <= paid * (10 - ratio) // 10
        if cost is not None:
            assert share <= cost * (10 - ratio) // 10

    @given(st.dates(min_value=D(1900, 1, 1), max_value=D(9000, 12, 31)))
    def test_deadline_is_two_years_on(self, paid):
        deadline = claim_deadline(paid)
        assert deadline >= plus_years(paid, 2)
        assert (deadline - plus_years(paid, 2)).days <= 1

    def test_system_view(self):
        assert system_view_ready_on(D(2025, 4, 1)) == D(2025, 4, 15)


# ---------------------------------------------------------------------------------------------
# Member-screen warnings


class TestWarnings:
    def test_birthday_on_the_1st_of_next_month(self):
        assert turns_70_next_month(D(1955, 9, 1), D(2025, 8, 15)) is True
        assert turns_70_next_month(D(1955, 9, 1), D(2025, 9, 1)) is False

    def test_birthday_on_the_2nd(self):
        # Attains 70 on 2025-09-01, ratio from 2025-10-01.
        assert turns_70_next_month(D(1955, 9, 2), D(2025, 8, 15)) is False
        assert turns_70_next_month(D(1955, 9, 2), D(2025, 9, 10)) is True

    def test_mid_month_birthday(self):
        assert turns_70_next_month(D(1955, 8, 15), D(2025, 8, 1)) is True
        assert turns_70_next_month(D(1955, 8, 15), D(2025, 7, 31)) is False

    def test_reaches_75_before(self):
        assert reaches_75_before(D(1950, 6, 10), D(2025, 6, 10)) is True
        assert reaches_75_before(D(1950, 6, 10), D(2025, 6, 9)) is False


def test_ratio_in_force_before_the_effective_date():
    from clerk_tui.domain.rules import copay_ratio, ratio_in_force

    # Attains 70 on 2025-10-01 (birthday 10/2): printed 2割 from 11/1, still 3割 in October.
    c = copay_ratio(date(1955, 10, 2), date(2025, 10, 15), is_insured=True, remuneration=200_000)
    assert c.printed and c.ratio == 2 and c.effective_from == date(2025, 11, 1)
    assert ratio_in_force(c, date(2025, 10, 15)) == 3
    assert ratio_in_force(c, date(2025, 11, 1)) == 2
