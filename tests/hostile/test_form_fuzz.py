"""Every route of the url_map (so a new route is covered without editing this file), fuzzed
with hostile values by every demo role that could reach it: NUL and other controls, invalid
UTF-8 (a lone surrogate's bytes), RTL marks, 10,000 emoji, huge and negative numbers,
wrong content types, 20 MB bodies. Each answer is a page or a clear 4xx, never a 5xx;
nothing with a control character is stored. Bounded: each route meets one hostile
body per role, rotating, so each route meets five kinds and every kind meets a fifth of
the routes (about 600 requests, under two minutes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from participation.config import ROOT
from participation.db import db
from tests.hostile.support import ROLES

# Signing out or deleting the account would end the session the next routes need.
SKIP = {"static", "accounts.logout", "accounts.delete"}
TWENTY_MB = b"a" * (20 * 1024 * 1024)
PATH_IDS = (1, 2, 0, 2**31, 10**20)
# Pages are read by the public, by agency staff and by an admin (who sees every staff page).
READ_ROLES = ("anonymous", "organizer", "admin")


def _field_names() -> list[str]:
    """Every form field name any template uses: hostile values go to all of them at once."""
    names: set[str] = set()
    for path in Path(ROOT).glob("**/templates/**/*.html"):
        if ".venv" not in path.parts:
            names |= set(re.findall(r'name="([A-Za-z_][\w\-]*)"', path.read_text("utf-8")))
    return sorted(names)


FIELDS = _field_names()


def _form(value: str, every: int = 1) -> tuple[Any, str]:
    return {name: value for name in FIELDS[::every]}, "application/x-www-form-urlencoded"


def _bodies() -> list[tuple[str, Any, str]]:
    raw_surrogate = "&".join(f"{n}=%ED%A0%80%F0%28%8C%28" for n in FIELDS).encode()
    return [
        ("nul", *_form("意见\x00内容")),
        ("controls", *_form("\x1b[31m\x07\x08")),
        ("rtl+emoji", *_form("\u202egnp.exe\u202c" + "😀" * 10_000, every=34)),
        ("huge-number", *_form("99999999999999999999")),
        ("int32-edge", *_form(str(2**31))),
        ("negative", *_form("-1")),
        ("empty", *_form("")),
        ("invalid-utf8", raw_surrogate, "application/x-www-form-urlencoded"),
        ("json-to-form", json.dumps({n: [{"$ne": 1}] for n in FIELDS}), "application/json"),
        ("text-plain", "body=abc", "text/plain"),
        ("nested-json", "[" * 50_000 + "]" * 50_000, "application/json"),
        ("20MB", TWENTY_MB, "application/x-www-form-urlencoded"),
    ]


QUERIES = [
    "page=99999999999999999999&per_page=99999999999999999999&cpage=2147483648",
    "year=99999999999&agency=2147483648&a=-1&b=10000000000000&event_id=2147483648",
    "q=%00&status=%00",
    "q=%E2%80%AE" + "%F0%9F%98%80" * 2000 + "&kind=%ED%A0%80&stage=x&level=%00",
]


def _path(rule: Any, n: int) -> str:
    def fill(m: re.Match[str]) -> str:
        conv = rule._converters[m.group(2)]
        if type(conv).__name__ == "BoundedIntConverter":
            return str(PATH_IDS[n % len(PATH_IDS)])
        return "%E2%80%AEx" if n % 2 else "x"

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", fill, rule.rule)


def _rules(app: Any, methods: set[str]) -> list[Any]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP and r.methods & methods),
        key=lambda r: r.rule,
    )


def test_every_form_and_route_answers_hostile_input_without_a_server_error(
    demo_app: Any, client_as: Any
) -> None:
    bodies = _bodies()
    failures: list[str] = []
    sent = 0
    writes = _rules(demo_app, {"POST", "PUT", "PATCH", "DELETE"})
    reads = _rules(demo_app, {"GET"})
    assert len(writes) > 50 and len(reads) > 60  # the whole map, not a hand-made list
    for r, role in enumerate(ROLES):
        client = client_as(role)
        for i, rule in enumerate(writes):
            method = next(m for m in ("POST", "PUT", "PATCH", "DELETE") if m in rule.methods)
            for k in (i * len(ROLES) + r,):  # route i meets kinds i*5 .. i*5+4 by role
                name, data, content_type = bodies[k % len(bodies)]
                path = _path(rule, i + k)
                resp = client.open(path, method=method, data=data, content_type=content_type)
                sent += 1
                if resp.status_code >= 500 or (name == "20MB" and resp.status_code != 413):
                    failures.append(f"{role} {method} {path} [{name}] -> {resp.status_code}")
        if role not in READ_ROLES:
            continue
        for i, rule in enumerate(reads):
            path = f"{_path(rule, i + r)}?{QUERIES[(i + r) % len(QUERIES)]}"
            resp = client.get(path)
            sent += 1
            if resp.status_code >= 500:
                failures.append(f"{role} GET {path[:120]} -> {resp.status_code}")
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)
    assert sent > 500
    _assert_nothing_unstorable_was_stored()


def _assert_nothing_unstorable_was_stored() -> None:
    """A half-row with a control character would be a write that skipped the check."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text) and not getattr(
                column.type, "enums", None
            ):
                hit = db.session.execute(
                    sa.select(sa.func.count()).where(
                        column.contains("\x1b") | column.contains("\x07")
                    )
                ).scalar()
                if hit:
                    found.append(f"{table.name}.{column.name}: {hit}")
    assert not found, found
