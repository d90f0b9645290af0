"""Pure domain rules: no database, no clock, no I/O. Dates are passed in."""
