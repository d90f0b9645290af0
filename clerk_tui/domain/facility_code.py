"""The facility code printed in the お知らせ's dotted box (R14): an opaque random reference signed
with the insurer's secret, so it reveals no 記号・番号 (告知要求制限, R2) and cannot be forged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from clerk_tui.domain.errors import DomainError

PREFIX = "TJKF1"  # names the scheme and its version, so a later scheme can coexist
_NONCE_BYTES = 10  # 80 bits: unguessable, and short enough for a small QR code
_MAC_BYTES = 10


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def new_nonce() -> str:
    return _b32(secrets.token_bytes(_NONCE_BYTES))


def _mac(nonce: str, secret: bytes) -> str:
    digest = hmac.new(secret, f"{PREFIX}:{nonce}".encode("ascii"), hashlib.sha256).digest()
    return _b32(digest[:_MAC_BYTES])


def make_code(nonce: str, secret: bytes) -> str:
    return f"{PREFIX}-{nonce}-{_mac(nonce, secret)}"


@dataclass(frozen=True)
class ParsedCode:
    nonce: str
    authentic: bool


def parse_code(text: str, secret: bytes) -> ParsedCode:
    """Check the shape and the signature. A wrong signature is `authentic=False` (forged or from
    another insurer); a text that is no facility code at all raises DomainError."""
    norm = unicodedata.normalize("NFKC", text).strip().upper()
    parts = norm.split("-")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DomainError("施設確認コードの形ではありません（TJKF1- で始まる形です）。", field="code")
    nonce, mac = parts[1], parts[2]
    try:
        if len(_unb32(nonce)) != _NONCE_BYTES or len(_unb32(mac)) != _MAC_BYTES:
            raise ValueError
    except (ValueError, base64.binascii.Error):
        raise DomainError("施設確認コードの形ではありません（文字数または文字が違います）。", field="code") from None
    return ParsedCode(nonce=nonce, authentic=hmac.compare_digest(mac, _mac(nonce, secret)))
