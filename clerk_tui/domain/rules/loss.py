"""R9/R10: the loss of qualification and which documents must come back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from clerk_tui.domain.codes import DocumentKind, DocumentStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import ONE_DAY, _require_date
from clerk_tui.domain.rules.certificates import LEGACY_CARD_LAST_VALID
from clerk_tui.domain.rules.standing import document_standing
from clerk_tui.domain.wareki import format_wareki


# ---------------------------------------------------------------------------------------------
# R9/R10: loss of qualification and what must come back


def qualification_lost_on(last_work_day: date) -> date:
    """Qualification is lost on the day after the last day of employment."""
    return _require_date(last_work_day, "last_work_day") + ONE_DAY


def last_work_day_for(lost_on: date) -> date:
    return _require_date(lost_on, "lost_on") - ONE_DAY


class DocumentLike(Protocol):
    kind: DocumentKind
    status: DocumentStatus
    issued_on: date
    valid_until: date | None


@dataclass(frozen=True)
class CollectionDecision:
    document: Any
    collect: bool
    reason: str


def _decide(lost_on: date, doc: DocumentLike) -> tuple[bool, str]:
    try:
        kind = DocumentKind(doc.kind)
        status = DocumentStatus(doc.status)
    except ValueError:
        raise DomainError("書類の種類または状態が不正です", field="documents") from None
    if kind is DocumentKind.ELIGIBILITY_NOTICE:
        return False, "資格情報のお知らせは回収しない（本人が破棄）"
    if kind in (DocumentKind.CEILING_CERTIFICATE, DocumentKind.SPECIFIED_DISEASE_CERTIFICATE):
        return False, f"{kind.label}の回収は本プログラムでは扱わない（担当部署の手続きによる）"
    # What comes back is what was still in force on the day the qualification ends (R18).
    standing = document_standing(kind, status, doc.valid_until, None, lost_on)
    if status is not DocumentStatus.VALID:
        reason = f"{standing.label}のため回収対象外"
        if status is DocumentStatus.LOST:
            # R9: a lost document that turns up after a reissue must still come back.
            reason += "（見つかった場合は返却が必要）"
        return False, reason
    if kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
        if not standing.in_force:
            return False, f"有効期限（{format_wareki(standing.last_day)}）経過後のため回収不要（本人が破棄）"
        if doc.valid_until is None:
            # No expiry on record: assume still valid rather than let a live certificate go.
            return True, "有効期限の記録がないため、有効な資格確認書として回収する"
        return True, f"資格喪失日（{format_wareki(lost_on)}）に有効な資格確認書のため事業所経由で回収"
    # LEGACY_CARD / ELDERLY_CARD (R10)
    if lost_on > LEGACY_CARD_LAST_VALID:
        return False, f"{kind.label}は{format_wareki(LEGACY_CARD_LAST_VALID)}を経過しているため返却不要"
    if not standing.in_force:
        return False, f"有効期限（{format_wareki(standing.last_day)}）経過後のため回収不要"
    return True, f"{format_wareki(LEGACY_CARD_LAST_VALID)}以前の資格喪失のため{kind.label}を回収"


def collection_decisions(lost_on: date, documents: Any) -> list[CollectionDecision]:
    """For each document held at the loss of qualification: must it come back (R9, R10)?"""
    _require_date(lost_on, "lost_on")
    return [CollectionDecision(doc, *_decide(lost_on, doc)) for doc in documents]
