"""Times the member search (`services.search.search_members`) on a generated society of 1,000,000
members, 5 % of whom have a former name (旧姓, added to the database when missing). Anchors from
the same run: for names of 3+ characters a bare FTS5 MATCH of the same key on the driver's own
connection (the index lookup alone), and a plain `LIKE '%…%'` scan. Exits 1 when a target is
missed."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jaconv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clerk_tui.clock import Clock  # noqa: E402
from clerk_tui.db.database import open_database, sqlite_version_tuple  # noqa: E402
from clerk_tui.db.models import member_search_keys  # noqa: E402
from clerk_tui.db.schema import init_schema, upgrade  # noqa: E402
from clerk_tui.domain import kana  # noqa: E402
from clerk_tui.domain.query import parse_query  # noqa: E402
from clerk_tui.domain.wareki import format_wareki  # noqa: E402
from clerk_tui.scenarios.generator import REFERENCE_DAY, generate_into  # noqa: E402
from clerk_tui.services.context import Context  # noqa: E402
from clerk_tui.services.search import search_members  # noqa: E402

MILLION = 1_000_000
CACHE_DIR = Path("/tmp/clerk_search_bench")
# The search issue's targets (p95, milliseconds, first page of results at 1,000,000 members).
TARGETS = {"kana": 20.0, "kanji": 20.0, "former": 20.0, "short": 50.0, "code": 5.0}
# The speed issue's target: p50 of a name search within this many times the bare MATCH's p50.
MATCH_RATIO_TARGET = 3.0
PAGE = 50
SHORT_QUERIES = ("林", "森", "たか", "佐", "高橋", "田中", "さ", "やま", "翔", "花", "山", "鈴木",
                 "イ", "こば", "渡邉", "𠮷", "ﾖｼ", "わ", "大", "結")


@dataclass
class Case:
    text: str  # what the clerk types
    like_column: str  # the member column a naive LIKE scan would search
    like_text: str  # the text it would look for
    member_id: int | None = None  # the member the query was drawn from
    fts: tuple[str, str] | None = None  # the FTS5 column and key a bare MATCH looks up


def database_path(members: int, seed: int) -> Path:
    return CACHE_DIR / f"members_{members}_seed{seed}.db"


def build(path: Path, members: int, seed: int) -> None:
    """Generate into a temporary file and rename it when complete, so that an interrupted build
    never leaves a half-filled cache behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".building")
    for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        p.unlink(missing_ok=True)
    print(f"generating {members:,} members into {path} …", flush=True)
    start = time.perf_counter()
    db = open_database(partial)
    init_schema(db)
    generate_into(db, members=members, seed=seed)
    db.close()  # the last connection checkpoints and removes the WAL
    os.replace(partial, path)
    print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)


