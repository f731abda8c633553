"""One-row reads on the hot path, written as SQL once instead of compiled by the ORM per request.

Django compiles a QuerySet to SQL each time it is evaluated. For the reads every API request
makes (the API key with its owner, the access token's user) that compilation cost more than the
query: about 2 ms of a designs request's 22 ms on the 2-core benchmark machine, and a quarter of
``/auth/me`` (docs/performance.md, "Third pass"). A ``PrecompiledRead`` writes its SELECT once
per database alias from the models' ``_meta`` and reads the row back with the converters the
ORM applies (the backend's and the field's), so callers get the same instances a QuerySet
would have built. It serves equality lookups on a unique column only; anything else is a
QuerySet.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


@dataclass(frozen=True)
class _Part:
    """One model's columns in the row: its concrete fields in order, and which need converting."""

    model: type[Model]
    fields: tuple
    attnames: list[str]
    converted: tuple[int, ...]


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: tuple[_Part, ...]


class PrecompiledRead:
    """``SELECT <model> [JOIN <one forward relation>] WHERE <unique field> = %s``, compiled once.

    ``get(value)`` returns the instance (with the relation's instance cached on it, as
    ``select_related`` does) or ``None`` when no row matches or ``value`` is not a valid value
    of the field.
    """

    def __init__(self, model: type[Model], *, by: str, with_related: str | None = None) -> None:
        self.model = model
        self.by = model._meta.get_field(by)
        if not self.by.unique:
            raise ValueError(f"{model.__name__}.{by} is not unique: use a QuerySet")
        self.relation = model._meta.get_field(with_related) if with_related else None
        self._statements: dict[str, _Statement] = {}

    def get(self, value, *, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """The row whose ``by`` field equals ``value``, as a model instance, or ``None``."""
        connection = connections[using]
        try:
            parameter = self.by.get_db_prep_value(self.by.to_python(value), connection)
        except (ValidationError, ValueError, TypeError):
            return None
        statement = self._statement(using)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [parameter])
            row = cursor.fetchone()
        if row is None:
            return None
        instances = []
        start = 0
        for part in statement.parts:
            values = list(row[start:start + len(part.fields)])
            start += len(part.fields)
            for index in part.converted:
                values[index] = _convert(values[index], part.fields[index], connection)
            instances.append(part.model.from_db(using, part.attnames, values))
        if self.relation is not None:
            self.relation.set_cached_value(instances[0], instances[1])
        return instances[0]

    def _statement(self, using: str) -> _Statement:
        statement = self._statements.get(using)
        if statement is None:
            statement = self._statements[using] = self._write(connections[using])
        return statement

    def _write(self, connection) -> _Statement:
        quote = connection.ops.quote_name
        main = self.model._meta
        tables = [(self.model, quote(main.db_table))]
        join = ""
        if self.relation is not None:
            related = self.relation.related_model
            tables.append((related, quote(related._meta.db_table)))
            join = (f" INNER JOIN {tables[1][1]} ON {tables[1][1]}.{quote(self.relation.target_field.column)}"
                    f" = {tables[0][1]}.{quote(self.relation.column)}")
        parts = []
        for model, _ in tables:
            fields = tuple(model._meta.concrete_fields)
            parts.append(_Part(model=model, fields=fields, attnames=[field.attname for field in fields],
                               converted=tuple(index for index, field in enumerate(fields)
                                               if _converters(field, connection))))
        columns = ", ".join(f"{table}.{quote(field.column)}"
                            for (_, table), part in zip(tables, parts, strict=True) for field in part.fields)
        sql = (f"SELECT {columns} FROM {tables[0][1]}{join}"
               f" WHERE {tables[0][1]}.{quote(self.by.column)} = %s LIMIT 1")
        return _Statement(sql=sql, parts=tuple(parts))


def _converters(field, connection) -> list:
    """The converters the ORM applies to ``field``'s column: the backend's, then the field's."""
    return connection.ops.get_db_converters(field.get_col(field.model._meta.db_table)) \
        + field.get_db_converters(connection)


def _convert(value, field, connection):
    column = field.get_col(field.model._meta.db_table)
    for converter in _converters(field, connection):
        value = converter(value, column, connection)
    return value
