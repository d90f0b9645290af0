"""The register's numbering and the duplicate lookup of enrolment (資格取得, 扶養追加): the
queries that run inside the enrolment's write transaction, compiled once (see db.prepared)."""

from __future__ import annotations

from datetime import date

import peewee as pw

from clerk_tui.db.models import Employer, FormerName, Member
from clerk_tui.db.prepared import Prepared

# 番号 is stored as text without leading zeros ("23"): compared as a number, "10" comes after "9".
# The (symbol, number, branch) index narrows the scan to the one 記号.
_HIGHEST_NUMBER = Prepared(Member, lambda p: Member.select(pw.fn.MAX(Member.number.cast("INTEGER")))
                           .where(Member.symbol == p(Member.symbol)))
_BRANCHES = Prepared(Member, lambda p: Member.select(Member.branch)
                     .where(Member.symbol == p(Member.symbol), Member.number == p(Member.number)))
_SAME_BIRTH_AND_NAME = Prepared(Member, lambda p: Member.select().where(
    Member.birth_date == p(Member.birth_date),
    (Member.name_key == p(Member.name_key)) | (Member.kana_key == p(Member.kana_key))))
_FORMER_NAME_MATCHES = Prepared(FormerName, lambda p: FormerName.select().where(
    (FormerName.name_key == p(FormerName.name_key)) | (FormerName.kana_key == p(FormerName.kana_key))))


def highest_number(symbol: str) -> int | None:
    """The highest 番号 given in the 記号 so far (None when the 記号 has no family yet)."""
    value = _HIGHEST_NUMBER.scalar(symbol)
    return None if value is None else int(value)


def branches_used(symbol: str, number: str) -> list[str]:
    """Every 枝番 the family has had, lost members included."""
    return [m.branch for m in _BRANCHES.rows(symbol, number)]


def members_with_same_birth_and_name(birth_date: date, name_key: str, kana_key: str) -> list[Member]:
    """Members, current or former, born that day whose name key or kana key is the one given."""
    return list(_SAME_BIRTH_AND_NAME.rows(birth_date, name_key, kana_key))


def members_with_former_name(birth_date: date, name_key: str, kana_key: str) -> list[tuple[Member, FormerName]]:
    """Members born that day who were registered under that name before a 氏名変更."""
    found = []
    for former in _FORMER_NAME_MATCHES.rows(name_key, kana_key):
        member = Member.fetch(former.member_id)
        if member is not None and member.birth_date == birth_date:
            found.append((member, former))
    return found


def employers_matching(text_key: str, kana_text: str, code: str, limit: int) -> list[Employer]:
    """Employers whose code is `code`, or whose name (folded key) or kana contains the text."""
    exact = Employer.select().where(Employer.code == code).limit(1)
    rows = list(exact)
    if rows:
        return rows
    cond = pw.SQL("0")
    if text_key:
        cond = cond | Employer.name_key.contains(text_key)
    if kana_text:
        cond = cond | Employer.name_kana.contains(kana_text)
    return list(Employer.select().where(cond | Employer.code.startswith(code)).order_by(Employer.code).limit(limit))
