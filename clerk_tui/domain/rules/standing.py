"""R18: what a document is worth today. The stored status says what was recorded (returned, lost,
superseded …); the standing adds what follows from the calendar and from the member's record:
legacy cards void after 2025-12-01 (R6), a 資格確認書 expired after its valid_until, every
document of a member who has lost the qualification 資格喪失. Screens, lists, counts and warnings
all read the standing, so nothing shows 「有効」 for a document that no longer is.

`db.standing` builds the SQL that selects documents in force from the constants here: change the
rule in this module and that SQL follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.domain.codes import DocumentKind, DocumentStatus, Standing
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import _require_date
from clerk_tui.domain.rules.certificates import LEGACY_CARD_LAST_VALID

# The legacy documents R6 ended on LEGACY_CARD_LAST_VALID, whatever their own dates say.
LEGACY_KINDS = (DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD)

# The one stored status whose document may still be in force; the calendar and the member decide.
IN_FORCE_STATUS = DocumentStatus.VALID

# A warning counts the days left of a 資格確認書 from this many days before its end.
EXPIRY_NOTICE_DAYS = 120

# Stored statuses that are final whatever the date: the document is no longer with the member
# or was replaced, and that is what the clerk needs to read.
_RECORDED: dict[DocumentStatus, Standing] = {
    DocumentStatus.RETURNED: Standing.RETURNED,
    DocumentStatus.LOST: Standing.LOST,
    DocumentStatus.UNRECOVERABLE: Standing.UNRECOVERABLE,
    DocumentStatus.SUPERSEDED: Standing.SUPERSEDED,
}


@dataclass(frozen=True)
class DocumentStanding:
    """A document's standing on one day. `last_day` is the last day it can be used (None: no end
    date, e.g. a お知らせ); `days_left` counts the days from today to that day while the document
    is in force (0 on the last day) and is None otherwise or without an end date."""

    standing: Standing
    last_day: date | None = None
    days_left: int | None = None

    @property
    def in_force(self) -> bool:
        return self.standing is Standing.VALID

    @property
    def label(self) -> str:
        return self.standing.label


def last_valid_day(kind: DocumentKind, valid_until: date | None) -> date | None:
    """The last day a document of this kind can be used: its valid_until, and for a legacy card or
    高齢受給者証 never after 2025-12-01 (R6)."""
    if DocumentKind(kind) in LEGACY_KINDS:
        return LEGACY_CARD_LAST_VALID if valid_until is None else min(valid_until, LEGACY_CARD_LAST_VALID)
    return valid_until


def _lapsed(kind: DocumentKind) -> Standing:
    return Standing.VOID if kind in LEGACY_KINDS else Standing.EXPIRED


def document_standing(kind: DocumentKind, stored_status: DocumentStatus, valid_until: date | None,
                      member_lost_on: date | None, today: date) -> DocumentStanding:
    """The document's standing on `today` (R18).

    A recorded 返却済, 滅失, 回収不能 or 差替 stays what it is. Otherwise the first thing that
    ended the document names it: its own end (失効 for legacy cards and 高齢受給者証, 期限切れ for
    the others) when that came before the member's loss, 資格喪失 when the member lost the
    qualification while it was still valid (those are the documents R9 may collect)."""
    _require_date(today, "today")
    try:
        kind, status = DocumentKind(kind), DocumentStatus(stored_status)
    except ValueError:
        raise DomainError("書類の種類または状態が不正です", field="documents") from None
    last = last_valid_day(kind, valid_until)
    if status in _RECORDED:
        return DocumentStanding(_RECORDED[status], last)
    if member_lost_on is not None and member_lost_on <= today and (last is None or member_lost_on <= last):
        return DocumentStanding(Standing.QUALIFICATION_LOST, last)
    if status is not IN_FORCE_STATUS or (last is not None and last < today):
        return DocumentStanding(_lapsed(kind), last)
    return DocumentStanding(Standing.VALID, last, None if last is None else (last - today).days)
