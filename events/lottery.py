"""Publicly verifiable lottery for hearing seats (听证会参加人遴选).

Pure module: Python's standard library only (3.10 or later), no Flask or
SQLAlchemy, so this very file is the stand-alone verifier the public downloads
from every selection page as ``verify_selection.py`` (its SHA-256 is shown there)
and runs with ``python3 verify_selection.py selection.json``. Inside the platform
the same check is ``python -m events.lottery verify selection.json``.

Protocol: publish ``commit(seed)`` before the draw; afterwards publish the
document built by ``publication()``, which anyone can check with ``verify()``.
Algorithm and document format are specified in docs/lottery.md; any change to
the ranking must ship under a new ALGORITHM name so old documents stay checkable.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import secrets
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

ALGORITHM = "sha256-rank-v1"
# Version of the published document's layout (not of the ranking algorithm).
DOCUMENT_VERSION = 1

PSEUDONYM_PREFIX = "A-"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def new_seed() -> str:
    """Return 32 bytes from the OS CSPRNG as 64 lowercase hex characters."""
    return secrets.token_hex(32)


def commit(seed: str) -> str:
    """SHA-256 (hex) of the seed's UTF-8 bytes; published before the draw."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def pseudonym(event_salt: str, applicant_id: int, *, digits: int = 8) -> str:
    """Stable per-event pseudonym such as ``A-3f9c2b1d``.

    HMAC keyed with a secret per-event salt: without the salt, sequential ids
    cannot be brute-forced back from the published list, and pseudonyms of
    the same person differ between events. ``digits`` exists so an event whose
    pseudonyms collide (draw() refuses duplicates) can switch to longer ones.
    """
    if not event_salt:
        raise ValueError("event_salt must be a non-empty secret")
    if isinstance(applicant_id, bool) or not isinstance(applicant_id, int):
        raise TypeError("applicant_id must be an int")
    if not 8 <= digits <= 64:
        raise ValueError("digits must be between 8 and 64")
    mac = hmac.new(
        event_salt.encode("utf-8"), str(applicant_id).encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return PSEUDONYM_PREFIX + mac[:digits]


@dataclass
class CategoryDraw:
    seats: int
    selected: list[str]
    # Everyone not selected, in lottery order: the first is the first substitute.
    waitlist: list[str]

    @property
    def unfilled(self) -> int:
        # Reported, never reassigned: moving seats between quotas is the organiser's call.
        return self.seats - len(self.selected)


@dataclass
class DrawResult:
    algorithm: str
    categories: dict[str, CategoryDraw]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VerifyReport:
    seed_matches_hash: bool
    # Problems with the document as a whole (format, algorithm, missing fields).
    problems: list[str] = field(default_factory=list)
    # Category -> mismatches found there; an empty list means it reproduced.
    categories: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.seed_matches_hash
            and not self.problems
            and all(not issues for issues in self.categories.values())
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _rank_key(seed: str, category: str, name: str) -> str:
    return hashlib.sha256(f"{seed}:{category}:{name}".encode()).hexdigest()


def _check_names(category: str, names: list[str]) -> None:
    # ':' is the field separator in the rank key; forbidding it keeps the
    # hashed string unambiguous.
    if not category or ":" in category:
        raise ValueError(f"invalid category name {category!r}")
    if any(not isinstance(n, str) or not n or ":" in n for n in names):
        raise ValueError(f"category {category!r}: pseudonyms must be non-empty, without ':'")
    if len(set(names)) != len(names):
        raise ValueError(f"category {category!r}: duplicate pseudonyms")


def _rank(seed: str, category: str, names: list[str]) -> list[str]:
    # Sorting on (key, pseudonym) is a total order, so the result cannot
    # depend on the order the list was supplied in.
    return sorted(names, key=lambda n: (_rank_key(seed, category, n), n))


def draw(seed: str, categories: dict[str, int], applicants: dict[str, list[str]]) -> DrawResult:
    """Rank each category's applicants by sha256(seed:category:pseudonym).

    The first ``seats`` are selected and the rest form the waitlist. A
    category with fewer applicants than seats selects everyone; its unused
    seats are NOT moved to other categories.
    """
    if not isinstance(seed, str) or not seed:
        raise ValueError("seed must be a non-empty string")
    unknown = set(applicants) - set(categories)
    if unknown:
        # Dropping them silently would exclude real applicants from the draw.
        raise ValueError(f"applicants given for unknown categories: {sorted(unknown)}")
    seen: set[str] = set()
    out: dict[str, CategoryDraw] = {}
    for category, seats in categories.items():
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
            raise ValueError(f"category {category!r}: seats must be an int >= 0")
        names = list(applicants.get(category, []))
        _check_names(category, names)
        # One person, one ticket: a pseudonym in two categories is either a
        # double application or a pseudonym collision; both need a human.
        clash = seen.intersection(names)
        if clash:
            raise ValueError(f"pseudonyms in more than one category: {sorted(clash)}")
        seen.update(names)
        ranked = _rank(seed, category, names)
        out[category] = CategoryDraw(seats=seats, selected=ranked[:seats], waitlist=ranked[seats:])
    return DrawResult(algorithm=ALGORITHM, categories=out)


def publication(
    seed: str,
    seed_hash: str,
    categories: dict[str, int],
    applicants: dict[str, list[str]],
    result: DrawResult,
) -> dict[str, Any]:
    """Build the document published after the draw.

    Raises ValueError if the document would not verify, so an inconsistent
    result is never published.
    """
    document: dict[str, Any] = {
        "algorithm": result.algorithm,
        "version": DOCUMENT_VERSION,
        "seed_hash": seed_hash,
        "seed": seed,
        "categories": {
            category: {
                "seats": seats,
                # Sorted, not application order: the order of applying could
                # help re-identify people and the draw does not need it.
                "applicants": sorted(applicants.get(category, [])),
                "selected": list(result.categories[category].selected),
                "waitlist": list(result.categories[category].waitlist),
            }
            for category, seats in categories.items()
            if category in result.categories
        },
    }
    report = verify(document)
    missing = set(categories) - set(result.categories)
    if missing or not report.ok:
        raise ValueError("refusing to publish:\n" + format_report(report))
    return document


def _diff(label: str, published: list[str], expected: list[str]) -> str | None:
    if published == expected:
        return None
    missing = [n for n in expected if n not in published]
    extra = [n for n in published if n not in expected]
    if missing or extra or len(published) != len(expected):
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("should not be there " + ", ".join(extra))
        if not parts:
            parts.append(f"{len(published)} entries published, {len(expected)} expected")
        return f"{label} differs from the recomputed draw: " + "; ".join(parts)
    pos = next(i for i, (a, b) in enumerate(zip(published, expected, strict=True)) if a != b)
    return (
        f"{label} has the right people in the wrong order: position {pos + 1} "
        f"is {published[pos]}, the draw gives {expected[pos]}"
    )


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def verify(document: dict[str, Any]) -> VerifyReport:
    """Recompute a published draw; never raises on malformed input."""
    if not isinstance(document, dict):
        return VerifyReport(False, ["the document is not a JSON object"])
    seed = document.get("seed")
    seed_hash = document.get("seed_hash")
    report = VerifyReport(seed_matches_hash=False)
    if not isinstance(seed, str) or not seed:
        report.problems.append("the seed is missing")
    if not isinstance(seed_hash, str) or not _HEX64.fullmatch(seed_hash.lower()):
        report.problems.append("the seed hash is missing or not 64 hex characters")
    if isinstance(seed, str) and isinstance(seed_hash, str):
        report.seed_matches_hash = commit(seed) == seed_hash.lower()
    if document.get("algorithm") != ALGORITHM:
        report.problems.append(
            f"unsupported algorithm {document.get('algorithm')!r} (this verifier knows {ALGORITHM})"
        )
    if document.get("version") != DOCUMENT_VERSION:
        report.problems.append(
            f"unsupported document version {document.get('version')!r} "
            f"(this verifier knows {DOCUMENT_VERSION})"
        )
    cats = document.get("categories")
    if not isinstance(cats, dict) or not cats:
        report.problems.append("no categories")
        return report
    if report.problems:
        # Without a known algorithm and a seed there is nothing to recompute.
        return report

    seen: dict[str, str] = {}
    for category, entry in cats.items():
        issues: list[str] = report.categories.setdefault(category, [])
        if not isinstance(entry, dict):
            issues.append("entry is not a JSON object")
            continue
        seats = entry.get("seats")
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
            issues.append("seats is missing or not a whole number >= 0")
        for key in ("applicants", "selected", "waitlist"):
            if not _str_list(entry.get(key)):
                issues.append(f"{key} is missing or not a list of pseudonyms")
        if issues:
            continue
        names = entry["applicants"]
        try:
            _check_names(category, names)
        except ValueError as exc:
            issues.append(str(exc))
            continue
        for name in names:
            if name in seen:
                issues.append(f"{name} also applies in category {seen[name]}")
            seen.setdefault(name, category)
        ranked = _rank(seed, category, names)
        for label, published, expected in (
            ("selected", entry["selected"], ranked[:seats]),
            ("waitlist", entry["waitlist"], ranked[seats:]),
        ):
            problem = _diff(label, published, expected)
            if problem:
                issues.append(problem)
    return report


def format_report(report: VerifyReport) -> str:
    """Plain-words summary for the command line and for error messages."""
    lines = [
        "RESULT REPRODUCES: the published selection follows from the seed."
        if report.ok
        else "RESULT DOES NOT REPRODUCE: do not trust this selection.",
        "Seed matches the hash published before the draw: "
        + ("yes" if report.seed_matches_hash else "NO, the seed is not the one committed to"),
    ]
    lines += [f"Problem: {p}" for p in report.problems]
    for category, issues in report.categories.items():
        if not issues:
            lines.append(f"Category {category}: selected list and waitlist reproduce exactly.")
        for issue in issues:
            lines.append(f"Category {category}: {issue}")
    return "\n".join(lines)


def _main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["verify"]:  # `python -m events.lottery verify FILE`
        args_in = args_in[1:]
    parser = argparse.ArgumentParser(
        description="Check a published hearing-seat lottery (selection.json) by "
        "recomputing it. Needs nothing but Python 3.10+; makes no network access.",
    )
    parser.add_argument("path", help="selection.json, or '-' to read standard input")
    args = parser.parse_args(args_in)
    try:
        if args.path == "-":
            text = sys.stdin.read()
        else:
            with open(args.path, encoding="utf-8") as fh:
                text = fh.read()
        document = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"RESULT NOT CHECKED: cannot read the document ({exc}).")
        return 1
    report = verify(document)
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(_main())
