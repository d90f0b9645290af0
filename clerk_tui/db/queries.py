"""The member-search SQL: index range scans and FTS5 trigram MATCH (the FTS table is defined in
db/search.py; its queries live here), each giving one page of rows cheaply at a million members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import peewee as pw

from clerk_tui.db.models import Employer, Member
from clerk_tui.db.search import FTS_TABLE

__all__ = [
    "CANDIDATE_CAP",
    "EmployerHit",
    "Page",
    "birth_date_page",
    "employer_page",
    "find_employers",
    "fts_phrase",
    "member_code_page",
    "name_page",
    "prefix_upper_bound",
]

# Written as SQL text rather than with peewee's builder: compiling these nested IN-subqueries took
# peewee ~4 ms per search, three times SQLite's own work, on every keystroke of every clerk.
# Table names and the name-key columns come from the models.

# Every branch of a search contributes at most this many candidate ids, taken in index order (or
# FTS rowid order), and only the candidates are sorted: sorting all 26,000 サトウ of 1M members
# takes ~55 ms, 3 × 500 candidates ~2 ms. When a branch is cut off (`more` is then true) the page
# is still in exact order for kana prefix hits, whose index order is the sort order; kanji prefix
# hits are the first 500 in code point order, substring-only hits the 500 with the lowest ids,
# each then sorted by reading. Clerks narrow such a search rather than page through it.
CANDIDATE_CAP = 500

# The FTS5 trigram tokenizer indexes 3-character pieces: shorter text cannot be MATCHed.
TRIGRAM = 3

# Above every TEXT value: SQLite sorts any BLOB after all text.
_ABOVE_ALL_TEXT = b"\xff"

_MEMBER = Member._meta.table_name
_EMPLOYER = Employer._meta.table_name
_ROW_FIELDS: tuple[pw.Field, ...] = (
    Member.id, Member.symbol, Member.number, Member.branch, Member.insured, Member.relationship,
    Member.family_name, Member.given_name, Member.family_name_kana, Member.given_name_kana,
    Member.birth_date, Member.lost_on, Member.card_status,
)
_ROW_SQL = ", ".join(f"m.{f.column_name}" for f in _ROW_FIELDS) + ", e.name"
_ROW_NAMES = tuple(f.name for f in _ROW_FIELDS) + ("employer_name",)
_CONVERTERS = tuple(f.python_value for f in _ROW_FIELDS) + (str,)

_IS_LOST = "CASE WHEN m.lost_on IS NOT NULL AND m.lost_on <= :today THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]  # Member field names (insured = the insured's id) + employer_name
    more: bool  # more members match than were returned


@dataclass(frozen=True)
class EmployerHit:
    id: int
    code: str
    name: str


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix`, for `col >= p AND col < ub`.

    SQLite's BINARY collation compares UTF-8 bytes, whose order is code point order, so the bound
    is the prefix with its last code point raised by one; astral characters (𠮷) are one code point
    in Python. The surrogate block is skipped (not encodable); a last U+10FFFF is dropped and the
    one before raised. None: no bound exists (the prefix is only U+10FFFF).
    """
    chars = list(prefix)
    while chars:
        cp = ord(chars[-1]) + 1
        if 0xD800 <= cp <= 0xDFFF:
            cp = 0xE000
        if cp <= 0x10FFFF:
            chars[-1] = chr(cp)
            return "".join(chars)
        chars.pop()
    return None


def fts_phrase(column: str, text: str) -> str:
    """An FTS5 query matching `text` as one phrase in `column`: the clerk's text is data, so it is
    quoted whole (a `"` doubled), never read as FTS5 syntax (AND, *, ^, NEAR, column:)."""
    return f'{column} : "{text.replace(chr(34), chr(34) * 2)}"'


