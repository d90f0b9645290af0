"""Configuration: a system-wide file for the shared server plus the clerk's own, then the
environment, then the command line. Paths follow the platform's user directories."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from clerk_tui.domain.errors import DomainError
from clerk_tui.filecheck import check_trusted_file, toml_error

APP = "clerk-tui"
SYSTEM_CONFIG = Path("/etc/clerk-tui/config.toml")


def user_config_file() -> Path:
    return user_config_path(APP) / "config.toml"


def default_db_path() -> Path:
    return user_data_path(APP) / "clerk.db"


def demo_db_path() -> Path:
    return user_data_path(APP) / "demo.db"


@dataclass
class Config:
    db: Path = field(default_factory=default_db_path)
    output_dir: Path = field(default_factory=lambda: user_data_path(APP) / "output")
    print_command: str | list[str] | None = None  # e.g. ["lp", "-d", "PRINTER", "{file}"]; never a shell
    mynaportal_url: str = "https://myna.go.jp/"
    facility_secret_file: Path | None = None
    # Where `clerk-tui audit anchor` (root, from cron) appends the audit chain's head, and where
    # `audit verify` / `db check` read it back: a root-owned file clerks can read but not write.
    audit_anchor_file: Path | None = Path("/var/lib/clerk-tui/audit-anchors")
    audit_syslog: bool = True  # also send the chain's head to the system log after every write
    sources: list[str] = field(default_factory=list)


def _apply(cfg: Config, data: dict, source: str) -> None:
    known = {f.name for f in fields(Config)} - {"sources"}
    for key, value in data.items():
        if key not in known:
            raise ValueError(f"{source}: 不明な設定項目 '{key}'")
        if key in ("db", "output_dir", "facility_secret_file", "audit_anchor_file") and value is not None:
            value = Path(value).expanduser()
        setattr(cfg, key, value)
    cfg.sources.append(source)


def load_config(extra_files: list[Path] | None = None) -> Config:
    cfg = Config()
    for path in [SYSTEM_CONFIG, user_config_file(), *(extra_files or [])]:
        if path.is_file():
            # A setting names the database, the key and the print command: only root or the
            # user running the program may have written it.
            check_trusted_file(path, "設定ファイル")
            with path.open("rb") as fh:
                try:
                    data = tomllib.load(fh)
                except tomllib.TOMLDecodeError as exc:
                    raise DomainError(f"設定ファイル {path} を読めません。{toml_error(exc)}") from None
            _apply(cfg, data, str(path))
        elif path not in (SYSTEM_CONFIG, user_config_file()):
            raise DomainError(f"設定ファイル {path} がありません（--config）。")
    env_db = os.environ.get("CLERK_TUI_DB")
    if env_db:
        cfg.db = Path(env_db).expanduser()
        cfg.sources.append("CLERK_TUI_DB")
    return cfg
