"""The documentation stands alone and says what the program does: the rules a clone needs are in
docs/rules.md, the README's search example works on the demo data, and the pins quoted in the
docs are the ones pyproject.toml sets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from clerk_tui.scenarios.loader import demo_fixture_files, load_files
from clerk_tui.services.search import search_members

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
RULES = REPO / "docs" / "rules.md"


def _repo_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    files = []
    for name in listed:
        path = REPO / name
        if not path.is_file() or path.suffix in (".ttf", ".png", ".pdf", ".svg", ".db"):
            continue
        files.append(path)
    return files


def test_nothing_points_outside_the_repository():
    """A clone has no sibling folder with the rules: every reference goes to docs/rules.md."""
    outside = ("../" + "shared", "shared/" + "DOMAIN", "DOMAIN" + ".md")
    offenders = []
    for path in _repo_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{path.relative_to(REPO)}: {word}" for word in outside if word in text]
    assert offenders == []
    assert "docs/rules.md" in README.read_text(encoding="utf-8")


def test_rules_doc_has_every_rule_the_code_cites():
    text = RULES.read_text(encoding="utf-8")
    numbered = {int(n) for n in re.findall(r"^\*\*R(\d+) — ", text, flags=re.M)}
    assert numbered == set(range(1, 21))
    cited = set()
    for path in [*(REPO / "clerk_tui").rglob("*.py"), *(REPO / "tests").rglob("*.py"),
                 *(REPO / "fixtures").rglob("*.toml")]:
        cited |= {int(n) for n in re.findall(r"\bR([1-9]\d?)\b", path.read_text(encoding="utf-8"))}
    assert cited and cited <= numbered, sorted(cited - numbered)
    # The glossary names the stored codes the program uses.
    for name in ("eligibility_certificate", "eligibility_notice", "registration_cancellation", "loss_report",
                 "legacy_card", "copay_ratio"):
        assert f"| {name}" in text, name


def _readme_search_examples() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**Variant kanji"):]
    section = section[:section.index("\n\n")]
    return re.findall(r"`([^`]+)` finds (\S+?　\S+?)\b(?=[ ,.(（]|$)", section.replace("\n", " "))


def test_readme_variant_examples_find_members_in_the_demo(ctx):
    examples = _readme_search_examples()
    assert ("高橋", "髙橋　健太") in examples  # the registered form differs from the typed one
    load_files(ctx.db, demo_fixture_files())
    for query, name in examples:
        result = search_members(ctx, query)
        assert result.ok, result.error
        assert name in [row.name for row in result.rows], (query, name)
        assert query not in name  # each example finds a name written with the other variant


def _pin(package: str) -> str:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(rf'"{package}([<>=!~][^"]*)"', pyproject)
    assert match, package
    return match.group(1)


@pytest.mark.parametrize("package", ["fpdf2"])
def test_pins_quoted_in_the_docs_are_the_pyproject_pins(package):
    pin = _pin(package)
    quoted = []
    for path in [README, *(REPO / "docs").glob("*.md")]:
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if package in line or "pin" in line:
                quoted += [(path.name, line_no, q) for q in re.findall(r"`([<>=~][^`]*)`", line)]
    assert quoted, f"the docs quote no pin for {package}"
    assert all(q == pin for _, _, q in quoted), (pin, quoted)
