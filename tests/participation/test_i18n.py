"""Chinese is the default interface: every string in the code must have a translation."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from scripts.i18n import CATALOGS, ROOT


def _translated(catalog: str) -> set[str]:
    with (ROOT / catalog / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {
            m.id
            for m in read_po(fh)
            if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
        }


def test_every_source_string_is_translated_to_chinese(tmp_path):
    # The app merges all catalogs, so a string translated in any of them is covered.
    done = set().union(*(_translated(c) for c in CATALOGS))
    missing: dict[str, list[str]] = {}
    for catalog, sources in CATALOGS.items():
        pot = tmp_path / (catalog.replace("/", "_") + ".pot")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "--no-location",
                "-o",
                str(pot),
                *sources,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        with pot.open("rb") as fh:
            wanted = {m.id for m in read_po(fh) if m.id}
        gaps = sorted(str(w) for w in wanted - done)
        if gaps:
            missing[catalog] = gaps
    assert missing == {}, "run `make i18n-update` and translate these"
