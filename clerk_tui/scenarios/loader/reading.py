"""Reading scenario files: the shipped ones, and any file as TOML through the standard
library's tomllib (the authority on TOML and on its error messages)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import clerk_tui
from clerk_tui.filecheck import toml_error

def _fixtures_root() -> Path:
    # A source checkout keeps fixtures/ beside the package; a wheel carries them as _fixtures.
    repo = Path(clerk_tui.__file__).resolve().parents[1] / "fixtures"
    if (repo / "demo").is_dir() or (repo / "training").is_dir():
        return repo
    return Path(clerk_tui.__file__).resolve().parent / "_fixtures"


def demo_fixture_files() -> list[Path]:
    return sorted((_fixtures_root() / "demo").glob("*.toml"))


def training_fixture_files() -> list[Path]:
    return sorted((_fixtures_root() / "training").glob("*.toml"))






def read_toml(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The file's tables, or None and what is wrong with the file (in Japanese)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None, "ファイルがありません。"
    except UnicodeDecodeError:
        return None, "UTF-8 の文字コードで保存してください。"
    except OSError as exc:
        return None, f"ファイルを読めません（{exc.strerror}）。"
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        return None, toml_error(exc)
    except RecursionError:
        return None, "配列や表の入れ子が深すぎて読めません（シナリオに入れ子は不要です）。"
