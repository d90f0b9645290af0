"""Writing PDFs into the output folder: atomically (never a half-written file under the final
name), readable by the clerks' group only, under names a clerk can find."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

__all__ = ["FILE_MODE", "batch_filename", "safe_filename", "write_pdf_atomically"]

FILE_MODE = 0o640  # owner writes, the clerks' group reads, others nothing (personal data)
DIR_MODE = 0o750
_UNSAFE = re.compile(r"[^\w\-]+")  # \w is Unicode-aware: keeps 資格確認書, drops / \ : * ? " < > |
_MAX_NAME_BYTES = 200  # below the 255-byte limit of ext4/xfs, with room for a "_2" suffix


def _part(text: str) -> str:
    # NFKC folds full-width digits and letters; separators other than "-" become "-".
    cleaned = _UNSAFE.sub("-", unicodedata.normalize("NFKC", text)).strip("-_")
    return cleaned or "x"


def safe_filename(issued_on: date, kind_label: str, code: str, serial: str, ext: str = "pdf") -> str:
    """20251120_資格確認書_1234-567-01_C2025-0000123.pdf

    Date first so a folder sorts by day; the member's 記号・番号・枝番 and the document's serial
    identify it. No personal name: file listings (ls, print queues, backups) show names to anyone
    who can list the folder, and the code is what clerks search by anyway."""
    name = "_".join((f"{issued_on:%Y%m%d}", _part(kind_label), _part(code), _part(serial)))
    return _limit(name, ext)


def batch_filename(issued_on: date, kind_label: str, employer_code: str, reference: str,
                   ext: str = "pdf") -> str:
    """20251120_資格確認書_送付_E00123_B0042.pdf: one employer's batch (reference: the batch's
    serial or key, so two batches for the same employer on one day do not collide)."""
    name = "_".join((f"{issued_on:%Y%m%d}", _part(kind_label), "送付", _part(employer_code),
                     _part(reference)))
    return _limit(name, ext)


def _limit(stem: str, ext: str) -> str:
    encoded = stem.encode("utf-8")[:_MAX_NAME_BYTES]
    stem = encoded.decode("utf-8", errors="ignore")
    return f"{stem}.{ext}"


def _check_name(filename: str) -> None:
    if not filename or filename in (".", "..") or "/" in filename or "\0" in filename \
            or filename != os.path.basename(filename) or filename.startswith("."):
        raise ValueError(f"ファイル名が不正です: {filename!r}")


def write_pdf_atomically(data: bytes, folder: Path, filename: str, *, replace: bool = False) -> Path:
    """Write `data` to folder/filename and return the path written.

    The bytes go to a hidden temporary file in the same folder (same file system), are flushed
    and fsynced, get mode 0640, and only then appear under the final name — by os.link, which
    fails rather than overwrite, or by os.replace with replace=True. A reader therefore sees the
    whole file or none. Without replace, an existing name gets a suffix (_2, _3, …) instead of
    being overwritten: a clerk may be printing it. The folder is created (0750) if missing."""
    _check_name(filename)
    if not data.startswith(b"%PDF-"):
        raise ValueError("PDFのデータではありません")
    folder = Path(folder)
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), FILE_MODE)
        target = folder / filename
        if replace:
            os.replace(tmp, target)
        else:
            stem, dot, ext = filename.rpartition(".")
            if not dot:
                stem, ext = filename, ""
            n = 1
            while True:
                try:
                    os.link(tmp, target)
                    break
                except FileExistsError:
                    n += 1
                    target = folder / (f"{stem}_{n}.{ext}" if ext else f"{stem}_{n}")
                except OSError:
                    # No hard links on this file system (some network shares): check, then
                    # rename; the window between the two is the only loss of the guarantee.
                    if target.exists():
                        n += 1
                        target = folder / (f"{stem}_{n}.{ext}" if ext else f"{stem}_{n}")
                        continue
                    os.replace(tmp, target)
                    break
            tmp.unlink(missing_ok=True)
        _fsync_dir(folder)
        return target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    # The rename itself is durable only once the directory entry is on disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
