"""What the checks keep of the entries they have read: people, documents, and the batch of
everything read from the files loaded together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from clerk_tui.domain.codes import CardStatus, DocumentKind
from clerk_tui.scenarios.loader.values import _Entry, _Problem

# --------------------------------------------------------------------------------------------
# Parsed records


@dataclass(slots=True)
class _Person:
    """What the cross-checks need about a member, from the files or from the database."""

    key: str
    insured_key: str | None
    birth_date: date
    acquired_on: date
    lost_on: date | None
    employer_code: str | None
    remuneration: int | None
    income_reduction: bool
    card_status: CardStatus
    family_name: str
    given_name: str
    db_id: int | None = None
    entry: _Entry | None = None
    row: dict[str, Any] | None = None

    @property
    def is_insured(self) -> bool:
        return self.insured_key is None


@dataclass
class _DocInfo:
    serial: str
    member_key: str
    kind: DocumentKind
    db_id: int | None = None


Record = tuple[_Entry, dict[str, Any]]

# The field and the message of a second entry with a natural key already used, by kind of entry.
_REPEATED = {
    "employer": ("code", "同じ事業所コードが {place} にもあります。"),
    "member": ("branch", "同じ記号・番号・枝番の加入員が {place} にもあります。"),
    "document": ("serial", "同じ番号（{key}）の書類が {place} にもあります。"
                           "同じ人に同じ日付で同じ種類の書類を2枚書くときは serial を書いてください。"),
}


def place_of(e: _Entry) -> str:
    """Where an entry is, as the messages quote it: `file: members[3] (1001-23-00)`."""
    return f"{e.file}: {e.where}"


def report_repeat(e: _Entry, kind: str, key: str, first_place: str) -> None:
    field_name, detail = _REPEATED[kind]
    e.problem(field_name, detail.format(key=key, place=first_place))


@dataclass
class _Batch:
    files: list[Path] = field(default_factory=list)
    problems: list[_Problem] = field(default_factory=list)
    today: date | None = None
    today_from: str | None = None
    insurer: Record | None = None
    employers: dict[str, Record] = field(default_factory=dict)
    members: dict[str, _Person] = field(default_factory=dict)
    documents: dict[str, Record] = field(default_factory=dict)
    cancellations: list[Record] = field(default_factory=list)
    loss_reports: list[Record] = field(default_factory=list)
    collection_items: list[Record] = field(default_factory=list)
    claims: list[Record] = field(default_factory=list)
    former_names: list[Record] = field(default_factory=list)
    issue_requests: list[Record] = field(default_factory=list)
    # Entries already reported as bad, by natural key: a reference to one is not reported again.
    invalid: set[tuple[str, str]] = field(default_factory=set)
    # The first entry with each natural key, bad or not, for the duplicate check.
    first_seen: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    # References made by bad entries: still checked, so that one run reports every problem.
    loose_refs: list[tuple[_Entry, str, str, str]] = field(default_factory=list)
    # Part files named by `include`, in the order they are loaded; a part is read, checked and
    # written before the next is read, so a load holds one part at a time.
    parts: list[Path] = field(default_factory=list)
    # A part had problems and was not written: what later parts refer to may be in it.
    unwritten: bool = False

    def next_part(self) -> None:
        """Forget the entries of the part just written: later parts find them in the database."""
        for entries in (self.employers, self.members, self.documents, self.first_seen):
            entries.clear()
        for rows in (self.cancellations, self.loss_reports, self.collection_items, self.claims,
                     self.former_names, self.issue_requests, self.loose_refs):
            rows.clear()
        self.insurer = None

    def keep_refs(self, e: _Entry, values: dict[str, Any], refs: dict[str, str]) -> None:
        """For an entry left out: remember its references (field → kind) to check them anyway."""
        for field_name, kind in refs.items():
            ref = values.get(field_name)
            if ref is not None:
                self.loose_refs.append((e, field_name, kind, ref))

    def left_out(self, e: _Entry, key: str | None, values: dict[str, Any], refs: dict[str, str],
                 natural_key: tuple[str, str | None] | None = None) -> bool:
        """True when the entry has a problem or lacks its key: it is not kept, but its references
        (field → kind) are still checked, and references to its natural key (kind, key) are not
        reported again."""
        if e.bad or key is None:
            if natural_key is not None and natural_key[1] is not None:
                self.invalid.add(natural_key)
            self.keep_refs(e, values, refs)
            return True
        return False

    def duplicate_of(self, kind: str, key: str | None, e: _Entry) -> _Entry | None:
        """The entry that already has this natural key, or None (and `e` is now the first)."""
        if key is None:
            return None
        first = self.first_seen.setdefault((kind, key), e)
        return None if first is e else first

    def file_problem(self, file: str, entry: str | None, detail: str) -> None:
        self.problems.append(_Problem(file, entry, None, detail))

