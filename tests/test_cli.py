"""The quick start's `clerk-tui demo`: created and filled on first run, never overwritten."""

from __future__ import annotations

import clerk_tui.cli as cli
from clerk_tui.db.models import AuditEntry, Member


def test_demo_database_is_created_once_and_kept(tmp_path, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(cli, "_run_app", lambda args, cfg: started.append(cfg.db) or 0)
    path = tmp_path / "demo.db"
    assert cli.main(["demo", "--db", str(path)]) == 0
    assert "デモ用データベースを作成しました" in capsys.readouterr().out
    count = Member.select().count()
    assert count >= 40 + cli.DEMO_SYNTHETIC_MEMBERS
    entries = AuditEntry.select().count()
    assert cli.main(["demo", "--db", str(path)]) == 0  # second run: just starts
    assert capsys.readouterr().out == ""
    assert Member.select().count() == count and AuditEntry.select().count() == entries
    assert started == [path, path]
