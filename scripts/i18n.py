"""Translation catalogs, one per package so features own their strings.

    python scripts/i18n.py update [pkg]  # extract new strings into each (or one) catalog
    python scripts/i18n.py compile    # build the .mo files the app loads
    python scripts/i18n.py check      # fail if a Chinese string is missing

Source strings are English; zh is the default interface language, so `check`
runs in the test suite to keep every string translated.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
# catalog directory -> source folders whose strings it owns
CATALOGS = {
    "participation/translations": ["participation", "templates"],
    "consultations/translations": ["consultations"],
    "events/translations": ["events"],
}
LOCALES = ["zh", "en"]


def _run(*args: str) -> None:
    cmd = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 - our own fixed arguments


def update(only: str | None = None) -> None:
    for catalog, sources in CATALOGS.items():
        if only and not catalog.startswith(only):
            continue
        existing = [s for s in sources if (ROOT / s).exists()]
        if not existing:
            continue
        pot = f"{catalog}/messages.pot"
        (ROOT / catalog).mkdir(parents=True, exist_ok=True)
        _run(
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            pot,
            *existing,
        )
        for locale in LOCALES:
            po = ROOT / catalog / locale / "LC_MESSAGES" / "messages.po"
            if po.exists():
                _run(
                    "update",
                    "-i",
                    pot,
                    "-d",
                    catalog,
                    "-l",
                    locale,
                    "--no-fuzzy-matching",
                    "--ignore-obsolete",
                )
            else:
                _run("init", "-i", pot, "-d", catalog, "-l", locale)


def compile_all() -> None:
    for catalog in CATALOGS:
        if (ROOT / catalog).exists():
            _run("--quiet", "compile", "-d", catalog, "--use-fuzzy")


def missing() -> dict[str, list[str]]:
    """Untranslated Chinese strings per catalog (English needs none: ids are English)."""
    result: dict[str, list[str]] = {}
    for catalog in CATALOGS:
        po = ROOT / catalog / "zh" / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as fh:
            cat = read_po(fh)
        gaps = [
            str(m.id)
            for m in cat
            if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
        ]
        if gaps:
            result[catalog] = gaps
    return result


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if cmd == "update":
        update(sys.argv[2] if len(sys.argv) > 2 else None)
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        gaps = missing()
        for catalog, ids in gaps.items():
            print(f"{catalog}: {len(ids)} untranslated", *ids[:20], sep="\n  ")
        sys.exit(1 if gaps else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
