"""Database upkeep that clerks and administrators run: integrity check and online backup."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path

import peewee

from clerk_tui.db import schema, triggers
from clerk_tui.db.database import FILE_MODE, private_umask, sqlite_version_tuple
from clerk_tui.domain.errors import DomainError
from clerk_tui.services import audit


@dataclass
class CheckResult:
    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def add(self, ok: bool, line: str) -> None:
        self.ok = self.ok and ok
        self.lines.append(("OK  " if ok else "NG  ") + line)

    def text(self) -> str:
        return "\n".join(self.lines + ["", "結果: 正常" if self.ok else "結果: 異常あり"])


def check(db: peewee.Database, anchor_file: Path | None = None) -> CheckResult:
    result = CheckResult()
    rows = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
    result.add(rows == ["ok"], "整合性 (integrity_check): " + ", ".join(rows[:5]))
    fk = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    result.add(not fk, f"外部キー: 不整合 {len(fk)} 件")
    version = schema.current_version(db)
    result.add(version == schema.LATEST_VERSION,
               f"スキーマ版: {version}（プログラムの版 {schema.LATEST_VERSION}）")
    result.add(True, "SQLite: " + ".".join(map(str, sqlite_version_tuple(db))))
    chain = audit.verify([anchor_file], db=db)
    result.add(chain.ok, f"監査ログ: {chain.checked} 件検証" + ("" if chain.ok else f"。{chain.problem}"))
    for problem in chain.problems[1:]:
        result.add(False, f"監査ログ: {problem}")
    if chain.anchors:
        result.add(True, f"監査ログの照合点: {chain.anchors} 件を照合（最新の照合点以後 {chain.unanchored} 件）")
    elif anchor_file is not None:
        result.add(True, "監査ログの照合点: なし。" + (chain.notes[0] if chain.notes else
                                                    f"{anchor_file} にこのデータベースの照合点はありません。"))
    trigger_problems = triggers.audit_trigger_problems(db)
    result.add(not trigger_problems, "監査ログの保護トリガー: " + (
        "正常" if not trigger_problems else "、".join(trigger_problems) + "（`clerk-tui db upgrade` で復元）"))
    return result


def backup(db: peewee.Database, dest: Path, *, allow_db_folder: bool = False) -> Path:
    """SQLite's online backup: clerks keep working meanwhile. Refused onto the live database, onto
    any file that already exists, and (unless allowed) into the database's own folder. Written
    under a hidden temporary name beside the destination and renamed only when complete, so a
    half-written backup never stands under the final name; the leftovers of a run that was
    killed are removed by the next one."""
    from clerk_tui.filecheck import check_destination, remove_stale_temporaries

    dest = check_destination(dest, db_path=Path(db.database), replaceable=None, create_folder=True,
                             allow_db_folder=allow_db_folder, option="バックアップ先").resolve()
    with private_umask():
        dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(dest.parent, f".{glob_escape(dest.name)}.*.tmp*")
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    with private_umask():
        try:
            db.backup_to_file(str(tmp))
            os.chmod(tmp, FILE_MODE)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            try:
                os.link(tmp, dest)  # fails rather than replace a file that appeared meanwhile
            except FileExistsError:
                raise DomainError(f"バックアップ先 {dest} が作成中に現れました。上書きしません。") from None
            except OSError:  # no hard links on this file system: check, then rename
                if dest.exists():
                    raise DomainError(f"バックアップ先 {dest} が作成中に現れました。上書きしません。") from None
                os.replace(tmp, dest)
        finally:
            for leftover in tmp.parent.glob(f"{glob_escape(tmp.name)}*"):
                leftover.unlink(missing_ok=True)
    fd = os.open(dest.parent, os.O_RDONLY)  # the new name is durable once its folder is on disk
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return dest


def reindex(ctx) -> int:
    """Recompute every stored search key (after a line was added to the variant table) and
    rebuild the full-text index. Returns the number of members whose keys changed."""
    from clerk_tui.db import search
    from clerk_tui.db.models import Employer, FormerName, Member, member_search_keys
    from clerk_tui.domain import kana
    from clerk_tui.domain.codes import AuditKind

    def refresh(model) -> int:
        changed = 0
        for m in model.select(model.id, model.family_name, model.given_name, model.family_name_kana,
                              model.given_name_kana, model.name_key, model.kana_key,
                              model.given_name_key, model.given_kana_key).iterator():
            keys = member_search_keys(m.family_name, m.given_name, m.family_name_kana, m.given_name_kana)
            if any(getattr(m, k) != v for k, v in keys.items()):
                model.update(**keys).where(model.id == m.id).execute()
                changed += 1
        return changed

    def write() -> int:
        changed = refresh(Member)
        former = refresh(FormerName)  # former names (旧姓) are searched by the same keys
        for e in Employer.select():
            key = kana.name_key(e.name)
            if e.name_key != key:
                Employer.update(name_key=key).where(Employer.id == e.id).execute()
        search.rebuild_index(ctx.db)
        audit.record(ctx, AuditKind.WRITE, "db.reindex",
                     summary={"members_changed": changed, "former_names_changed": former})
        return changed

    return ctx.write(write)
