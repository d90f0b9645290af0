"""Scenarios in parts (`include`): each part read, checked and written in turn inside the one
transaction; references to earlier parts, repeated keys across parts, problems placed in the
part file and nothing written; the generator writing parts as it goes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from clerk_tui.db.models import Document, Member
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios import FixtureLoadError, load_files
from clerk_tui.scenarios.generator import FILE_HEADER, generate_file, generate_into, parts_folder

ROOT = Path(__file__).resolve().parents[1]

MAIN = """
[scenario]
name = "分割シナリオ"
today = 2025-12-10
include = ["parts/*.toml"]

[[employers]]
code = "E001"
name = "株式会社テスト"
"""


def insured(number: str) -> str:
    return f"""
[[members]]
symbol = "1001"
number = "{number}"
branch = "00"
employer = "E001"
family_name = "山田"
given_name = "太郎"
family_name_kana = "ヤマダ"
given_name_kana = "タロウ"
birth_date = 1980-04-01
sex = "male"
acquired_on = 2010-04-01
standard_monthly_remuneration = 300000
"""


def dependent(number: str, branch: str = "01") -> str:
    return f"""
[[members]]
symbol = "1001"
number = "{number}"
branch = "{branch}"
insured = "1001-{number}-00"
relationship = "child"
family_name = "山田"
given_name = "花子"
family_name_kana = "ヤマダ"
given_name_kana = "ハナコ"
birth_date = 2015-06-01
sex = "female"
acquired_on = 2015-06-01
"""


def certificate(member: str) -> str:
    return f"""
