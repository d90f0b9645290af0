"""What a member record says beyond its columns: names as printed, the code a clerk quotes,
whether the person was insured on a day. Shared by the stored record and the rows services hand
to the screens, so that both read the same."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date


class MemberFacts:
    """Mixed into any class with the member's columns as attributes."""

    insured_id: int | None
    symbol: str
    number: str
    branch: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    acquired_on: date
    lost_on: date | None

    @property
    def is_insured(self) -> bool:
        return self.insured_id is None

    @property
    def full_name(self) -> str:
        return f"{self.family_name}\u3000{self.given_name}"

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana}\u3000{self.given_name_kana}"

    @property
    def member_code(self) -> str:
        return f"{self.symbol}-{self.number}-{self.branch}"

    def qualified_on(self, day: date) -> bool:
        return self.acquired_on <= day and (self.lost_on is None or day < self.lost_on)


@dataclass(frozen=True)
class CancellationApplicant:
    """Who filed a 利用登録解除申請 and what they wrote on it, as recorded: the same fields on the
    application's row and on its printed 受付控."""

    applicant_name: str
    applicant_birth_date: date
    applicant_address: str | None
    applicant_phone: str | None
    reason: str | None
    proxy_name: str | None
    proxy_relationship: str | None

    @classmethod
    def values_of(cls, record) -> dict:
        """The applicant's fields read from any record that has them (the stored application)."""
        return {f.name: getattr(record, f.name) for f in fields(CancellationApplicant)}
