"""Small builders of records for tests. They write models directly, as fixtures do; the product's
own writes go through services."""

from __future__ import annotations

import itertools
from datetime import date

from clerk_tui.db.models import Document, Employer, FormerName, Member
from clerk_tui.domain import kana
from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus, Relationship, Sex

_seq = itertools.count(1)


def make_employer(ctx, *, code: str | None = None, name: str = "株式会社サンプル情報") -> Employer:
    code = code or f"E{next(_seq):05d}"
    return ctx.write(lambda: Employer.create(code=code, name=name, name_key=kana.name_key(name),
                                             address="東京都千代田区富士見1-1-1"))


def make_member(ctx, employer: Employer, *, symbol: str = "1001", number: str | None = None,
                branch: str = "00", insured: Member | None = None, family_name: str = "山田",
                given_name: str = "太郎", family_name_kana: str = "ヤマダ", given_name_kana: str = "タロウ",
                birth_date: date = date(1980, 4, 2), sex: Sex = Sex.MALE,
                acquired_on: date = date(2020, 4, 1), lost_on: date | None = None,
                card_status: CardStatus = CardStatus.NO_CARD, remuneration: int | None = 300_000,
                relationship: Relationship | None = None, **extra) -> Member:
    number = number or str(next(_seq))
    m = Member(symbol=symbol, number=number, branch=branch, insured=insured, employer=employer,
               relationship=relationship or (Relationship.SELF if insured is None else Relationship.CHILD),
               family_name=family_name, given_name=given_name, family_name_kana=family_name_kana,
               given_name_kana=given_name_kana, birth_date=birth_date, sex=sex,
               acquired_on=acquired_on, lost_on=lost_on, card_status=card_status,
               standard_monthly_remuneration=remuneration if insured is None else None,
               registered_on=acquired_on, **extra)
    m.refresh_search_keys()
    ctx.write(m.save)
    return m


def make_document(ctx, member: Member, *, kind: DocumentKind = DocumentKind.ELIGIBILITY_CERTIFICATE,
                  issued_on: date = date(2025, 11, 1), valid_until: date | None = date(2028, 3, 31),
                  status: DocumentStatus = DocumentStatus.VALID) -> Document:
    serial = f"T{next(_seq):08d}"
    return ctx.write(lambda: Document.create(member=member, kind=kind, serial=serial, issued_on=issued_on,
                                             valid_until=valid_until, status=status))


def make_former_name(ctx, member: Member, *, family_name: str, given_name: str | None = None,
                     family_name_kana: str, given_name_kana: str | None = None,
                     used_until: date = date(2024, 3, 31)) -> FormerName:
    """A name the member was registered under before a 氏名変更 (the given name unchanged unless
    given), written directly as a scenario file would."""
    f = FormerName(member=member, family_name=family_name,
                   given_name=member.given_name if given_name is None else given_name,
                   family_name_kana=family_name_kana,
                   given_name_kana=member.given_name_kana if given_name_kana is None else given_name_kana,
                   used_until=used_until)
    f.refresh_search_keys()
    ctx.write(f.save)
    return f
