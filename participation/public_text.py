"""Public text columns: every value is screened for personal data, whoever wrote it.

Features name the columns whose text is published (a response reason, a group summary,
a live answer, a display name...) with :func:`screen_columns`. From then on:

- a value written to such a column is masked before it is stored (``set`` event), so
  every page, export, API answer, feed and mail that reads it gets the masked text;
- a value read from the database is masked when the row is loaded (``load`` event), so
  rows written before the column was screened are never shown raw either;
- ``flask mask-public-texts`` rewrites such older rows in the database itself, for the
  readers that select the column without loading the row (CSV/XLSX exports).

Texts whose job is to carry an agency's own contact channels (a consultation notice's
phone and email, a draft, an event's description or place) are not registered here:
masking them would hide how to take part.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import set_committed_value

from .screening import mask

# model class -> names of its screened attributes (module-level: listeners are global too)
_SCREENED: dict[type, set[str]] = {}


def _mask_value(value: Any) -> Any:
    """Masked text; in a JSON value (a change log of [old, new] pairs) every string."""
    if isinstance(value, str):
        return mask(value) if value else value
    if isinstance(value, dict):
        masked = {k: _mask_value(v) for k, v in value.items()}
        return value if masked == value else masked
    if isinstance(value, list):
        items = [_mask_value(v) for v in value]
        return value if items == value else items
    return value


def _on_set(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return _mask_value(value)


def _on_load(target: Any, *_args: Any) -> None:
    state = target.__dict__
    for key in _SCREENED.get(type(target), ()):
        value = state.get(key)
        masked = _mask_value(value)
        if masked is not value and masked != value:
            set_committed_value(target, key, masked)


def screen_columns(*attributes: InstrumentedAttribute[Any]) -> None:
    """Mark mapped text (or JSON) columns as public text (idempotent: safe in every create_app)."""
    for attribute in attributes:
        model, key = attribute.class_, attribute.key
        keys = _SCREENED.get(model)
        if keys is None:
            keys = _SCREENED[model] = set()
            sa.event.listen(model, "load", _on_load)
            sa.event.listen(model, "refresh", _on_load)
        if key not in keys:
            keys.add(key)
            sa.event.listen(attribute, "set", _on_set, retval=True)


def screened_columns() -> Iterator[tuple[type, str]]:
    for model, keys in sorted(_SCREENED.items(), key=lambda item: item[0].__name__):
        for key in sorted(keys):
            yield model, key


def mask_stored(session: Any) -> dict[str, int]:
    """Mask personal data already stored in screened columns; rows changed per column.

    Reads the raw column values (not loaded rows, which are masked on load) and writes
    back only the values that change. The caller commits.
    """
    changed: dict[str, int] = {}
    for model, key in screened_columns():
        column = getattr(model, key)
        (pk,) = sa.inspect(model).primary_key
        count = 0
        rows = session.execute(sa.select(pk, column).where(column.is_not(None)))
        for row_id, value in rows.all():
            masked = _mask_value(value)
            if masked != value:
                session.execute(sa.update(model).where(pk == row_id).values({key: masked}))
                count += 1
        if count:
            changed[f"{model.__tablename__}.{key}"] = count
    return changed
