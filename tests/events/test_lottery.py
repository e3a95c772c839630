"""Tests for the verifiable hearing-seat lottery (events/lottery.py)."""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
lottery = importlib.import_module("events.lottery")
commit, draw, new_seed = lottery.commit, lottery.draw, lottery.new_seed
publication, pseudonym, verify = lottery.publication, lottery.pseudonym, lottery.verify
SEED = "5" * 64  # fixed so failures are reproducible
SALT = "test-event-salt"

SEATS = {"stakeholder": 3, "expert": 2, "deputy": 1, "public": 4}


def _applicants() -> dict[str, list[str]]:
    counts = {"stakeholder": 8, "expert": 2, "deputy": 3, "public": 2}
    out: dict[str, list[str]] = {}
    next_id = 1
    for category, n in counts.items():
        out[category] = [pseudonym(SALT, i) for i in range(next_id, next_id + n)]
        next_id += n
    return out


def _document() -> dict:
    applicants = _applicants()
    result = draw(SEED, SEATS, applicants)
    return publication(SEED, commit(SEED), SEATS, applicants, result)


# --- seed, commitment, pseudonyms -------------------------------------------------


def test_new_seed_is_64_hex_and_random() -> None:
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(re.fullmatch(r"[0-9a-f]{64}", s) for s in seeds)


