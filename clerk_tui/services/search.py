"""Member search for the search screen: one text box in, one page of rows (or a clear "no match" or
"invalid input") out. Read-only and not audited; safe to call from a worker thread."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any

from clerk_tui.db import queries
from clerk_tui.domain.codes import CardStatus, Relationship
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.ids import format_code
from clerk_tui.domain.query import Query, QueryKind, parse_query
from clerk_tui.domain.wareki import format_wareki
from clerk_tui.services.context import Context

__all__ = ["DEFAULT_LIMIT", "SearchResult", "SearchRow", "search_members"]

DEFAULT_LIMIT = 50

# How many matching employers a description names before it only counts them.
_EMPLOYERS_NAMED = 3

INSURED_LABEL = "本人"
DEPENDENT_LABEL = "家族"
ACTIVE_LABEL = "在籍"
LOST_LABEL = "喪失"


@dataclass(frozen=True)
class SearchRow:
    member_id: int
    code: str  # 記号-番号-枝番: 1234-567-00
    name: str  # 山田　太郎 (full-width space, as on documents)
    name_kana: str
    birth_date: date
    is_insured: bool
    relationship_label: str  # 本人 / 配偶者 / 子 …
    employer_name: str
    lost_on: date | None
    card_status: CardStatus
    # Derived for display, so that every screen shows them alike:
    birth_date_wareki: str  # 昭和55年4月2日
    is_lost: bool  # lost_on reached (a loss registered for a later day is still 在籍)
    card_status_label: str
    # Found through a former name (旧姓) only: that name, as registered then, and its reading.
    former_name: str | None = None
    former_name_kana: str | None = None

    @property
    def insured_label(self) -> str:
        return INSURED_LABEL if self.is_insured else DEPENDENT_LABEL

    @property
    def status_label(self) -> str:
        return LOST_LABEL if self.is_lost else ACTIVE_LABEL


@dataclass(frozen=True)
class SearchResult:
    query_text: str
    kind: QueryKind | None  # None: the input was invalid
    rows: tuple[SearchRow, ...]
    more: bool  # more members match than `rows` holds: the clerk should narrow the search
    message: str | None  # "no match" (the input was fine)
    error: str | None  # invalid input: nothing was searched
    description: str = ""  # what was searched for, in Japanese (empty for EMPTY and errors)

    @property
    def ok(self) -> bool:
        return self.error is None


def search_members(ctx: Context, text: str, *, limit: int = DEFAULT_LIMIT) -> SearchResult:
    """Classify `text` (domain.query) and return the first `limit` members it finds.

    Errors in the input come back as `error` (the DomainError's message), never raised. Runs in
    the calling thread on that thread's own connection to the database file (peewee connections
    are per thread), opened here when the thread has none.
    """
    today = ctx.clock.today()
    try:
        query = parse_query(text, today=today)
    except DomainError as exc:
        return SearchResult(text, None, (), False, None, exc.message)
    if query.kind is QueryKind.EMPTY:
        return SearchResult(text, query.kind, (), False, None, None)

    ctx.db.connect(reuse_if_open=True)
    if query.kind in (QueryKind.KANA_NAME, QueryKind.KANJI_NAME):
        # The name search sees one snapshot on its own (most searches are one statement).
        page, description, employer_found = _run(ctx, query, today, limit)
    else:
        # One read transaction: the candidates (or the employer lookup) and the page see the same
        # snapshot.
        with ctx.db.atomic():
            page, description, employer_found = _run(ctx, query, today, limit)
    rows = tuple([_row(r, today) for r in page.rows])
    message = None
    if not rows:
        nothing = "該当する加入員はいません" if employer_found else "該当する事業所はありません"
        message = f"{nothing}（{description}）" + (f"。{query.note}" if query.note else "")
    return SearchResult(text, query.kind, rows, page.more, message, None, description)


def _run(ctx: Context, query: Query, today: date, limit: int) -> tuple[queries.Page, str, bool]:
    """The page, the description to show, and False when an employer search found no employer."""
    db = ctx.db
    if query.kind is QueryKind.MEMBER_CODE:
        code = query.member_code
        assert code is not None
        page = queries.member_code_page(db, code.symbol, code.number, code.branch, limit=limit)
        return page, query.description, True
    if query.kind is QueryKind.BIRTH_DATE:
        assert query.birth_date is not None
        page = queries.birth_date_page(db, query.birth_date, today=today, limit=limit)
        if query.member_code is not None:
            # 1980-04-02 read both ways: the exact code first, then those born that day.
            code = query.member_code
            exact = queries.member_code_page(db, code.symbol, code.number, code.branch, limit=limit)
            page = _concat(exact, page, limit)
        return page, query.description, True
    if query.kind in (QueryKind.KANA_NAME, QueryKind.KANJI_NAME):
        assert query.key is not None
        page = queries.name_page(db, query.key, kana=query.kind is QueryKind.KANA_NAME,
                                 today=today, limit=limit)
        return page, query.description, True
    if query.kind is QueryKind.EMPLOYER:
        args: dict[str, Any] = {"codes": query.employer_codes, "name_key": query.key,
                                "kana": query.employer_kana}
        hits, total = queries.find_employers(db, **args, limit=_EMPLOYERS_NAMED)
        if not hits:
            return queries.Page([], False), query.description, False
        page = queries.employer_page(db, **args, today=today, limit=limit)
        return page, _employer_description(query, hits, total), True
    raise AssertionError(f"unhandled query kind {query.kind}")  # pragma: no cover


def _concat(first: queries.Page, then: queries.Page, limit: int) -> queries.Page:
    seen = {r[0] for r in first.rows}
    rows = first.rows + [r for r in then.rows if r[0] not in seen]
    return queries.Page(rows[:limit], first.more or then.more or len(rows) > limit)


def _employer_description(query: Query, hits: list[queries.EmployerHit], total: int) -> str:
    named = "、".join(f"{h.name}（{h.code}）" for h in hits)
    if total > len(hits):
        named += f" ほか{total - len(hits)}事業所"
    return f"{query.description}: {named}"


# _row unpacks a page row by position.
assert queries.ROW_NAMES == (
    "id", "symbol", "number", "branch", "insured", "relationship", "family_name", "given_name",
    "family_name_kana", "given_name_kana", "birth_date", "lost_on", "card_status", "employer_name",
    "former_name")


def _row(r: tuple[Any, ...], today: date) -> SearchRow:
    (member_id, symbol, number, branch, insured, relationship, family_name, given_name,
     family_name_kana, given_name_kana, birth_date, lost_on, card, employer_name, former) = r
    return _new_row(
        member_id,
        format_code(symbol, number, branch),
        f"{family_name}\u3000{given_name}",
        f"{family_name_kana}\u3000{given_name_kana}",
        birth_date,
        insured is None,
        _RELATIONSHIP_LABELS[relationship],
        employer_name,
        lost_on,
        card,
        _wareki(birth_date),
        lost_on is not None and lost_on <= today,
        _CARD_LABELS[card],
        None if former is None else f"{former.family_name}\u3000{former.given_name}",
        None if former is None else f"{former.family_name_kana}\u3000{former.given_name_kana}",
    )


# A page's rows are built on every keystroke; a frozen dataclass's __init__ sets its 15 fields one
# by one through object.__setattr__ (~2 µs a row). SearchRow checks nothing at construction, so its
# instance dict is filled at once instead: the same object (equality, hash, repr, frozen).
_ROW_FIELDS = tuple(f.name for f in fields(SearchRow))


def _new_row(*values: Any) -> SearchRow:
    row = object.__new__(SearchRow)
    row.__dict__.update(zip(_ROW_FIELDS, values, strict=True))
    return row


# Labels are looked up once, and birth dates, which
# repeat from search to search, have their 和暦 worked out once.
_RELATIONSHIP_LABELS = {m: m.label for m in Relationship}
_CARD_LABELS = {m: m.label for m in CardStatus}
_wareki = lru_cache(maxsize=8192)(format_wareki)