def like_contains(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') for text containing `text` literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _page(db: pw.Database, candidates: str, order: str, params: dict[str, Any], limit: int) -> Page:
    # Sort the candidates on the sort keys alone, then read whole rows and employer names for the
    # page only: joining first would look up an employer for every candidate.
    sql = (f"WITH page(id) AS (SELECT m.id FROM {_MEMBER} AS m WHERE m.id IN ({candidates}) "
           f"ORDER BY {order} LIMIT :limit) "
           f"SELECT {_ROW_SQL} FROM page JOIN {_MEMBER} AS m ON m.id = page.id "
           f"JOIN {_EMPLOYER} AS e ON e.id = m.employer_id ORDER BY {order}")
    params = {**params, "limit": limit + 1}  # one more than shown tells whether there are more
    # A window at least a page wide: a branch that is cut off then fills the page alone, so a cut
    # always shows as `more`.
    if "cap" in params:
        params["cap"] = max(params["cap"], limit + 1)
    cursor = db.execute_sql(sql, params)
    rows = [{name: convert(value) if value is not None else None
             for name, convert, value in zip(_ROW_NAMES, _CONVERTERS, row)} for row in cursor]
    return Page(rows[:limit], len(rows) > limit)


def _name_sql(full: str, given: str, substring: bool) -> tuple[str, str]:
    # Each branch in its own subquery so that its ORDER BY … LIMIT picks the window in index order.
    branches = [
        f"SELECT id FROM (SELECT id FROM {_MEMBER} WHERE {col} >= :key AND {col} < :upper "
        f"ORDER BY {col} LIMIT :cap)"
        for col in (full, given)
    ]
    if substring:
        branches.append(f"SELECT rowid FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} "
                        f"MATCH :fts LIMIT :cap)")
    rank = (f"CASE WHEN m.{full} >= :key AND m.{full} < :upper THEN 0 "
            f"WHEN m.{given} >= :key AND m.{given} < :upper THEN 1 ELSE 2 END")
    return " UNION ALL ".join(branches), f"{_IS_LOST}, {rank}, m.kana_key, m.id"


_KANA_COLUMNS = (Member.kana_key.column_name, Member.given_kana_key.column_name)
_KANJI_COLUMNS = (Member.name_key.column_name, Member.given_name_key.column_name)
_NAME_SQL = {(kana, substring): _name_sql(*(_KANA_COLUMNS if kana else _KANJI_COLUMNS), substring)
             for kana in (True, False) for substring in (True, False)}


def name_page(db: pw.Database, key: str, *, kana: bool, today: date, limit: int,
              cap: int = CANDIDATE_CAP) -> Page:
    """Members whose name key (kana: reading key) starts with `key`, whose given name starts with
    it, or, from 3 characters, that contain it anywhere. Order: 在籍 before 喪失; then full-name
    prefix, given-name prefix, elsewhere; then reading.

    1–2 characters match the start of the family or the given name only: 林 finds 林 and 林田 and
    the given name 林太郎, not 小林 (the trigram index cannot look inside a name for fewer than 3
    characters, and a LIKE scan of every member is too slow)."""
    substring = len(key) >= TRIGRAM
    candidates, order = _NAME_SQL[(kana, substring)]
    upper = prefix_upper_bound(key)
    params: dict[str, Any] = {
        "key": key, "upper": _ABOVE_ALL_TEXT if upper is None else upper, "cap": cap,
        "today": today.isoformat(),
    }
    if substring:
        params["fts"] = fts_phrase(_KANA_COLUMNS[0] if kana else _KANJI_COLUMNS[0], key)
    return _page(db, candidates, order, params, limit)


def member_code_page(db: pw.Database, symbol: str, number: str, branch: str | None, *,
                     limit: int) -> Page:
    """One member by 記号・番号・枝番, or the whole family by 記号・番号, in 枝番 order."""
    candidates = f"SELECT id FROM {_MEMBER} WHERE symbol = :symbol AND number = :number"
    params = {"symbol": symbol, "number": number}
    if branch is not None:
        candidates += " AND branch = :branch"
        params["branch"] = branch
    return _page(db, candidates, "m.branch, m.id", params, limit)


def birth_date_page(db: pw.Database, day: date, *, today: date, limit: int,
                    cap: int = CANDIDATE_CAP) -> Page:
    candidates = f"SELECT id FROM {_MEMBER} WHERE birth_date = :day LIMIT :cap"
    params = {"day": day.isoformat(), "cap": cap, "today": today.isoformat()}
    return _page(db, candidates, f"{_IS_LOST}, m.kana_key, m.id", params, limit)


def _employer_where(codes: tuple[str, ...], name_key: str | None,
                    kana: str | None) -> tuple[str, dict[str, Any]]:
    terms: list[str] = []
    params: dict[str, Any] = {}
    for i, code in enumerate(codes):
        terms.append(f"code = :code{i}")
        params[f"code{i}"] = code
    # The employer table is small (one per ~200 members): a LIKE scan of it is cheap.
    if name_key:
        terms.append("name_key LIKE :name_like ESCAPE '\\'")
        params["name_like"] = like_contains(name_key)
    if kana:
        terms.append("name_kana LIKE :kana_like ESCAPE '\\'")
        params["kana_like"] = like_contains(kana)
    return (" OR ".join(terms) or "0"), params


def find_employers(db: pw.Database, *, codes: tuple[str, ...] = (), name_key: str | None = None,
                   kana: str | None = None, limit: int = 10) -> tuple[list[EmployerHit], int]:
    """Up to `limit` matching employers (code order) and how many match in all."""
    where, params = _employer_where(codes, name_key, kana)
    rows = db.execute_sql(f"SELECT id, code, name FROM {_EMPLOYER} WHERE {where} ORDER BY code "
                          f"LIMIT :limit", {**params, "limit": limit}).fetchall()
    hits = [EmployerHit(*row) for row in rows]
    if len(hits) < limit:
        return hits, len(hits)
    (total,) = db.execute_sql(f"SELECT COUNT(*) FROM {_EMPLOYER} WHERE {where}", params).fetchone()
    return hits, total


def employer_page(db: pw.Database, *, codes: tuple[str, ...] = (), name_key: str | None = None,
                  kana: str | None = None, today: date, limit: int, cap: int = CANDIDATE_CAP) -> Page:
    """Members of the matching employers, 在籍 first, then by reading."""
    where, params = _employer_where(codes, name_key, kana)
    # The (employer, lost_on) index lists NULL lost_on first: the window favours current members.
    candidates = (f"SELECT id FROM {_MEMBER} WHERE employer_id IN (SELECT id FROM {_EMPLOYER} "
                  f"WHERE {where}) ORDER BY employer_id, lost_on LIMIT :cap")
    params.update(cap=cap, today=today.isoformat())
    return _page(db, candidates, f"{_IS_LOST}, m.kana_key, m.id", params, limit)