def add_former_names(db, share: float, seed: int) -> int:
    """Give `share` of the members one former name (旧姓: another member's family name, the given
    name kept), as 氏名変更 records them, so that the search also looks through former names.
    Idempotent: only the missing ones are added. Returns how many the database has."""
    (members,) = db.execute_sql("SELECT COUNT(*) FROM member").fetchone()
    (existing,) = db.execute_sql("SELECT COUNT(*) FROM former_name").fetchone()
    wanted = round(members * share)
    if existing >= wanted:
        return existing
    rng = random.Random(seed + 15)
    (max_id,) = db.execute_sql("SELECT MAX(id) FROM member").fetchone()
    taken = {i for (i,) in db.execute_sql("SELECT member_id FROM former_name")}
    picks = [i for i in rng.sample(range(1, max_id + 1), min(max_id, wanted * 2)) if i not in taken]
    picks = picks[:wanted - existing]
    donors = rng.sample(range(1, max_id + 1), len(picks))
    start = time.perf_counter()
    rows = []
    for i in range(0, len(picks), 500):
        ids, donor_ids = picks[i:i + 500], donors[i:i + 500]
        names = dict(db.execute_sql(
            f"SELECT id, given_name || char(9) || given_name_kana FROM member WHERE id IN "
            f"({','.join('?' * len(ids))})", ids).fetchall())
        families = dict(db.execute_sql(
            f"SELECT id, family_name || char(9) || family_name_kana FROM member WHERE id IN "
            f"({','.join('?' * len(donor_ids))})", donor_ids).fetchall())
        for member_id, donor in zip(ids, donor_ids):
            if member_id not in names or donor not in families:
                continue
            given, given_kana = names[member_id].split("\t")
            family, family_kana = families[donor].split("\t")
            keys = member_search_keys(family, given, family_kana, given_kana)
            rows.append((member_id, family, given, family_kana, given_kana,
                         date(2000 + rng.randrange(25), 3, 31).isoformat(), keys["name_key"],
                         keys["kana_key"], keys["given_name_key"], keys["given_kana_key"]))
    with db.atomic("IMMEDIATE"):
        db.cursor().executemany(
            "INSERT INTO former_name (member_id, family_name, given_name, family_name_kana, "
            "given_name_kana, used_until, name_key, kana_key, given_name_key, given_kana_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    print(f"added {len(rows):,} former names in {time.perf_counter() - start:.0f} s", flush=True)
    return existing + len(rows)


# ------------------------------------------------------------------------------ query sets


def _swap_variants(text: str, rng: random.Random) -> str:
    """The same name written with other variant forms where there are any (高橋 → 髙橋)."""
    out = []
    for ch in text:
        forms = [f for f in kana.variants_of(ch) if f != ch]
        out.append(rng.choice(forms) if forms else ch)
    return "".join(out)


def _to_half_width(text: str) -> str:
    return jaconv.z2h(text, kana=True, ascii=False, digit=False)


def _kana_case(m: dict, rng: random.Random) -> Case | None:
    family, given = m["family_name_kana"], m["given_name_kana"]
    shape = rng.randrange(5)
    if shape == 0:
        text = jaconv.kata2hira(family)  # family name in hiragana: big match sets (サトウ)
    elif shape == 1:
        text = _to_half_width(f"{family} {given}")
    elif shape == 2:
        text = jaconv.kata2hira(family + given[:2])  # prefix, as typed so far
    elif shape == 3:
        text = f"{family}\u3000{given}"
    else:
        text = given  # the given name alone (a part of the full reading)
    key = kana.kana_key(text)
    if len(key) < 3:
        return None
    return Case(text, "kana_key", key, m["id"], ("kana_key", key))


def _kanji_case(m: dict, rng: random.Random) -> Case | None:
    family, given = m["family_name"], m["given_name"]
    if not any(len(kana.variants_of(ch)) > 1 for ch in family + given):
        return None
    shape = rng.randrange(3)
    if shape == 0:
        text = f"{family}{given}"
    elif shape == 1:
        text = f"{family} {given[:1]}"
    else:
        text = f"{family}\u3000{given}"
    text = _swap_variants(text, rng)
    key = kana.name_key(text)
    if len(key) < 3:
        return None
    # The naive scan looks for the text as typed: it cannot know 髙 and 高 are one.
    typed = unicodedata.normalize("NFKC", text).replace(" ", "")
    return Case(text, "name_key", typed, m["id"], ("name_key", key))


def _former_case(f: dict, rng: random.Random) -> Case | None:
    """A former name as a caller gives it: the whole reading in hiragana, or the name in kanji."""
    if rng.randrange(2):
        text = jaconv.kata2hira(f["family_name_kana"] + f["given_name_kana"])
        key, column = kana.kana_key(text), "kana_key"
    else:
        text = f"{f['family_name']} {f['given_name']}"
        key, column = kana.name_key(text), "name_key"
    if len(key) < 3:
        return None
    return Case(text, column, key, f["member_id"], (column, key))


def _code_case(m: dict, rng: random.Random) -> Case:
    s, n, b = m["symbol"], m["number"], m["branch"]
    text = rng.choice([f"{s}-{n}-{b}", f"{s} {n} {b}", f"{s}-{n}",
                       unicodedata.normalize("NFKC", f"{s}-{n}").translate(
                           str.maketrans("0123456789-", "０１２３４５６７８９－"))])
    return Case(text, "code", f"{s}-{n}", m["id"])


def draw_cases(db, runs: int, seed: int) -> dict[str, list[Case]]:
    rng = random.Random(seed)
    (max_id,) = db.execute_sql("SELECT MAX(id) FROM member").fetchone()
    picks = rng.sample(range(1, max_id + 1), min(max_id, runs * 30))
    rows = []
    for i in range(0, len(picks), 500):
        chunk = picks[i:i + 500]
        cursor = db.execute_sql(
            "SELECT id, symbol, number, branch, family_name, given_name, family_name_kana, "
            f"given_name_kana, birth_date FROM member WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        names = [d[0] for d in cursor.description]
        rows += [dict(zip(names, r)) for r in cursor]
    rng.shuffle(rows)

    def collect(make: Callable[[dict, random.Random], Case | None]) -> list[Case]:
        out = []
        for m in rows:
            case = make(m, rng)
            if case is not None:
                out.append(case)
            if len(out) == runs:
                break
        return out

    short = [Case(q, "name_key" if not kana.is_kana(q) else "kana_key",
                  kana.name_key(q) if not kana.is_kana(q) else kana.kana_key(q))
             for q in SHORT_QUERIES]
    birth = [Case(format_wareki(date.fromisoformat(m["birth_date"])), "birth_date", m["birth_date"],
                  m["id"]) for m in rows[:runs]]
    formers = [dict(zip(("member_id", "family_name", "given_name", "family_name_kana",
                         "given_name_kana"), r)) for r in db.execute_sql(
        "SELECT member_id, family_name, given_name, family_name_kana, given_name_kana "
        "FROM former_name ORDER BY random() LIMIT ?", (runs * 2,))]
    former = [c for c in (_former_case(f, rng) for f in formers) if c is not None][:runs]
    return {
        "former": former,
        "kana": collect(_kana_case),
        "kanji": collect(_kanji_case),
        "short": [short[i % len(short)] for i in range(runs)],
        "code": collect(_code_case),
        "birth": birth,
    }


# ------------------------------------------------------------------------------ timing


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


_MATCH = {"page": f"SELECT rowid FROM member_fts WHERE member_fts MATCH ? LIMIT {PAGE + 1}",
          "all": "SELECT rowid FROM member_fts WHERE member_fts MATCH ?"}
# The floor of a name search over these indexes, on the driver's connection with no Python
# between: the page's MATCH in the members' index and in the former names' index, then the
# display columns of the page's rows (ids known beforehand) with their employer's name.
_FLOOR = (f"SELECT rowid FROM member_fts WHERE member_fts MATCH ? LIMIT {PAGE + 1}",
          f"SELECT rowid FROM former_name_fts WHERE former_name_fts MATCH ? LIMIT {PAGE + 1}",
          "SELECT m.id, m.symbol, m.number, m.branch, m.insured_id, m.relationship, m.family_name, "
          "m.given_name, m.family_name_kana, m.given_name_kana, m.birth_date, m.lost_on, "
          "m.card_status, e.name FROM json_each(?) AS j JOIN member AS m ON m.id = j.value "
          "JOIN employer AS e ON e.id = m.employer_id")


def time_class(ctx: Context, cases: list[Case]) -> tuple[list[float], dict[str, list[float]],
                                                         dict[str, int]]:
    """Each query searched, then (names of 3+ characters) searched again and looked up by the
    anchors, one after the other, so that both see the same cache and the same load. The anchors:
    the FTS5 trigram lookup alone, on the driver's connection (no peewee, key computed beforehand),
    for one page of row ids and for every matching row id; and the floor (see _FLOOR)."""
    conn = ctx.db.connection()

    def anchors(case: Case, ids: str) -> dict[str, float]:
        if case.fts is None:
            return {}
        phrase = f'{case.fts[0]} : "{case.fts[1].replace(chr(34), chr(34) * 2)}"'
        out = {}
        for name, sql in _MATCH.items():
            start = time.perf_counter()
            conn.execute(sql, (phrase,)).fetchall()
            out[name] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        for sql, arg in zip(_FLOOR, (phrase, phrase, ids)):
            conn.execute(sql, (arg,)).fetchall()
        out["floor"] = (time.perf_counter() - start) * 1000
        return out

    def page_ids(result) -> str:
        return json.dumps([r.member_id for r in result.rows])

    for case in cases[:20]:  # warm the page cache and the connection
        anchors(case, page_ids(search_members(ctx, case.text)))
    times: list[float] = []
    match: dict[str, list[float]] = {name: [] for name in (*_MATCH, "floor", "again")}
    stats = {"rows": 0, "more": 0, "found_self": 0, "self_checkable": 0, "errors": 0, "former": 0}
    for case in cases:
        start = time.perf_counter()
        result = search_members(ctx, case.text)
        times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()  # again, its pages now in the connection's cache, as the floor's are
        search_members(ctx, case.text)
        match["again"].append((time.perf_counter() - start) * 1000)
        for name, ms in anchors(case, page_ids(result)).items():
            match[name].append(ms)
        stats["errors"] += result.error is not None
        stats["rows"] += len(result.rows)
        stats["more"] += result.more
        # getattr: an earlier checkout, measured with this script, has no former names
        stats["former"] += sum(getattr(r, "former_name", None) is not None for r in result.rows)
        if case.member_id is not None and not result.more:
            stats["self_checkable"] += 1
            stats["found_self"] += any(r.member_id == case.member_id for r in result.rows)
    return times, match, stats


def like_sql(case: Case) -> tuple[str, list]:
    if case.like_column == "code":
        return ("SELECT id FROM member WHERE symbol || '-' || number || '-' || branch LIKE ? LIMIT 50",
                [f"%{case.like_text}%"])
    if case.like_column == "birth_date":
        return "SELECT id FROM member WHERE birth_date LIKE ? LIMIT 50", [f"%{case.like_text}%"]
    return f"SELECT id FROM member WHERE {case.like_column} LIKE ? LIMIT 50", [f"%{case.like_text}%"]


def time_like(db, cases: list[Case]) -> list[float]:
    times = []
    for case in cases:
        sql, params = like_sql(case)
        start = time.perf_counter()
        db.execute_sql(sql, params).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return times


def explain(db, ctx: Context, text: str) -> None:
    """The query plan of the last statement `search_members` runs for `text`."""
    seen: list[tuple[str, object]] = []
    original = db.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = spy
    try:
        search_members(ctx, text)
    finally:
        db.execute_sql = original
    sql, params = seen[-1]
    print(f"  EXPLAIN QUERY PLAN for {text!r} ({parse_query(text).description}):")
    for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall():
        print(f"    {row[3]}")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def _ratio(r: float) -> str:
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


LABELS = {
    "kana": "name ≥3 chars, kana",
    "former": "former name ≥3 chars (旧姓)",
    "kanji": "name ≥3 chars, kanji + variants",
    "short": "name 1–2 chars (林 森 たか …)",
    "code": "exact 記号・番号",
    "birth": "birth date (no target)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, help="use this database (built there if missing)")
    parser.add_argument("--members", type=int, default=MILLION,
                        help="members to generate (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=200, help="queries per class (default 200)")
    parser.add_argument("--like-runs", type=int, default=60,
                        help="of those, how many also run as a LIKE scan (≈0.1 s each; default 60)")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--former-share", type=float, default=0.05,
                        help="share of members given one former name when the database has fewer "
                             "(default 0.05)")
    args = parser.parse_args(argv)

    path = args.db or database_path(args.members, args.seed)
    if not path.exists():
        build(path, args.members, args.seed)
    db = open_database(path)
    upgrade(db)  # a database cached by an earlier checkout gets this one's indexes
    ctx = Context(db=db, clock=Clock(REFERENCE_DAY), clerk="bench", origin=None)
    (members,) = db.execute_sql("SELECT COUNT(*) FROM member").fetchone()
    version = ".".join(map(str, sqlite_version_tuple(db)))
    print(f"member search on {path}: {members:,} members, DB {_size(path) / 2**20:,.0f} MB, "
          f"SQLite {version}, {os.cpu_count()} CPU, {args.runs} queries per class")
    formers = add_former_names(db, args.former_share, args.seed)
    print(f"  former names (旧姓): {formers:,} ({formers / members:.1%} of the members)")
    cases = draw_cases(db, args.runs, args.seed)
    # The anchors run right after each search, on pages the search has just read: read the file
    # once first, so that neither waits on the disk (this machine's memory manager drops unused
    # file pages, and a first read from the disk took 2-5× the search's own time).
    start = time.perf_counter()
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
    print(f"  read the database file into the OS cache in {time.perf_counter() - start:.1f} s")
    if args.explain:
        for text in ("さとう", "髙橋一郎", "林", "たか", "1234-5-00", "S55.4.2"):
            explain(db, ctx, text)

    print(f"\n{'':34}{'search (ms)':>18}  {'bare MATCH p50 (ms)':>19}  {'ratio p50':>12}  "
          f"{'floor, again (ms)':>17}{'ratio':>6}  {'LIKE':>6}")
    print(f"{'query class':34}{'p50':>9}{'p95':>9}  {'page':>9}{'all':>10}  {'page':>6}{'all':>6}  "
          f"{'floor':>7}{'again':>8}{'p50':>6}  {'p50':>6}  targets")
    missed = False
    notes = []
    for name, label in LABELS.items():
        group = cases[name]
        if not group:
            print(f"{label:34}  (no queries drawn)")
            continue
        times, match, stats = time_class(ctx, group)
        like = time_like(db, group[:args.like_runs])
        s50, s95 = percentile(times, 50), percentile(times, 95)
        verdicts = []
        target = TARGETS.get(name)
        if target is not None:
            ok = s95 <= target
            missed |= not ok
            verdicts.append(f"p95 ≤ {target:.0f} ms {'OK' if ok else 'MISSED'}")
        if match["floor"]:
            page50, all50 = percentile(match["page"], 50), percentile(match["all"], 50)
            ok = s50 <= MATCH_RATIO_TARGET * page50
            missed |= not ok
            verdicts.append(f"p50 ≤ {MATCH_RATIO_TARGET:.0f}× MATCH page {'OK' if ok else 'MISSED'}")
            floor50, again50 = percentile(match["floor"], 50), percentile(match["again"], 50)
            anchor = (f"{page50:9.3f}{all50:10.3f}  {s50 / page50:5.1f}×{s50 / all50:5.1f}×  "
                      f"{floor50:7.3f}{again50:8.3f} {again50 / floor50:5.1f}×")
        else:
            anchor = f"{'—':>9}{'—':>10}  {'—':>6}{'—':>6}  {'—':>7}{'—':>8} {'—':>6}"
        l50 = f"{percentile(like, 50):6.0f}" if like else f"{'—':>6}"
        print(f"{label:34}{s50:9.3f}{s95:9.3f}  {anchor}  {l50}  {'; '.join(verdicts)}")
        checkable = stats["self_checkable"]
        notes.append(f"{label}: {len(group)} queries, {stats['rows'] / len(group):.1f} rows/page "
                     f"({stats['former']} by a former name in all), {stats['more']} with more pages, "
                     f"{stats['errors']} invalid; drawn member found in {stats['found_self']}/{checkable} "
                     "complete results" + (f"; e.g. {', '.join(c.text for c in group[:4])}" if group else ""))
    print(f"\n  bare MATCH: SELECT rowid FROM member_fts WHERE member_fts MATCH '<column> : \"<key>\"', "
          f"on the\n  driver's connection, the key computed beforehand (no parsing, ranking or rows): "
          f"\"page\" with\n  LIMIT {PAGE + 1} (the floor for a page), \"all\" every matching row id. "
          "Each query: search, then both, in turn.")
    print("\n  The LIKE scan returns the first 50 rows in table order: unsorted, without variants (髙 ≠ 高)"
          "\n  and without the 在籍-first order, so a frequent short text (林) ends it early.")
    for note in notes:
        print("  " + note)
    db.close()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
