"""The one error type of the domain and services: its message is the Japanese text shown to the
clerk, and `field` names the input it is about (or None)."""

from __future__ import annotations


class DomainError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationErrors(DomainError):
    """Several problems found at once, each with its place; nothing was written."""

    def __init__(self, problems: list[DomainError]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))
