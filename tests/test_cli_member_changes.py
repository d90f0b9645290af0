"""`clerk-tui member change / correct / history`: the same services as the screen."""

from __future__ import annotations

from clerk_tui.cli import main
from clerk_tui.db.models import CollectionItem, FormerName, Member, MemberHistory
from tests.factories import make_document, make_employer, make_member


def _run(db_path, *args):
    return main(["member", *args, "--db", str(db_path), "--today", "2025-11-20"])


def test_change_prints_the_plan_and_records_it(ctx, db_path, capsys):
    m = make_member(ctx, make_employer(ctx), symbol="3001", number="7")
    make_document(ctx, m)
    args = ["change", "3001-7-00", "name", "--effective", "R7.11.1", "--set", "family_name=佐藤",
            "--set", "family_name_kana=さとう"]
    assert _run(db_path, *args, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "氏: 山田 -> 佐藤" in out and "資格確認書（旧氏名のものは回収）" in out and "記録していません" in out
    assert MemberHistory.select().count() == 0
    assert _run(db_path, *args) == 0
    assert "記録しました" in capsys.readouterr().out
    assert Member.get_by_id(m.id).family_name_kana == "サトウ"
    assert FormerName.select().count() == 1 and CollectionItem.select().count() == 1


def test_refusals_exit_2_with_the_message_and_write_nothing(ctx, db_path, capsys):
    make_member(ctx, make_employer(ctx), symbol="3001", number="7")
    assert _run(db_path, "change", "3001-7-00", "remuneration", "--effective", "2025-12-02",
                "--set", "standard_monthly_remuneration=320000") == 2
    assert "改定月は月の初日" in capsys.readouterr().err
    assert _run(db_path, "change", "3001-7-00", "address", "--effective", "2025-11-01",
                "--set", "address=東京都 1234 5678 9012") == 2
    err = capsys.readouterr().err
    assert "個人番号" in err and "5678" not in err
    assert _run(db_path, "change", "3001-7-00", "address", "--effective", "2025-11-01", "--set", "nickname=x") == 2
    assert MemberHistory.select().count() == 0


def test_correct_and_history(ctx, db_path, capsys):
    m = make_member(ctx, make_employer(ctx), symbol="3001", number="7", given_name="太朗")
    assert _run(db_path, "change", "3001-7-00", "assistance", "--effective", "2025-11-01",
                "--set", "needs_assistance=yes") == 0
    assert _run(db_path, "correct", "3001-7-00", "given_name", "太郎", "--reason", "入力誤り") == 0
    assert "名を訂正しました: 太朗 -> 太郎" in capsys.readouterr().out
    assert Member.get_by_id(m.id).needs_assistance is True
    assert _run(db_path, "history", "3001-7-00") == 0
    lines = capsys.readouterr().out.splitlines()
    assert "訂正" in lines[0] and "名: 太朗 -> 太郎（理由: 入力誤り）" in lines[0]
    assert "要配慮者  令和7年11月1日から  要配慮者: 非該当 -> 該当" in lines[1]
