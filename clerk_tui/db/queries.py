"""The member-search SQL: index range scans and FTS5 trigram MATCH (the FTS table is defined in
db/search.py; its queries live here), each giving one page of rows cheaply at a million members."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import peewee as pw

from clerk_tui.db.models import Employer, EnumField, FormerName, Member
from clerk_tui.db.search import FORMER_FTS_TABLE, FTS_TABLE

__all__ = [
    "CANDIDATE_CAP",
    "EmployerHit",
    "FormerNameHit",
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

# Every branch of a search (current and former names) contributes at most this many candidate
# ids, taken in index order (or FTS rowid order), and only the candidates are sorted: sorting all
# 26,000 サトウ of 1M members takes ~55 ms, 3 × 500 candidates ~2 ms. When a branch is cut off
# (`more` is then true) the page is still in exact order for kana prefix hits, whose index order
# is the sort order; kanji prefix hits are the first 500 in code point order, substring-only hits
# the 500 with the lowest ids, each then sorted by reading. Clerks narrow such a search rather
# than page through it.
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


def _enum_value(field: EnumField) -> Callable[[Any], Any]:
    members = field.enum._value2member_map_  # a dict lookup, cheaper than Enum(value)
    return lambda value: members.get(value) or field.python_value(value)


def _date_value(value: Any) -> date | None:
    return date.fromisoformat(value) if type(value) is str else value


# Text and ids come back as str and int already: only the dates and codes are converted. The row
# is built in one expression (a page is built on every keystroke), so the positions are checked.
assert [(i, f.name) for i, f in enumerate(_ROW_FIELDS) if isinstance(f, (pw.DateField, EnumField))] == [
    (5, "relationship"), (10, "birth_date"), (11, "lost_on"), (12, "card_status")]
_relationship = _enum_value(Member.relationship)
_card_status = _enum_value(Member.card_status)
# A page row: the values of ROW_NAMES, in that order: the member's, the employer's name, then the
# former name it was found through (a FormerNameHit) or None.
ROW_NAMES = _ROW_NAMES + ("former_name",)


def _convert(r: tuple[Any, ...], former: FormerNameHit | None = None) -> tuple[Any, ...]:
    return (r[0], r[1], r[2], r[3], r[4], _relationship(r[5]), r[6], r[7], r[8], r[9],
            _date_value(r[10]), None if r[11] is None else _date_value(r[11]), _card_status(r[12]),
            r[13], former)


_IS_LOST = "CASE WHEN m.lost_on IS NOT NULL AND m.lost_on <= :today THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class Page:
    rows: list[tuple[Any, ...]]  # see ROW_NAMES (insured = the insured's id)
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


def _page_sql(candidates: str, order: str) -> str:
    # Sort the candidates on the sort keys alone, then read whole rows and employer names for the
    # page only: joining first would look up an employer for every candidate.
    return (f"WITH page(id) AS (SELECT m.id FROM {_MEMBER} AS m WHERE m.id IN ({candidates}) "
            f"ORDER BY {order} LIMIT :limit) "
            f"SELECT {_ROW_SQL} FROM page JOIN {_MEMBER} AS m ON m.id = page.id "
            f"JOIN {_EMPLOYER} AS e ON e.id = m.employer_id ORDER BY {order}")


def _fetch(db: pw.Database, sql: str, params: dict[str, Any], limit: int,
           former: dict[int, tuple] | None = None) -> Page:
    """The page `sql` reads; `former`: member id → the former name (a _FORMER_SQL row) through
    which that member was found."""
    params = {**params, "limit": limit + 1}  # one more than shown tells whether there are more
    return _page_of(db.execute_sql(sql, params).fetchall(), limit, former)


def _page_of(rows: list[tuple], limit: int, former: dict[int, tuple] | None = None) -> Page:
    """The first `limit` of these sorted rows as a page, each with the former name it was found
    through (`former`: member id → a _FORMER_SQL row); more when there are more rows."""
    if not former:
        return Page([_convert(row) for row in rows[:limit]], len(rows) > limit)
    return Page([_convert(row, _former_hit(former.get(row[0]))) for row in rows[:limit]],
                len(rows) > limit)


def _page(db: pw.Database, candidates: str, order: str, params: dict[str, Any], limit: int) -> Page:
    # A window at least a page wide: a branch that is cut off then fills the page alone, so a cut
    # always shows as `more`.
    if "cap" in params:
        params = {**params, "cap": max(params["cap"], limit + 1)}
    return _fetch(db, _page_sql(candidates, order), params, limit)


_KANA_COLUMNS = (Member.kana_key.column_name, Member.given_kana_key.column_name)
_KANJI_COLUMNS = (Member.name_key.column_name, Member.given_name_key.column_name)
_FORMER = FormerName._meta.table_name
_FORMER_SQL = ", ".join(f"f.{f.column_name}" for f in (
    FormerName.member, FormerName.family_name, FormerName.given_name, FormerName.family_name_kana,
    FormerName.given_name_kana, FormerName.used_until))


@dataclass(frozen=True)
class FormerNameHit:
    """The former name (旧氏名) through which a member was found."""

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    used_until: date


def _former_hit(row: tuple | None) -> FormerNameHit | None:
    """A FormerNameHit from the names and used_until (ISO text) of a former_name row."""
    if row is None:
        return None
    family, given, family_kana, given_kana, used_until = row[-5:]
    return FormerNameHit(family, given, family_kana, given_kana, date.fromisoformat(used_until))


def _name_statements(full: str, given: str) -> dict[str, str]:
    """The statements of a name search: its candidate branches, for current and for former names,
    each taking its window (`LIMIT :cap`) in index order, and the page that sorts the candidates,
    handed to it as a JSON array of member ids; and "active_page", the page of a kana search whose
    reading many 在籍 members start with (see _page_from_prefix)."""
    fts = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts LIMIT :cap"
    fts_former = (f"SELECT {_FORMER_SQL} FROM {FORMER_FTS_TABLE} JOIN {_FORMER} AS f "
                  f"ON f.id = {FORMER_FTS_TABLE}.rowid WHERE {FORMER_FTS_TABLE} MATCH :fts LIMIT :cap")
    out = {"fts": fts, "fts_former": fts_former}
    for col in (full, given):
        out[col] = (f"SELECT id FROM {_MEMBER} WHERE {col} >= :key AND {col} < :upper "
                    f"ORDER BY {col} LIMIT :cap")
        out[f"former_{col}"] = (f"SELECT {_FORMER_SQL} FROM {_FORMER} AS f WHERE f.{col} >= :key "
                                f"AND f.{col} < :upper ORDER BY f.{col} LIMIT :cap")
    prefix_rank = (f"WHEN m.{full} >= :key AND m.{full} < :upper THEN 0 "
                   f"WHEN m.{given} >= :key AND m.{given} < :upper THEN 1")
    # Rank: the current name starts with the key, the given name does, only a former name matched
    # (the few candidates handed over as such), else the current name holds the key elsewhere.
    rank = f"CASE {prefix_rank} WHEN m.id IN (SELECT value FROM json_each(:former)) THEN 3 ELSE 2 END"
    order = f"{_IS_LOST}, {rank}, m.kana_key, m.id"
    # Up to about two pages of candidates: their rows are read whole in one pass, employer and sort
    # keys included, and sorted in Python (see _sort_page), which costs less than SQLite's sorter
    # evaluating the rank for every row; from hundreds, the ids are sorted first (page_wide).
    out["rows"] = (f"SELECT {_ROW_SQL}, m.{full}, m.{given}, m.kana_key FROM json_each(:candidates) AS j "
                   f"JOIN {_MEMBER} AS m ON m.id = j.value JOIN {_EMPLOYER} AS e ON e.id = m.employer_id")
    out["page_wide"] = _page_sql("SELECT value FROM json_each(:candidates)", order)
    # The 在籍 members among the first window of full-name prefix hits, in index order, stopping
    # at the page's size and one (see _page_from_prefix); the rows only when there are that many.
    active = (f"SELECT id FROM (SELECT id, lost_on FROM {_MEMBER} WHERE {full} >= :key "
              f"AND {full} < :upper ORDER BY {full} LIMIT :cap) "
              f"WHERE lost_on IS NULL OR lost_on > :today LIMIT :limit")
    out["active_page"] = (f"WITH active(id) AS MATERIALIZED ({active}) "
                          f"SELECT {_ROW_SQL} FROM active JOIN {_MEMBER} AS m ON m.id = active.id "
                          f"JOIN {_EMPLOYER} AS e ON e.id = m.employer_id "
                          f"WHERE (SELECT count(*) FROM active) = :limit ORDER BY m.{full}, m.id")
    return out


# Up to this many pages of candidates, the page is read in one pass (see _name_statements).
_ONE_PASS = 2

_NAME_SQL = {kana: _name_statements(*(_KANA_COLUMNS if kana else _KANJI_COLUMNS))
             for kana in (True, False)}

def name_page(db: pw.Database, key: str, *, kana: bool, today: date, limit: int,
              cap: int = CANDIDATE_CAP) -> Page:
    """Members whose name key (kana: reading key) starts with `key`, whose given name starts with
    it, or, from 3 characters, that contain it anywhere; and members one of whose former names
    (旧姓) does so. Order: 在籍 before 喪失; then full-name prefix, given-name prefix, elsewhere in
    the current name, a former name only; then reading. A row found through a former name only
    carries it as its former_name (a FormerNameHit), else None.

    1–2 characters match the start of the family or the given name only: 林 finds 林 and 林田 and
    the given name 林太郎, not 小林 (the trigram index cannot look inside a name for fewer than 3
    characters, and a LIKE scan of every member is too slow).

    The kana page of a reading many 在籍 members start with is one statement, a snapshot of its
    own; every other search runs its statements in one read transaction."""
    sql = _NAME_SQL[kana]
    if kana:
        page = _page_from_prefix(db, sql, _name_params(key, today, cap, limit), limit)
        if page is not None:
            return page
    with db.atomic():
        return _name_page_stepwise(db, sql, key, kana=kana, today=today, limit=limit, cap=cap)


def _name_params(key: str, today: date, cap: int, limit: int) -> dict[str, Any]:
    upper = prefix_upper_bound(key)
    # A window at least a page wide: a branch that is cut off then fills the page alone, so a cut
    # always shows as `more`.
    return {"key": key, "upper": _ABOVE_ALL_TEXT if upper is None else upper,
            "cap": max(cap, limit + 1), "today": today.isoformat()}


def _name_page_stepwise(db: pw.Database, sql: dict[str, str], key: str, *, kana: bool, today: date,
                        limit: int, cap: int) -> Page:
    """name_page's rows and order, branch by branch, inside the caller's read transaction."""
    full, given = _KANA_COLUMNS if kana else _KANJI_COLUMNS
    params = _name_params(key, today, cap, limit)
    cap = params["cap"]
    substring = len(key) >= TRIGRAM
    current: list[int] = []
    if substring:
        params["fts"] = fts_phrase(full, key)
        current = [i for (i,) in db.execute_sql(sql["fts"], params)]
    # Every prefix hit holds the key, so the trigram hits include them unless their window was
    # cut off: only then (or below 3 characters) are the prefix windows read as well.
    if not substring or len(current) >= cap:
        current += [i for col in (full, given) for (i,) in db.execute_sql(sql[col], params)]
    shown = set(current)
    if len(shown) > limit:
        # Former-name hits sort after the 在籍 current-name hits: when those fill the page, the
        # former names cannot change it and are not read.
        page = _candidates_page(db, sql, params, shown, {}, limit)
        last = page.rows[-1]
        lost_on = last[_ROW_NAMES.index("lost_on")]
        if page.more and not (lost_on is not None and lost_on <= today):
            return page
    former = db.execute_sql(sql["fts_former"], params).fetchall() if substring else []
    if not substring or len(former) >= cap:
        former += [r for col in (full, given) for r in db.execute_sql(sql[f"former_{col}"], params)]
    hits: dict[int, tuple] = {}
    for hit in former:  # (member id, names, used_until as ISO text: orders as the dates do)
        if hit[0] not in hits or hits[hit[0]][5] < hit[5]:
            hits[hit[0]] = hit  # the latest of several matching former names
    if not shown and not hits:
        return Page([], False)
    only_former = {i: hit for i, hit in hits.items() if i not in shown}
    return _candidates_page(db, sql, params, shown, only_former, limit)


def _candidates_page(db: pw.Database, sql: dict[str, str], params: dict[str, Any], current: set[int],
                     former: dict[int, tuple], limit: int) -> Page:
    """The sorted page of the members found by their current name and of those found through a
    former name only (member id → the latest such former name, a _FORMER_SQL row)."""
    candidates = len(current) + len(former)
    params = {**params, "former": json.dumps(sorted(former)),
              "candidates": json.dumps(sorted(current.union(former)))}
    if candidates > _ONE_PASS * (limit + 1):
        return _fetch(db, sql["page_wide"], params, limit, former)
    rows = _sort_page(db.execute_sql(sql["rows"], params).fetchall(), params["key"], params["today"],
                      former)
    return _page_of(rows, limit, former)


_LOST_ON = _ROW_NAMES.index("lost_on")
_FULL_KEY, _GIVEN_KEY, _READING = len(_ROW_NAMES), len(_ROW_NAMES) + 1, len(_ROW_NAMES) + 2


def _sort_page(rows: list[tuple], key: str, today: str, former: dict[int, tuple]) -> list[tuple]:
    """The "rows" statement's rows in the page's order, the order page_wide gives in SQL: 在籍
    first, then full-name prefix, given-name prefix, the current name holding the key elsewhere,
    a former name only; then reading and id. Text compares by code point in Python as in SQLite
    (BINARY), so startswith is the SQL's `>= key AND < upper bound` and ISO dates compare as dates."""
    def order(row: tuple) -> tuple:
        lost_on = row[_LOST_ON]
        rank = (0 if row[_FULL_KEY].startswith(key) else 1 if row[_GIVEN_KEY].startswith(key)
                else 3 if row[0] in former else 2)
        return (lost_on is not None and lost_on <= today, rank, row[_READING], row[0])

    rows.sort(key=order)
    return rows


def _page_from_prefix(db: pw.Database, sql: dict[str, str], params: dict[str, Any],
                      limit: int) -> Page | None:
    """The page of a kana search that many 在籍 members' readings start with (サトウ, ヤマモトヨウ),
    read from the reading index alone; None when there are fewer than a page and one.

    The page's order puts 在籍 full-prefix hits first, in (reading, id) order, which is the
    reading index's order: when the first window of that index holds more 在籍 members than a
    page, the page is the first of them, whatever the other branches would add, and there are
    more. The same rows as sorting every candidate, without reading hundreds of them."""
    rows = db.execute_sql(sql["active_page"], {**params, "limit": limit + 1}).fetchall()
    return _page_of(rows, limit) if len(rows) > limit else None


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
