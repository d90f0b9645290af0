"""No East-Asian ambiguous-width character in what the app draws itself. Terminals set to draw
them two cells wide (TeraTerm, PuTTY with a CJK setting, common in Japanese offices) would shift
everything after one, so the app's own text, styles and Textual's drawing must avoid them: the
source of the screens' wording and styles is checked, and then what is actually on the screen."""

from __future__ import annotations

import io
import re
import tokenize
import unicodedata
from pathlib import Path

import pytest

import clerk_tui
from tests.test_ui_support import make_app, settle

PACKAGE = Path(clerk_tui.__file__).parent
# Where the words and styles on the screen or the terminal come from: the screens, their labels
# and stylesheets, the domain's labels, warnings and messages, the services' refusals, and what the
# command line and the scenario loader print. (The scenario specification's descriptions go to
# docs/ and the JSON schema, not to a terminal.)
_PAPER_ONLY = {"scenarios/loader/spec.py", "scenarios/loader/docgen.py"}
SOURCES = sorted(p for p in [*PACKAGE.glob("ui/**/*.py"), *PACKAGE.glob("domain/**/*.py"),
                             *PACKAGE.glob("services/*.py"), *PACKAGE.glob("scenarios/**/*.py"),
                             PACKAGE / "cli.py", PACKAGE / "filecheck.py", PACKAGE / "config.py"]
                 if str(p.relative_to(PACKAGE)) not in _PAPER_ONLY)
STYLES = sorted(PACKAGE.glob("ui/**/*.tcss"))
# Characters the app reads in what a clerk types, never shows: dashes in dates, circles written
# for the digit 0 in a My Number spelled in kanji.
READ_ONLY = {("domain/wareki.py", '"‐‑‒–—―−ー"'), ("domain/text.py", '"○"'), ("domain/text.py", '"◯"')}


def ambiguous(text: str) -> list[str]:
    return sorted({f"{ch} U+{ord(ch):04X}" for ch in text if unicodedata.east_asian_width(ch) == "A"})


def shown_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that can reach the screen: not docstrings or comments
    (tokenize leaves comments out), not raw strings (the regular expressions that read input)."""
    source = path.read_text(encoding="utf-8")
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    found = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.STRING:
            continue
        prefix = re.match(r"[A-Za-z]*", tok.string).group().lower()
        if "r" in prefix:
            continue
        before = next((t for t in reversed(tokens[:i]) if t.type not in (tokenize.NL, tokenize.COMMENT)), None)
        if before is None or before.type in (tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT):
            continue  # a string standing alone as a statement: a docstring
        found.append((tok.start[0], tok.string))
    return found


def test_the_scan_sees_the_labels():
    strings = [s for _, s in shown_strings(PACKAGE / "domain/codes.py")]
    assert any("資格確認書" in s for s in strings)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_ambiguous_width_character_in_the_app_s_own_strings(path):
    where = str(path.relative_to(PACKAGE))
    bad = [(line, text, ambiguous(text)) for line, text in shown_strings(path)
           if ambiguous(text) and (where, text) not in READ_ONLY]
    assert bad == []


@pytest.mark.parametrize("path", STYLES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_ambiguous_width_character_in_the_styles(path):
    css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    assert ambiguous(css) == []


def drawn(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _member_and_tabs(pilot, look) -> None:
    await look("start")
    await pilot.press(*"ヤマダ")
    await look("results")
    await pilot.press("enter", "enter")
    await look("member")
    for tab in "2345":
        await pilot.press(tab)
        await look(f"tab {tab}")


async def _member_forms(pilot, look) -> None:
    await pilot.press(*"ヤマダ")
    await settle(pilot, 0.3)
    await pilot.press("enter", "enter")
    await settle(pilot, 0.3)
    await pilot.press("w", "1", "tab", *"R7.11.30")
    await look("withdrawal preview")
    for key in ("i", "t", "c", "l"):
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press(key)
        await look(f"member {key}")


async def _tools(pilot, look) -> None:
    for key in ("f5", "f6", "f7", "f8", "f9", "f10"):
        await pilot.press(key)
        await look(key)
        await pilot.press("escape")


async def _help_palette_and_small(pilot, look) -> None:
    await pilot.press("f1")
    await look("key list")
    await pilot.press("escape", "ctrl+c")
    await look("notification")
    await pilot.press("ctrl+p")
    await look("palette")
    await pilot.press(*"zz")
    await pilot.pause(0.8)
    await look("palette without match")
    await pilot.press("escape")
    await pilot.resize_terminal(60, 20)
    await look("too small")


# Every screen as a clerk reaches it, in journeys that run side by side (one app each).
JOURNEYS = {"member and tabs": (_member_and_tabs, 7), "member forms": (_member_forms, 5),
            "tools": (_tools, 6), "help, palette, too small": (_help_palette_and_small, 5)}


@pytest.mark.parametrize("journey", JOURNEYS)
async def test_no_ambiguous_width_character_on_any_screen(tmp_path, journey):
    """Every screen as a clerk reaches it, with Textual's own drawing (frames, scrollbars, input
    fields, tabs, toasts, the palette) included."""
    walk, screens = JOURNEYS[journey]
    app, ids = make_app(tmp_path)
    seen: dict[str, list[str]] = {}

    async with app.run_test(size=(80, 24)) as pilot:
        async def look(name: str) -> None:
            await settle(pilot, 0.3)
            seen[f"{name} ({type(app.screen).__name__})"] = ambiguous(drawn(app))

        await walk(pilot, look)
    assert len(seen) == screens
    assert {name: chars for name, chars in seen.items() if chars} == {}