[[documents]]
member = "{member}"
kind = "eligibility_certificate"
issued_on = 2025-11-10
"""


def scenario(tmp_path: Path, main: str, parts: dict[str, str]) -> Path:
    (tmp_path / "parts").mkdir()
    for name, text in parts.items():
        (tmp_path / "parts" / name).write_text(text, encoding="utf-8")
    path = tmp_path / "main.toml"
    path.write_text(main, encoding="utf-8")
    return path


def db_digest(db) -> str:
    rows = [db.execute_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("employer", "member", "document", "audit_entry", "setting")]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_parts_refer_to_earlier_parts_and_load_in_name_order(db, tmp_path):
    # Part 2 holds the dependents of part 1's insured persons, part 3 their documents.
    path = scenario(tmp_path, MAIN + insured("20"), {
        "01.toml": insured("21") + insured("22"),
        "02.toml": dependent("21") + dependent("20"),
        "03.toml": certificate("1001-21-01") + certificate("1001-20-00") + certificate("1001-22-00"),
    })
    report = load_files(db, [path])
    assert [p.name for p in report.files] == ["main.toml", "01.toml", "02.toml", "03.toml"]
    assert {k: c.created for k, c in report.counts.items() if c.created} == {
        "employers": 1, "members": 5, "documents": 3}
    child = Member.get(Member.number == "21", Member.branch == "01")
    assert child.insured.number == "21" and child.insured.branch == "00"
    assert child.employer.code == "E001"
    assert Document.select().join(Member).where(Member.branch == "01").count() == 1
    # Loading it again finds every record of every part: nothing new, nothing changed.
    again = load_files(db, [path])
    assert {k: (c.created, c.updated) for k, c in again.counts.items() if c.total} == {
        "employers": (0, 0), "members": (0, 0), "documents": (0, 0)}
    assert sum(c.unchanged for c in again.counts.values()) == 9
    # A value changed in a part updates that record only; --reset builds everything anew.
    part = tmp_path / "parts" / "02.toml"
    part.write_text(part.read_text(encoding="utf-8").replace("花子", "桜子", 1), encoding="utf-8")
    changed = load_files(db, [path])
    assert (changed.counts["members"].updated, changed.counts["members"].unchanged) == (1, 4)
    assert Member.get(Member.number == "21", Member.branch == "01").given_name == "桜子"
    rebuilt = load_files(db, [path], reset=True)
    assert {k: c.created for k, c in rebuilt.counts.items() if c.total} == {
        "employers": 1, "members": 5, "documents": 3}
    assert Member.select().count() == 5


def test_a_problem_in_a_part_is_placed_in_that_file_and_nothing_is_written(db, tmp_path):
    path = scenario(tmp_path, MAIN + insured("20"), {
        "01.toml": dependent("20"),
        "02.toml": certificate("1001-20-01") + certificate("1001-99-00") + dependent("20", branch="02")
                   .replace("2015-06-01\nsex", "\"2015-06-31\"\nsex"),
    })
    before = db_digest(db)
    with pytest.raises(FixtureLoadError) as caught:
        load_files(db, [path])
    messages = [p.message for p in caught.value.problems]
    part = str(tmp_path / "parts" / "02.toml")
    assert any(m.startswith(f"{part}: documents[2] (1001-99-00) member:") and "「1001-99-00」" in m
               for m in messages), messages
    assert any(m.startswith(f"{part}: members[1] (1001-20-02) birth_date:") for m in messages), messages
    assert len(messages) == 2
    assert db_digest(db) == before


def test_a_key_repeated_in_a_later_part_is_reported_with_the_first_place(db, tmp_path):
    path = scenario(tmp_path, MAIN + insured("20"), {
        "01.toml": insured("21"),
        "02.toml": insured("21") + certificate("1001-20-00"),
        "03.toml": certificate("1001-20-00"),
    })
    with pytest.raises(FixtureLoadError) as caught:
        load_files(db, [path])
    messages = [p.message for p in caught.value.problems]
    first = tmp_path / "parts" / "01.toml"
    assert messages[0].startswith(f"{tmp_path / 'parts' / '02.toml'}: members[1] (1001-21-00) branch:")
    assert f"{first}: members[1] (1001-21-00) にもあります" in messages[0]
    assert f"{tmp_path / 'parts' / '02.toml'}: documents[1] (1001-20-00) にもあります" in messages[1]
    assert len(messages) == 2
    assert Member.select().count() == 0


def test_part_files_hold_entries_only_and_include_must_find_files(db, tmp_path):
    path = scenario(tmp_path, MAIN.replace('include = ["parts/*.toml"]',
                                           'include = ["parts/*.toml", "missing.toml"]'), {
        "01.toml": '[scenario]\nname = "部品"\n' + insured("21"),
        "02.toml": '[insurer]\nname = "x"\n',
    })
    with pytest.raises(FixtureLoadError) as caught:
        load_files(db, [path])
    messages = [p.message for p in caught.value.problems]
    assert any(m.startswith(f"{path}: scenario include:") and "「missing.toml」" in m for m in messages)
    assert any(m.startswith(f"{tmp_path / 'parts' / '01.toml'}: scenario:") and "部品ファイル" in m
               for m in messages)
    assert any(m.startswith(f"{tmp_path / 'parts' / '02.toml'}: insurer:") for m in messages)
    path.write_text(MAIN.replace('["parts/*.toml"]', '"parts"'), encoding="utf-8")
    with pytest.raises(FixtureLoadError) as caught:
        load_files(db, [path])
    assert "ファイル名の配列" in caught.value.problems[0].message


def test_a_generated_scenario_in_parts_loads_the_rows_generate_into_gives(tmp_path):
    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema

    path = generate_file(tmp_path / "out" / "synthetic.toml", members=95, seed=4, part_members=30)
    main = tomllib.loads(path.read_text(encoding="utf-8"))
    parts = sorted(parts_folder(path).iterdir())
    assert main["scenario"]["include"] == ["synthetic.parts/*.toml"] and len(parts) >= 2
    assert len(main["members"]) >= 30 and len(main["employers"]) == 1
    for part in parts:
        assert part.read_text(encoding="utf-8").startswith(FILE_HEADER)
        assert os.stat(part).st_mode & 0o037 == 0
        assert set(tomllib.loads(part.read_text(encoding="utf-8"))) <= {"members", "documents"}

    def fresh(name: str):
        database = open_database(tmp_path / name)
        init_schema(database)
        return database

    sql = ("SELECT m.symbol, m.number, m.branch, m.family_name, m.birth_date, i.branch, e.code, "
           "(SELECT COUNT(*) FROM document d WHERE d.member_id = m.id) FROM member m "
           "JOIN employer e ON e.id = m.employer_id LEFT JOIN member i ON i.id = m.insured_id ORDER BY 1, 2, 3")
    direct = fresh("direct.db")
    generate_into(direct, members=95, seed=4)
    expected = direct.execute_sql(sql).fetchall()
    direct.close()
    loaded = fresh("loaded.db")
    report = load_files(loaded, [path])
    assert report.counts["members"].created == 95
    assert loaded.execute_sql(sql).fetchall() == expected
    loaded.close()

    # Generating again replaces the parts; a smaller scenario leaves no stale part behind.
    generate_file(path, members=20, seed=4, part_members=30)
    assert not parts_folder(path).exists()
    assert "include" not in tomllib.loads(path.read_text(encoding="utf-8"))["scenario"]


def test_the_generator_never_replaces_a_folder_it_did_not_write(tmp_path):
    path = tmp_path / "synthetic.toml"
    folder = parts_folder(path)
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(DomainError, match="部品ファイルのフォルダではありません"):
        generate_file(path, members=50, seed=1, part_members=20)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not path.exists()


def test_bench_script_runs_small(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_load.py"), "--members", "300", "--skip-million",
         "--part-members", "120", "--work", str(tmp_path), "--keep", str(tmp_path / "kept.db")],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    assert "300 members" in out and "3 files" in out
    assert all(step in out for step in ("generate", "load", "anchor", "ratio load/anchor", "peak RSS"))
    assert "target < 300 MiB" not in out  # the target is for 100,000 members
    assert (tmp_path / "kept.db").exists()


def test_the_command_line_loads_parts_and_a_failed_first_load_leaves_no_database(tmp_path, capsys):
    from clerk_tui import cli

    path = scenario(tmp_path, MAIN + insured("20"), {"01.toml": dependent("20"), "02.toml": certificate("1001-20-07")})
    folder = tmp_path / "db"
    folder.mkdir(mode=0o700)
    target = folder / "training.db"
    assert cli.main(["fixtures", "load", str(path), "--db", str(target)]) == 2
    err = capsys.readouterr().err
    assert "データベースには何も書き込んでいません" in err and "02.toml: documents[1] (1001-20-07) member:" in err
    assert list(folder.iterdir()) == []
    (tmp_path / "parts" / "02.toml").write_text(certificate("1001-20-01"), encoding="utf-8")
    assert cli.main(["fixtures", "load", str(path), "--db", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 ファイルを読み込みました") and "加入員: 新規 2" in out and "書類: 新規 1" in out


def test_a_part_refers_only_backwards_and_a_scenario_wrong_throughout_stops_early(db, tmp_path, monkeypatch):
    from clerk_tui.scenarios import loader

    path = scenario(tmp_path, MAIN, {
        "01.toml": certificate("1001-20-00"),  # the member comes in the next part: too late
        "02.toml": insured("20"),
        "03.toml": dependent("20"),
    })
    with pytest.raises(FixtureLoadError) as caught:
        load_files(db, [path])
    (only,) = caught.value.problems
    assert only.message.startswith(f"{tmp_path / 'parts' / '01.toml'}: documents[1] (1001-20-00) member:")
    assert "同じか前の部品ファイル" in only.message

    monkeypatch.setattr(loader, "_ENOUGH_PROBLEMS", 1)
    with pytest.raises(FixtureLoadError) as caught:
        load_files(db, [path])
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert messages[1].startswith(f"{tmp_path / 'parts' / '02.toml'}:") and "後の 2 個の部品ファイルは点検していません" in messages[1]
    assert Member.select().count() == 0
