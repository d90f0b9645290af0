"""`clerk-tui member enrol FILE.toml` and `clerk-tui member add-dependent CODE FILE.toml`: the
same services as the screens, with the duplicate check and refusals as exit codes."""

from __future__ import annotations

import clerk_tui.cli as cli
from clerk_tui.clock import Clock
from clerk_tui.db.database import open_database
from clerk_tui.db.models import Employer, IssueRequest, Member
from clerk_tui.db.schema import init_schema
from clerk_tui.domain import kana
from clerk_tui.services.context import Context

ENROL = """
employer = "E00077"
acquired_on = "R7.11.1"
standard_monthly_remuneration = 320000

[insured]
family_name = "髙橋"
given_name = "一郎"
family_name_kana = "ﾀｶﾊｼ"
given_name_kana = "イチロウ"
birth_date = "S60.3.3"
sex = "男"
card_status = "usable"
mynumber_received_on = 2025-10-20

[[dependents]]
family_name = "髙橋"
given_name = "花"
family_name_kana = "タカハシ"
given_name_kana = "ハナ"
birth_date = "平成30年7月1日"
sex = "女"
relationship = "子"
"""

DEPENDENT = """
acquired_on = "2025-11-15"
relationship = "配偶者"
family_name = "髙橋"
given_name = "緑"
family_name_kana = "タカハシ"
given_name_kana = "ミドリ"
birth_date = "S62.1.1"
sex = "女"
card_status = "マイナンバーカード未取得"
"""


def _db(tmp_path):
    path = tmp_path / "clerk.db"
    db = open_database(path)
    init_schema(db)
    ctx = Context(db=db, clock=Clock(), clerk="setup", origin=None)
    ctx.write(lambda: Employer.create(code="E00077", name="高橋工業株式会社", name_key=kana.name_key("高橋工業株式会社"),
                                      symbol="3100"))
    return path


def _run(path, *argv):
    return cli.main(["member", *argv, "--db", str(path), "--today", "2025-11-20"])


def test_enrol_then_add_dependent_from_files(tmp_path, capsys):
    path = _db(tmp_path)
    (tmp_path / "enrol.toml").write_text(ENROL, encoding="utf-8")
    (tmp_path / "dep.toml").write_text(DEPENDENT, encoding="utf-8")
    assert _run(path, "enrol", str(tmp_path / "enrol.toml")) == 0
    out = capsys.readouterr().out
    assert "資格取得: 3100-1-00 髙橋\u3000一郎" in out and "3100-1-01" in out
    assert Member.get(Member.branch == "01").relationship.label == "子"
    assert _run(path, "add-dependent", "3100-1", str(tmp_path / "dep.toml")) == 0
    assert "扶養追加: 3100-1-02" in capsys.readouterr().out
    # 資格確認書 for the two without a card, お知らせ for all three
    assert IssueRequest.select().count() == 5


def test_a_duplicate_is_listed_and_needs_a_reason(tmp_path, capsys):
    path = _db(tmp_path)
    (tmp_path / "enrol.toml").write_text(ENROL, encoding="utf-8")
    assert _run(path, "enrol", str(tmp_path / "enrol.toml")) == 0
    capsys.readouterr()
    assert _run(path, "enrol", str(tmp_path / "enrol.toml")) == 3
    err = capsys.readouterr().err
    assert "3100-1-00" in err and "--confirm-new" in err
    assert Member.select().count() == 2
    assert _run(path, "enrol", str(tmp_path / "enrol.toml"), "--confirm-new", "同姓同名の別人") == 0
    assert Member.select().count() == 4


def test_bad_files_are_refused_with_the_person_named(tmp_path, capsys):
    path = _db(tmp_path)
    bad = ENROL.replace('birth_date = "平成30年7月1日"', 'birth_date = "S30.1.1"')
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    assert _run(path, "enrol", str(tmp_path / "bad.toml")) == 2
    assert "被扶養者1人目" in capsys.readouterr().err
    (tmp_path / "mn.toml").write_text(ENROL.replace('given_name = "一郎"', 'given_name = "123456789012"'),
                                      encoding="utf-8")
    assert _run(path, "enrol", str(tmp_path / "mn.toml")) == 2
    assert "マイナンバー" in capsys.readouterr().err
    (tmp_path / "emp.toml").write_text(ENROL.replace("E00077", "E99999"), encoding="utf-8")
    assert _run(path, "enrol", str(tmp_path / "emp.toml")) == 2
    assert "E99999" in capsys.readouterr().err
    assert Member.select().count() == 0
