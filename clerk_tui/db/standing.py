"""The SQL form of `rules.document_standing` (R18): which documents are in force on a day, built
from the rule's own constants so that a count or a selection never disagrees with what the
screens show for each document."""

from __future__ import annotations

from datetime import date

import peewee as pw

from clerk_tui.db.models import Document, Member
from clerk_tui.domain import rules


def in_force(today: date | pw.Node) -> pw.Expression:
    """A condition on `Document`: true exactly when `rules.document_standing(...)` is VALID on
    `today` (a date, or a placeholder of db.prepared): the stored status allows it, the document
    has not passed its valid_until, a legacy card or 高齢受給者証 is not past 2025-12-01, and the
    member has not lost the qualification (checked per document by its primary key)."""
    day = today if isinstance(today, pw.Node) else pw.Value(today, converter=Document.valid_until.db_value)
    legacy_last = pw.Value(rules.LEGACY_CARD_LAST_VALID, converter=Document.valid_until.db_value)
    holder = Member.alias("standing_holder")
    qualified = pw.fn.EXISTS(holder.select(pw.SQL("1")).where(
        (holder.id == Document.member) & (holder.lost_on.is_null() | (holder.lost_on > day))))
    return ((Document.status == rules.IN_FORCE_STATUS)
            & (Document.valid_until.is_null() | (Document.valid_until >= day))
            & (Document.kind.not_in(list(rules.LEGACY_KINDS)) | (day <= legacy_last))
            & qualified)
