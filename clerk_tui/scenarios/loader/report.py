"""Problems found in scenario files, and the report of a load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from clerk_tui.domain import wareki
from clerk_tui.domain.errors import DomainError, ValidationErrors
from clerk_tui.domain.terminal import terminal_safe
from clerk_tui.scenarios.loader.spec import SECTION_LABELS

class FixtureError(DomainError):
    """One problem in a scenario file, with its place: file, entry (e.g. `members[3] (1001-23-00)`)
    and field."""

    def __init__(self, file: str, entry: str | None, field: str | None, detail: str) -> None:
        self.file = file
        self.entry = entry
        self.detail = detail
        place = f"{file}:"
        if entry:
            place += f" {entry}"
        if field:
            place += f" {field}:"
        elif entry:
            place += ":"
        # The detail may quote a value from the file: escape sequences in it are shown, not sent.
        super().__init__(terminal_safe(f"{place} {detail}"), field=field)


class FixtureLoadError(ValidationErrors):
    """Every problem found in the files loaded together; nothing was written."""

    def __init__(self, problems: list[FixtureError]) -> None:
        super().__init__(problems)
        self.message = (
            f"シナリオファイルに {len(problems)} 件の問題があります。データベースには何も書き込んでいません。\n"
            + "\n".join(p.message for p in problems)
        )
        self.args = (self.message,)


@dataclass
class SectionCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    files: list[Path]
    today: date | None
    reset: bool = False
    counts: dict[str, SectionCount] = field(default_factory=dict)

    def summary(self) -> str:
        head = f"{len(self.files)} ファイルを読み込みました"
        if self.reset:
            head += "（既存のデータを消去して再作成）"
        if self.today is not None:
            head += f"。研修の基準日: {wareki.format_wareki(self.today)}（{self.today.isoformat()}）"
        parts = []
        for section, label in SECTION_LABELS.items():
            c = self.counts.get(section)
            if c is None or c.total == 0:
                continue
            parts.append(f"  {label}: 新規 {c.created}・更新 {c.updated}・変更なし {c.unchanged}")
        return head + "。\n" + ("\n".join(parts) if parts else "  読み込むデータはありませんでした。")