def test_commit_is_sha256_of_utf8() -> None:
    assert commit("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert commit("种子") == hashlib.sha256("种子".encode()).hexdigest()


def test_pseudonym_stable_distinct_and_unlinkable_across_events() -> None:
    p = pseudonym(SALT, 42)
    assert re.fullmatch(r"A-[0-9a-f]{8}", p)
    assert p == pseudonym(SALT, 42)
    assert p != pseudonym(SALT, 43)
    assert p != pseudonym("another-event", 42)
    assert re.fullmatch(r"A-[0-9a-f]{16}", pseudonym(SALT, 42, digits=16))
    assert pseudonym(SALT, 42, digits=16).startswith(p)


def test_pseudonym_rejects_empty_salt_and_non_int_id() -> None:
    with pytest.raises(ValueError):
        pseudonym("", 1)
    with pytest.raises(TypeError):
        pseudonym(SALT, "1")  # type: ignore[arg-type]


# --- draw ------------------------------------------------------------------------


def test_draw_is_deterministic() -> None:
    assert draw(SEED, SEATS, _applicants()) == draw(SEED, SEATS, _applicants())


def test_different_seed_gives_different_order() -> None:
    names = {"public": [f"A-{i:08x}" for i in range(20)]}
    a = draw("1" * 64, {"public": 20}, names).categories["public"].selected
    b = draw("2" * 64, {"public": 20}, names).categories["public"].selected
    assert sorted(a) == sorted(b) and a != b


def test_input_order_does_not_matter() -> None:
    applicants = _applicants()
    shuffled = {c: list(reversed(names)) for c, names in reversed(list(applicants.items()))}
    assert draw(SEED, SEATS, applicants) == draw(SEED, SEATS, shuffled)


def test_quotas_respected_and_waitlist_is_the_rest_in_lottery_order() -> None:
    applicants = _applicants()
    result = draw(SEED, SEATS, applicants)
    for category, seats in SEATS.items():
        got = result.categories[category]
        names = applicants[category]
        assert len(got.selected) == min(seats, len(names))
        assert sorted(got.selected + got.waitlist) == sorted(names)
        ranked = sorted(
            names,
            key=lambda n, c=category: hashlib.sha256(f"{SEED}:{c}:{n}".encode()).hexdigest(),
        )
        assert got.selected == ranked[:seats]
        assert got.waitlist == ranked[seats:]


def test_fewer_applicants_than_seats_selects_all_and_seats_are_not_moved() -> None:
    result = draw(SEED, SEATS, _applicants())
    public = result.categories["public"]
    assert len(public.selected) == 2 and public.waitlist == [] and public.unfilled == 2
    # Stakeholders are oversubscribed but do not get the 2 unused public seats.
    assert len(result.categories["stakeholder"].selected) == 3


def test_category_without_applicants_and_zero_seats() -> None:
    result = draw(SEED, {"expert": 2, "public": 0}, {"public": ["A-1", "A-2"]})
    assert result.categories["expert"].selected == []
    assert result.categories["public"].selected == []
    assert sorted(result.categories["public"].waitlist) == ["A-1", "A-2"]


def test_known_answer() -> None:
    # Pins sha256-rank-v1 and pseudonym(); the same example is worked through
    # in docs/lottery.md, so other implementations can check against it.
    names = [pseudonym("demo-salt", i) for i in range(1, 5)]
    assert names == ["A-f549967e", "A-b7f0b06e", "A-263761da", "A-b968d113"]
    result = draw("demo-seed", {"public": 2}, {"public": names})
    assert result.algorithm == "sha256-rank-v1"
    assert result.categories["public"].selected == ["A-b7f0b06e", "A-263761da"]
    assert result.categories["public"].waitlist == ["A-f549967e", "A-b968d113"]


@pytest.mark.parametrize(
    ("categories", "applicants"),
    [
        ({"public": 1}, {"public": ["A-1", "A-1"]}),  # duplicate ticket
        ({"public": 1, "expert": 1}, {"public": ["A-1"], "expert": ["A-1"]}),  # two categories
        ({"public": 1}, {"experts": ["A-1"]}),  # unknown category would be dropped
        ({"public": -1}, {"public": ["A-1"]}),
        ({"public": True}, {"public": ["A-1"]}),
        ({"pub:lic": 1}, {"pub:lic": ["A-1"]}),  # ':' would make rank keys ambiguous
        ({"public": 1}, {"public": ["A:1"]}),
    ],
)
def test_draw_rejects_bad_input(categories: dict, applicants: dict) -> None:
    with pytest.raises(ValueError):
        draw(SEED, categories, applicants)


def test_fairness_over_2000_seeds() -> None:
    names = [f"A-{i:08x}" for i in range(10)]
    wins = dict.fromkeys(names, 0)
    for i in range(2000):
        seed = hashlib.sha256(f"fairness-{i}".encode()).hexdigest()
        for name in draw(seed, {"public": 3}, {"public": names}).categories["public"].selected:
            wins[name] += 1
    # Expected 30 %; deterministic seeds, so this cannot flake.
    assert all(0.25 <= count / 2000 <= 0.35 for count in wins.values()), wins


# --- publication and verify ------------------------------------------------------


def test_publication_layout_and_verifies() -> None:
    doc = _document()
    assert doc["algorithm"] == "sha256-rank-v1"
    assert doc["version"] == 1
    assert doc["seed"] == SEED and doc["seed_hash"] == commit(SEED)
    assert set(doc["categories"]) == set(SEATS)
    stake = doc["categories"]["stakeholder"]
    assert set(stake) == {"seats", "applicants", "selected", "waitlist"}
    assert stake["applicants"] == sorted(stake["applicants"])
    report = verify(json.loads(json.dumps(doc, ensure_ascii=False)))
    assert report.ok and report.seed_matches_hash
    assert report.categories == dict.fromkeys(SEATS, [])
    assert report.to_dict()["ok"] is True


def test_publication_refuses_inconsistent_result() -> None:
    applicants = _applicants()
    result = draw(SEED, SEATS, applicants)
    with pytest.raises(ValueError, match="refusing to publish"):
        publication(SEED, commit("other"), SEATS, applicants, result)
    with pytest.raises(ValueError, match="refusing to publish"):
        publication("6" * 64, commit("6" * 64), SEATS, applicants, result)


def test_chinese_category_names_round_trip() -> None:
    seats = {"利害关系人": 1, "公众": 1}
    applicants = {"利害关系人": ["A-1", "A-2"], "公众": ["A-3", "A-4"]}
    doc = publication(SEED, commit(SEED), seats, applicants, draw(SEED, seats, applicants))
    assert verify(json.loads(json.dumps(doc, ensure_ascii=False))).ok


def test_swapped_seed_detected() -> None:
    doc = _document()
    other = "7" * 64
    doc["seed"], doc["seed_hash"] = other, commit(other)  # consistent pair, wrong draw
    report = verify(doc)
    assert report.seed_matches_hash and not report.ok
    assert report.categories["stakeholder"]


def test_hash_mismatch_detected() -> None:
    doc = _document()
    doc["seed_hash"] = commit("something else")
    report = verify(doc)
    assert not report.seed_matches_hash and not report.ok
    # The draw itself still reproduces; only the commitment is broken.
    assert all(not issues for issues in report.categories.values())


def test_edited_selected_list_detected() -> None:
    doc = _document()
    stake = doc["categories"]["stakeholder"]
    stake["selected"][0], stake["waitlist"][0] = stake["waitlist"][0], stake["selected"][0]
    report = verify(doc)
    assert not report.ok
    assert any("missing" in m for m in report.categories["stakeholder"])
    assert all(not report.categories[c] for c in SEATS if c != "stakeholder")


def test_reordered_selected_list_detected() -> None:
    doc = _document()
    stake = doc["categories"]["stakeholder"]
    stake["selected"].reverse()
    issues = verify(doc).categories["stakeholder"]
    assert any("wrong order" in m for m in issues)


def test_edited_applicant_list_detected() -> None:
    doc = _document()
    stake = doc["categories"]["stakeholder"]
    for edit in ("add", "remove"):
        tampered = copy.deepcopy(doc)
        names = tampered["categories"]["stakeholder"]["applicants"]
        if edit == "add":
            names.append("A-deadbeef")
        else:
            names.remove(stake["selected"][0])
        assert not verify(tampered).ok, edit


def test_edited_seats_detected() -> None:
    doc = _document()
    doc["categories"]["stakeholder"]["seats"] = 4
    assert not verify(doc).ok


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(algorithm="sha256-rank-v2"),
        lambda d: d.update(version=2),
        lambda d: d.pop("seed"),
        lambda d: d.update(seed_hash="not-a-hash"),
        lambda d: d.update(categories={}),
        lambda d: d["categories"]["public"].pop("waitlist"),
        lambda d: d["categories"]["public"].update(seats="2"),
        lambda d: d["categories"].update(public=["A-1"]),
        lambda d: d["categories"]["deputy"]["applicants"].append(
            d["categories"]["public"]["applicants"][0]
        ),
    ],
)
def test_malformed_documents_fail_without_raising(mutate) -> None:
    doc = _document()
    mutate(doc)
    assert not verify(doc).ok


def test_verify_non_object() -> None:
    assert not verify([]).ok  # type: ignore[arg-type]


# --- command line -----------------------------------------------------------------


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "events.lottery", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_cli_verify_ok_and_tampered(tmp_path: Path) -> None:
    doc = _document()
    good = tmp_path / "selection.json"
    good.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    proc = _cli("verify", str(good))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "RESULT REPRODUCES" in proc.stdout

    doc["categories"]["stakeholder"]["selected"].reverse()
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    proc = _cli("verify", str(bad))
    assert proc.returncode == 1
    assert "DOES NOT REPRODUCE" in proc.stdout and "stakeholder" in proc.stdout


def test_cli_verify_stdin_and_unreadable(tmp_path: Path) -> None:
    proc = _cli("verify", "-", stdin=json.dumps(_document()))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = _cli("verify", str(tmp_path / "missing.json"))
    assert proc.returncode == 1 and "NOT CHECKED" in proc.stdout
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    assert _cli("verify", str(tmp_path / "junk.json")).returncode == 1


def test_module_main_is_callable_in_process(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_document()), encoding="utf-8")
    assert lottery._main(["verify", str(path)]) == 0
    assert "RESULT REPRODUCES" in capsys.readouterr().out
