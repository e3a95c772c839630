"""The lottery, checkable by a citizen: the selection page lists the selected and the
waitlist by pseudonym, links a stand-alone verifier with its SHA-256, and that file,
run with nothing but Python's standard library, agrees with the platform."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from events import lottery
from events.services import selection
from participation.db import db
from tests.events.factories import apply, close_signup


def _drawn(make_event, residents, organizer):
    event = make_event()  # lottery: 2 stakeholder seats, 1 public
    for u in residents[:5]:
        apply(u, event, "stakeholder")
    for u in residents[5:7]:
        apply(u, event, "public")
    close_signup(event)
    selection.start_selection(organizer, event)
    db.session.commit()
    return event


def _run_verifier(folder, document):
    (folder / "selection.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    # -I -S: isolated, without site-packages: only the standard library is there.
    return subprocess.run(
        [sys.executable, "-I", "-S", "verify_selection.py", "selection.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_page_lists_pseudonyms_and_the_standalone_verifier_agrees(
    make_event, residents, organizer, client, login_as, tmp_path
):
    event = _drawn(make_event, residents, organizer)
    # Before the draw: the fixed list and the seed hash; the note in the reader's language.
    before = client.get(f"/events/{event.id}/selection?lang=zh").text
    assert "随机种子在摇号后与摇号结果一并公布" in before
    pending = client.get(f"/events/{event.id}/selection.json").json
    assert pending["note_zh"] == "随机种子在摇号后与摇号结果一并公布。" and pending["note"]
    for name in pending["categories"]["stakeholder"]["applicants"]:
        assert name in before
    selection.run_draw(organizer, event)
    db.session.commit()

    page = client.get(f"/events/{event.id}/selection?lang=en")
    assert page.status_code == 200
    document = client.get(f"/events/{event.id}/selection.json").json
    html = page.text
    for key, c in document["categories"].items():
        assert f'data-list="selected-{key}"' in html
        for name in c["selected"] + c["waitlist"]:
            assert f"<code>{name}</code>" in html
        # In lottery order, as published.
        positions = [html.index(f"<code>{n}</code>") for n in c["selected"] + c["waitlist"]]
        assert positions == sorted(positions)
    assert document["seed"] in html and "Re-checked by the platform" in html
    # No personal data: pseudonyms only.
    for u in residents[:7]:
        assert u.display_name not in html
    assert "张三" not in html and "历下区居民" not in html

    # The verifier is downloadable from the page, and the page publishes its hash.
    assert 'href="/events/verify_selection.py"' in html
    served = client.get("/events/verify_selection.py")
    assert served.status_code == 200 and "attachment" in served.headers["Content-Disposition"]
    digest = hashlib.sha256(served.data).hexdigest()
    assert f'id="verifier-sha256">{digest}<' in html
    (tmp_path / "verify_selection.py").write_bytes(served.data)

    # Run it as a citizen would: same answer as the platform.
    proc = _run_verifier(tmp_path, document)
    assert lottery.verify(document).ok
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "RESULT REPRODUCES" in proc.stdout

    # A tampered document fails: a waitlisted person moved into the selected list.
    tampered = json.loads(json.dumps(document))
    cat = tampered["categories"]["stakeholder"]
    cat["selected"][0], cat["waitlist"][0] = cat["waitlist"][0], cat["selected"][0]
    proc = _run_verifier(tmp_path, tampered)
    assert not lottery.verify(tampered).ok
    assert proc.returncode == 1 and "DOES NOT REPRODUCE" in proc.stdout
    # And so does a swapped seed.
    tampered = dict(document, seed="0" * 64)
    proc = _run_verifier(tmp_path, tampered)
    assert proc.returncode == 1 and "NO, the seed is not the one committed to" in proc.stdout


def test_the_applicant_finds_their_own_pseudonym_marked(make_event, residents, organizer, login_as):
    event = _drawn(make_event, residents, organizer)
    selection.run_draw(organizer, event)
    db.session.commit()
    html = login_as(residents[0]).get(f"/events/{event.id}/selection?lang=en").text
    assert html.count('class="mine"') == 2  # in "Your pseudonym" and in its list
    mine = login_as(residents[0]).get(f"/events/{event.id}/mine").text
    assert f"/events/{event.id}/selection" in mine


def test_no_selection_page_without_a_draw_or_for_a_hidden_event(make_event, residents, client):
    event = make_event()
    assert client.get(f"/events/{event.id}/selection").status_code == 404
    hidden = make_event(publish=False)
    assert client.get(f"/events/{hidden.id}/selection").status_code == 404
    assert client.get("/events/99999/selection").status_code == 404
