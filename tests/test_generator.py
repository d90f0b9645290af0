"""The synthetic-data generator: deterministic, realistic families and documents, safe to append,
searchable at once, and readable back through the scenario loader."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from clerk_tui.db.database import open_database
from clerk_tui.db.schema import init_schema, schema_sql
from clerk_tui.domain import kana, rules
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import contains_my_number
from clerk_tui.scenarios import generator, names
from clerk_tui.scenarios.generator import REFERENCE_DAY, REMUNERATION_GRADES, generate_file, generate_into
from clerk_tui.services import audit

N = 1_500


def _fresh(path: Path):
    db = open_database(path)
    init_schema(db)
    return db


def _digest(db, table: str) -> str:
    rows = db.execute_sql(f"SELECT * FROM {table} ORDER BY id").fetchall()
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, default=str).encode()).hexdigest()


def _rows(db, sql: str) -> list[dict]:
    cursor = db.execute_sql(sql)
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """One database with N generated members, shared by the read-only checks."""
    db = _fresh(tmp_path_factory.mktemp("gen") / "gen.db")
    count = generate_into(db, members=N, seed=11)
    yield db, count
    db.close()


def test_same_seed_gives_identical_rows_and_another_seed_does_not(tmp_path):
    digests = []
    for i, seed in enumerate((3, 3, 4)):
        db = _fresh(tmp_path / f"{i}.db")
        generate_into(db, members=800, seed=seed)
        digests.append(tuple(_digest(db, t) for t in ("employer", "member", "document")))
        db.close()
    assert digests[0] == digests[1]
    assert all(a != b for a, b in zip(digests[0], digests[2]))


def test_counts_and_not_null_columns(generated):
    db, count = generated
    assert count == N
    assert db.execute_sql("SELECT COUNT(*) FROM member").fetchone()[0] == N
    employers = db.execute_sql("SELECT COUNT(*) FROM employer").fetchone()[0]
    assert employers == round(N / 200)
    rows = _rows(db, "SELECT * FROM member")
    for m in rows:
        assert m["version"] == 1
        assert m["name_key"] == kana.name_key(m["family_name"] + "\u3000" + m["given_name"])
        assert m["kana_key"] == kana.kana_key(m["family_name_kana"] + m["given_name_kana"])
        assert m["given_name_key"] == kana.name_key(m["given_name"])
        assert m["given_kana_key"] == kana.kana_key(m["given_name_kana"])
        assert kana.is_kana(m["family_name_kana"]) and kana.is_kana(m["given_name_kana"])
        assert m["acquired_on"] <= REFERENCE_DAY.isoformat()
        assert m["birth_date"] <= m["acquired_on"]


def test_families_are_consistent(generated):
    db, _ = generated
    by_id = {m["id"]: m for m in _rows(db, "SELECT * FROM member")}
    insured = [m for m in by_id.values() if m["insured_id"] is None]
    dependents = [m for m in by_id.values() if m["insured_id"] is not None]
    assert insured and dependents
    assert all(m["branch"] == "00" and m["relationship"] == "self" for m in insured)
    assert all(m["standard_monthly_remuneration"] in REMUNERATION_GRADES for m in insured)
    for d in dependents:
        i = by_id[d["insured_id"]]
        assert i["insured_id"] is None
        assert (d["symbol"], d["number"]) == (i["symbol"], i["number"])
        assert d["branch"] != "00"
        assert d["employer_id"] == i["employer_id"]
        assert d["standard_monthly_remuneration"] is None
        assert d["acquired_on"] >= i["acquired_on"]
        if i["lost_on"] is not None:  # the dependents' coverage ends with the insured's
            assert d["lost_on"] is not None and d["lost_on"] <= i["lost_on"]
        if d["relationship"] == "child":
            assert d["birth_date"] > i["birth_date"]
            assert d["family_name"] == i["family_name"]
        if d["relationship"] == "parent":
            assert d["birth_date"] < i["birth_date"]
    # Branches run 01, 02 … within a family, and each employer has its own 記号.
    families = Counter((m["symbol"], m["number"]) for m in by_id.values())
    for (symbol, number), size in families.items():
        branches = sorted(m["branch"] for m in by_id.values() if (m["symbol"], m["number"]) == (symbol, number))
        assert branches == [f"{b:02d}" for b in range(size)]
        assert size <= 5
    symbols = {}
    for m in by_id.values():
        assert symbols.setdefault(m["employer_id"], m["symbol"]) == m["symbol"]
    assert len(set(symbols.values())) == len(symbols)


def test_ages_losses_and_card_statuses_look_like_a_society(generated):
    db, _ = generated
    rows = _rows(db, "SELECT * FROM member")
    for m in rows:
        loss75 = rules.loss_on_reaching_75(date.fromisoformat(m["birth_date"]))
        if m["lost_on"] is None:
            assert loss75 > REFERENCE_DAY, m  # nobody covered today has reached 75
        else:
            assert m["acquired_on"] < m["lost_on"] <= REFERENCE_DAY.isoformat()
            assert m["loss_reason"]
            assert m["lost_on"] <= loss75.isoformat()
    lost = sum(m["lost_on"] is not None for m in rows) / len(rows)
    assert 0.01 < lost < 0.06
    ages = [rules.age_on(date.fromisoformat(m["birth_date"]), REFERENCE_DAY) for m in rows if m["lost_on"] is None]
    assert any(60 <= a <= 74 for a in ages) and any(a < 6 for a in ages)
    cards = Counter(m["card_status"] for m in rows)
    assert cards.most_common(1)[0][0] == "usable"
    assert {"no_card", "not_registered"} <= cards.keys()
    assert sum(m["mynumber_received_on"] is not None for m in rows) > 0.85 * len(rows)
    surnames = Counter(kana.name_key(m["family_name"]) for m in rows)
    assert {k for k, _ in surnames.most_common(4)} & {"佐藤", "鈴木", "高橋", "田中"}


def test_documents_follow_the_rules(generated):
    db, _ = generated
    members = {m["id"]: m for m in _rows(db, "SELECT * FROM member")}
    docs = _rows(db, "SELECT * FROM document")
    kinds = Counter(d["kind"] for d in docs)
    assert kinds["eligibility_notice"] > 0.85 * N
    assert kinds["eligibility_certificate"] > 0 and kinds["legacy_card"] > 0
    for d in docs:
        m = members[d["member_id"]]
        assert m["acquired_on"] <= d["issued_on"] <= REFERENCE_DAY.isoformat()
        if m["lost_on"] is not None:
            assert d["issued_on"] < m["lost_on"]
        if d["kind"] == "legacy_card":
            assert d["issued_on"] < rules.LEGACY_ISSUE_STOPPED.isoformat()
            assert d["valid_until"] == rules.LEGACY_CARD_LAST_VALID.isoformat()
        elif d["kind"] == "eligibility_certificate":
            assert rules.certificate_eligibility(m["card_status"], bool(m["needs_assistance"])).eligible
            expiry = rules.certificate_valid_until(date.fromisoformat(d["issued_on"]),
                                                   date.fromisoformat(m["birth_date"]))
            assert d["valid_until"] == expiry.valid_until.isoformat()
            age = rules.age_on(date.fromisoformat(m["birth_date"]), date.fromisoformat(d["issued_on"]))
            assert (d["copay_ratio"] is not None) == (age >= 70)  # R5: printed from 70 only
        else:
            assert d["valid_until"] is None
        if d["status"] == "returned":
            assert d["returned_on"] is not None and m["lost_on"] is not None
    usable = {m["id"] for m in members.values() if m["card_status"] == "usable" and not m["needs_assistance"]}
    assert not any(d["member_id"] in usable for d in docs if d["kind"] == "eligibility_certificate")


def test_no_text_holds_a_twelve_digit_number(generated):
    db, _ = generated
    twelve = re.compile(r"\d{12}")
    for table in ("employer", "member", "document"):
        for row in db.execute_sql(f"SELECT * FROM {table}").fetchall():
            for value in row:
                if isinstance(value, str):
                    assert not twelve.search(value), (table, value)
                    assert not contains_my_number(value), (table, value)


def test_fts_index_finds_generated_names_and_schema_is_restored(tmp_path):
    db = _fresh(tmp_path / "fts.db")
    before = schema_sql(db)
    generate_into(db, members=600, seed=2)
    assert schema_sql(db) == before  # triggers and the dropped indexes are back, unchanged
    rows = db.execute_sql("SELECT id, name_key, kana_key FROM member WHERE length(name_key) >= 3 "
                          "ORDER BY id LIMIT 20").fetchall()
    for member_id, name_key, kana_key in rows:
        for key in (name_key[:3], kana_key[-3:]):
            hits = {r[0] for r in db.execute_sql(
                "SELECT rowid FROM member_fts WHERE member_fts MATCH ?", (f'"{key}"',)).fetchall()}
            assert member_id in hits
    # The per-row triggers work again for members added afterwards.
    generate_into(db, members=50, seed=9)
    (total,) = db.execute_sql("SELECT COUNT(*) FROM member_fts").fetchone()
    assert total == 650
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_generating_twice_appends_without_collisions(tmp_path):
    db = _fresh(tmp_path / "twice.db")
    assert generate_into(db, members=700, seed=1) == 700
    assert generate_into(db, members=700, seed=1) == 700  # the same seed again: new codes
    assert db.execute_sql("SELECT COUNT(*) FROM member").fetchone()[0] == 1400
    (dup,) = db.execute_sql("SELECT COUNT(*) FROM (SELECT 1 FROM member GROUP BY symbol, number, branch "
                            "HAVING COUNT(*) > 1)").fetchone()
    assert dup == 0
    codes = [c for (c,) in db.execute_sql("SELECT code FROM employer ORDER BY id")]
    assert len(codes) == len(set(codes)) == 8 and codes[-1] == "E00008"
    symbols = db.execute_sql("SELECT e.id > 4, COUNT(DISTINCT m.symbol), MIN(CAST(m.symbol AS INT)), "
                             "MAX(CAST(m.symbol AS INT)) FROM member m JOIN employer e ON e.id = m.employer_id "
                             "GROUP BY 1 ORDER BY 1").fetchall()
    (_, _, _, first_max), (_, _, second_min, _) = symbols
    assert second_min > first_max
    serials = [s for (s,) in db.execute_sql("SELECT serial FROM document")]
    assert len(serials) == len(set(serials))
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    db.close()


def test_one_audit_entry_per_run_without_personal_data(tmp_path):
    db = _fresh(tmp_path / "audit.db")
    generate_into(db, members=300, seed=5)
    entries = _rows(db, "SELECT * FROM audit_entry")
    assert [e["action"] for e in entries] == ["fixtures.generate"]
    summary = json.loads(entries[0]["summary"])
    assert summary == {"seed": 5, "members": 300, "employers": 2, "documents": summary["documents"]}
    assert audit.verify().ok
    db.close()


def test_scenario_file_round_trips_through_the_loader(tmp_path):
    from clerk_tui.scenarios import load_files

    path = generate_file(tmp_path / "out" / "synthetic.toml", members=50, seed=8)
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\d{12}", text)
    data = tomllib.loads(text)
    assert len(data["members"]) == 50 and isinstance(data["members"][0]["birth_date"], date)

    direct = _fresh(tmp_path / "direct.db")
    generate_into(direct, members=50, seed=8)
    member_cols = ("symbol, number, branch, relationship, family_name, given_name, family_name_kana, "
                   "given_name_kana, birth_date, sex, postal_code, address, phone, acquired_on, lost_on, "
                   "loss_reason, registered_on, standard_monthly_remuneration, income_reduction, card_status, "
                   "mynumber_received_on, needs_assistance, name_key, kana_key, given_name_key, given_kana_key")
    doc_cols = ("d.serial, d.kind, d.issued_on, d.valid_until, d.route, d.reason, d.status, "
                "d.status_changed_on, d.returned_on, d.copay_ratio, d.ratio_effective_from, "
                "m.symbol, m.number, m.branch")
    employer_cols = "code, name, name_kana, postal_code, address, phone, contact_person, name_key"

    def snapshot(db):
        return (
            db.execute_sql(f"SELECT {member_cols} FROM member ORDER BY symbol, number, branch").fetchall(),
            db.execute_sql(f"SELECT {doc_cols} FROM document d JOIN member m ON m.id = d.member_id "
                           "ORDER BY d.serial").fetchall(),
            db.execute_sql(f"SELECT {employer_cols} FROM employer ORDER BY code").fetchall(),
            db.execute_sql("SELECT m.symbol || '-' || m.number || '-' || m.branch, i.branch FROM member m "
                           "LEFT JOIN member i ON i.id = m.insured_id ORDER BY 1").fetchall(),
        )

    expected = snapshot(direct)
    direct.close()
    loaded = _fresh(tmp_path / "loaded.db")  # opened last: the loader's models use this one
    report = load_files(loaded, [path])
    assert report.counts["members"].created == 50
    assert snapshot(loaded) == expected
    loaded.close()


@pytest.mark.parametrize("text", ['say "hi"', "back\\slash", "tab\tnew\nline\x7f\x01", "𠮷田",
                                  "\ufa10本", "髙橋\u3000花子", ""])
def test_toml_strings_read_back_exactly(text):
    assert tomllib.loads(f"v = {generator.toml_string(text)}")["v"] == text


def test_name_data():
    assert len(names.SURNAMES) >= 300 and len(names.GIVEN_NAMES) >= 300
    surnames = {s.forms[0] for s in names.SURNAMES}
    assert {"林", "森", "佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤"} <= surnames
    variants = {f for s in names.SURNAMES for f in s.forms[1:]}
    assert {"髙橋", "齋藤", "斉藤", "渡邊", "渡邉", "山﨑", "𠮷田"} <= variants
    top = sorted(names.SURNAMES, key=lambda s: -s.weight)[:3]
    assert {s.forms[0] for s in top} == {"佐藤", "鈴木", "高橋"}
    for entry in (*names.SURNAMES, *names.GIVEN_NAMES):
        base = kana.name_key(entry.forms[0])
        for form in entry.forms[1:]:
            assert kana.name_key(form) == base, form  # a search for the base form finds the variant
        assert all(kana.is_kana(r) for r in entry.readings), entry
        assert entry.form_cum[-1] == 1.0 and entry.reading_cum[-1] == 1.0
    assert {g.sex for g in names.GIVEN_NAMES} == {"male", "female"}
    assert any(len(g.forms[0]) == 1 for g in names.GIVEN_NAMES)


def test_generate_rows_is_independent_of_the_clock(monkeypatch):
    # The rows depend on the seed and REFERENCE_DAY only; a run next year gives the same data.
    first = [c.members for c in generator.generate_rows(200, seed=1)]

    class Later(date):
        @classmethod
        def today(cls):
            return date(2031, 1, 1)

    monkeypatch.setattr(generator, "date", Later)
    assert [c.members for c in generator.generate_rows(200, seed=1)] == first


def test_refuses_nothing_to_generate(db):
    with pytest.raises(DomainError):
        generate_into(db, members=0)
    assert db.execute_sql("SELECT COUNT(*) FROM audit_entry").fetchone()[0] == 0


def test_generate_marks_training_and_refuses_a_production_database(ctx, db):
    from clerk_tui.db.models import Setting
    from clerk_tui.domain.errors import DomainError
    from clerk_tui.scenarios.generator import generate_into
    from tests.factories import make_employer, make_member

    make_member(ctx, make_employer(ctx))  # a real member, no training mark
    with pytest.raises(DomainError, match="研修用ではない"):
        generate_into(db, members=10, seed=1)
    Setting.delete().execute()
    db.execute_sql("delete from member")
    generate_into(db, members=10, seed=1)
    assert Setting.get(Setting.key == "purpose").value == "training"
