"""The dated rules of docs/rules.md (R3–R13) as pure functions: every date comes in as an argument,
nothing reads the clock, the database or the disk.

One module per subject; callers use the package (`from clerk_tui.domain import rules`,
`rules.copay_ratio(...)`), which re-exports them all:

- dates: calendar helpers, ages in law, business days (R11), the system-view delay (R13)
- certificates: who gets a 資格確認書 (R3), its expiry (R4), legacy cards (R6/R10), cancelling
  the registration (R7)
- copay: the 負担割合 (R5)
- loss: loss of qualification and the documents that must come back (R9/R10)
- claims: 立替払 claims (R12)
- standing: what a document is worth today (R18)
- changes: changes to the register and corrections (R17), imported as a module
  (`from clerk_tui.domain.rules import changes`)
- enrolment: 資格取得 and 扶養追加 (plausibility, 番号 and 枝番, the duplicate match)
"""

from __future__ import annotations

from clerk_tui.domain.rules._checks import ONE_DAY
from clerk_tui.domain.rules.certificates import (
    LEGACY_CARD_LAST_VALID,
    LEGACY_ISSUE_STOPPED,
    Eligibility,
    Expiry,
    cancellation_effective_on,
    cancellation_refusal,
    certificate_eligibility,
    certificate_valid_until,
    legacy_card_return_required,
    legacy_card_valid_on,
)
from clerk_tui.domain.rules.enrolment import (
    PersonKeys,
    check_acquired_on,
    check_dependent,
    check_person,
    may_be_same_person,
    needs_certificate,
    next_branch,
    next_number,
)
from clerk_tui.domain.rules.claims import claim_days_left, claim_deadline, counted_cost, insurer_share
from clerk_tui.domain.rules.copay import (
    ACTIVE_INCOME_REMUNERATION,
    CERTIFICATE_MASKED_RATIO,
    MASKED_RATIO,
    Copay,
    copay_ratio,
    masked_ratio_for,
    ratio_in_force,
    ratio_masked,
)
from clerk_tui.domain.rules.dates import (
    _national_holidays,
    add_business_days,
    age_on,
    attains_age_on,
    first_day_of_next_month,
    fiscal_year,
    is_business_day,
    last_day_of_month,
    loss_on_reaching_75,
    mynumber_usable_from,
    nth_birthday,
    reaches_75_before,
    school_age_starts_on,
    seventy_ratio_starts_on,
    system_view_ready_on,
    turns_70_next_month,
)
from clerk_tui.domain.rules.standing import (
    EXPIRY_NOTICE_DAYS,
    IN_FORCE_STATUS,
    LEGACY_KINDS,
    DocumentStanding,
    document_standing,
    last_valid_day,
)
from clerk_tui.domain.rules.loss import (
    CollectionDecision,
    DocumentLike,
    collection_decisions,
    last_work_day_for,
    qualification_lost_on,
)

__all__ = [
    "PersonKeys",
    "check_acquired_on",
    "check_dependent",
    "check_person",
    "may_be_same_person",
    "needs_certificate",
    "next_branch",
    "next_number",
    "ONE_DAY",
    "LEGACY_CARD_LAST_VALID",
    "LEGACY_ISSUE_STOPPED",
    "CERTIFICATE_MASKED_RATIO",
    "MASKED_RATIO",
    "ACTIVE_INCOME_REMUNERATION",
    "EXPIRY_NOTICE_DAYS",
    "IN_FORCE_STATUS",
    "LEGACY_KINDS",
    "CollectionDecision",
    "Copay",
    "DocumentStanding",
    "DocumentLike",
    "Eligibility",
    "Expiry",
    "add_business_days",
    "age_on",
    "attains_age_on",
    "cancellation_effective_on",
    "cancellation_refusal",
    "certificate_eligibility",
    "certificate_valid_until",
    "claim_days_left",
    "claim_deadline",
    "collection_decisions",
    "copay_ratio",
    "counted_cost",
    "document_standing",
    "first_day_of_next_month",
    "fiscal_year",
    "insurer_share",
    "is_business_day",
    "last_day_of_month",
    "last_valid_day",
    "last_work_day_for",
    "legacy_card_return_required",
    "legacy_card_valid_on",
    "loss_on_reaching_75",
    "masked_ratio_for",
    "mynumber_usable_from",
    "nth_birthday",
    "qualification_lost_on",
    "ratio_in_force",
    "ratio_masked",
    "reaches_75_before",
    "school_age_starts_on",
    "seventy_ratio_starts_on",
    "system_view_ready_on",
    "turns_70_next_month",
]
