"""Queries compiled to SQL once and run many times with new values.

peewee builds a query's SQL text anew every time it runs, walking the whole expression tree: for
the 32-column member table that walk costs 0.3–0.6 ms, thirty times what SQLite needs to run
the statement. Inside a write transaction every such millisecond is a millisecond all the other
clerks wait for the write lock, so the statements that writes run are compiled here once per
database engine and then only bound to new values.

    MEMBER_BY_ID = Prepared(Member, lambda p: Member.select().where(Member.id == p(Member.id)))
    member = MEMBER_BY_ID.first(42)

`p(field)` stands for a value given at run time; it is converted with `field.db_value`, as
peewee would. Values are given in the order the placeholders were made; one placeholder may be
used twice in the query and is bound once. A prepared SELECT reads one model's own columns (no joins): its rows are built by
column name. INSERT and UPDATE queries run the same way and give the new row's id or the number
of rows changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import peewee as pw

M = TypeVar("M", bound=pw.Model)


class _Slot:
    """Where a run-time value goes, and how to convert it."""

    __slots__ = ("field", "index")

    def __init__(self, index: int, field: pw.Field | None):
        self.index = index
        self.field = field

    def bind(self, args: tuple[Any, ...]) -> Any:
        value = args[self.index]
        return self.field.db_value(value) if self.field is not None else value


class Prepared(Generic[M]):
    """A peewee query on `model`, compiled on first use for the engine the model is bound to."""

    def __init__(self, model: type[M], build: Callable[[Callable[..., pw.Node]], pw.Query]):
        self.model = model
        self._build = build
        self._compiled: dict[type, tuple[pw.Query, str, list[Any], int]] = {}
        self._fields: dict[type, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}

    def _database(self) -> pw.Database:
        db = self.model._meta.database
        return db.obj if isinstance(db, pw.DatabaseProxy) else db

    def _compile(self, db: pw.Database) -> tuple[pw.Query, str, list[Any], int]:
        slots: list[_Slot] = []

        def placeholder(field: pw.Field | None = None) -> pw.Node:
            slot = _Slot(len(slots), field)
            slots.append(slot)
            return pw.Value(slot, converter=False)

        query = self._build(placeholder)
        sql, params = db.get_sql_context().sql(query).query()
        return query, sql, list(params), len(slots)

    def _bind(self, args: tuple[Any, ...]) -> tuple[pw.Database, pw.Query, str, list[Any]]:
        db = self._database()
        compiled = self._compiled.get(type(db))
        if compiled is None:
            compiled = self._compiled[type(db)] = self._compile(db)
        query, sql, params, arity = compiled
        if len(args) != arity:
            raise TypeError(f"prepared query takes {arity} values, {len(args)} given")
        return db, query, sql, [p.bind(args) if isinstance(p, _Slot) else p for p in params]

    # SELECT --------------------------------------------------------------------------------

    def rows(self, *args: Any) -> Iterator[M]:
        db, _, sql, params = self._bind(args)
        cursor = db.execute_sql(sql, params)
        fields = self._fields.get(type(db))
        if fields is None:
            fields = self._fields[type(db)] = self._columns(cursor)
        if not fields:
            return iter(self.model.raw(sql, *params))
        return self._objects(cursor, fields)

    def _columns(self, cursor: Any) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        """(field name, converter) per column of the result, resolved once: peewee resolves the
        columns again on every run (≈0.05 ms for the member table). Empty when a column is not
        one of the model's own (then peewee builds the rows)."""
        by_column = {f.column_name: f for f in self.model._meta.sorted_fields}
        names = [d[0] for d in cursor.description]
        if not all(n in by_column for n in names):
            return ()
        return tuple((by_column[n].name, by_column[n].python_value) for n in names)

    def _objects(self, cursor: Any, fields: tuple[tuple[str, Callable[[Any], Any]], ...]) -> Iterator[M]:
        # What peewee's row wrapper does (the converted values in __data__, nothing dirty),
        # without its per-column attribute calls.
        model = self.model
        for row in cursor:
            obj = model(__no_default__=1)
            obj.__data__.update({name: convert(value) for (name, convert), value in zip(fields, row, strict=True)})
            yield obj

    def first(self, *args: Any) -> M | None:
        return next(self.rows(*args), None)

    def scalar(self, *args: Any) -> Any:
        db, _, sql, params = self._bind(args)
        row = db.execute_sql(sql, params).fetchone()
        return None if row is None else row[0]

    # INSERT / UPDATE / DELETE ---------------------------------------------------------------

    def execute(self, *args: Any) -> int:
        """Run an INSERT (giving the new id) or an UPDATE/DELETE (giving the rows changed)."""
        db, query, sql, params = self._bind(args)
        cursor = db.execute_sql(sql, params)
        if not isinstance(query, pw.Insert):
            return db.rows_affected(cursor)
        if db.returning_clause:  # PostgreSQL: peewee compiled "RETURNING id" into the insert
            return cursor.fetchone()[0]
        return cursor.lastrowid


_by_pk: dict[type[pw.Model], Prepared] = {}
_inserts: dict[tuple[type[pw.Model], tuple[str, ...]], Prepared] = {}
_updates: dict[tuple[type[pw.Model], tuple[str, ...]], Prepared] = {}


def fetch(model: type[M], pk: Any) -> M | None:
    """The `model` record with this primary key, or None: `Model.get_or_none(Model.id == pk)`
    without rebuilding the SQL each time."""
    prepared = _by_pk.get(model)
    if prepared is None:
        key = model._meta.primary_key
        prepared = _by_pk[model] = Prepared(model, lambda p: model.select().where(key == p(key)))
    return prepared.first(pk)


def insert_row(model: type[M], data: dict[str, Any]) -> Any:
    """INSERT one row of `model` from field names to values; gives the new primary key."""
    names = tuple(data)
    prepared = _inserts.get((model, names))
    if prepared is None:
        fields = [model._meta.fields[n] for n in names]
        prepared = _inserts[(model, names)] = Prepared(model, lambda p: model.insert({f: p(f) for f in fields}))
    return prepared.execute(*data.values())


def update_row(model: type[M], pk: Any, data: dict[str, Any]) -> int:
    """UPDATE the named columns of one `model` row; gives the number of rows changed."""
    names = tuple(data)
    prepared = _updates.get((model, names))
    if prepared is None:
        fields = [model._meta.fields[n] for n in names]
        key = model._meta.primary_key
        prepared = _updates[(model, names)] = Prepared(
            model, lambda p: model.update({f: p(f) for f in fields}).where(key == p(key)))
    return prepared.execute(*data.values(), pk)
