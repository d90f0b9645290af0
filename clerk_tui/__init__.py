"""clerk-tui: the enrolment clerks' terminal program for a Japanese health insurance society."""

__version__ = "0.1.0"
