"""Propose groups of near-duplicate comments (e.g. campaign texts) on a draft decision.

Pure module: no Flask, no database. Pipeline:

1. ``normalize`` every text (NFKC, lower-case, no whitespace/punctuation) and collapse
   exact duplicates, so thousands of identical campaign copies cost one signature.
2. Character n-gram shingles (default n=3), each hashed once.
3. One-permutation MinHash with ``num_perm`` bins (Li, Owen & Zhang 2012) plus "optimal
   densification" for empty bins (Shrivastava 2017). Classic MinHash evaluates ``num_perm``
   universal hashes per shingle, ~6,400 Python-level multiplications per 100-character
   comment (measured ~2 ms/comment, minutes for 100k comments); here every step is a
   C-level ``map``/``sorted``/``dict`` call. The estimator has the same meaning: the
   fraction of agreeing bins estimates the Jaccard similarity of the shingle sets.
4. LSH banding (bands x rows chosen for the threshold; 16 x 4 for 0.5 with 64 bins) finds
   candidate pairs. Inside a bucket a text is compared with a few "leaders" and with the
   previous member only, so a bucket of thousands of copies stays linear. A candidate is
   confirmed when its estimated Jaccard (share of agreeing bins) >= threshold and, by
   default, its exact Jaccard too (see ``propose_groups``).
5. Union-find over confirmed pairs; groups with >= 2 comments are returned, each with a
   central representative (see ``ProposedGroup``).

Texts that normalize to the empty string (blank, punctuation- or emoji-only comments)
carry nothing to compare and are never grouped.
"""

from __future__ import annotations

import math
import random
import re
import time
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, repeat
from operator import is_, ne

__all__ = [
    "GroupingStats",
    "ProposedGroup",
    "lsh_params",
    "normalize",
    "propose_groups",
    "shingles",
    "similarity",
]

DEFAULT_NGRAM = 3
DEFAULT_NUM_PERM = 64
# Leaders per LSH bucket (plus the previous member) that a text is compared with: bounds
# the work per bucket member, so huge buckets stay linear instead of quadratic.
_MAX_LEADERS = 8

# \W covers whitespace, ASCII and CJK punctuation and symbols; "_" is a word char in re.
_STRIP = re.compile(r"[\W_]+")
# Whitespace and common ASCII/CJK/full-width punctuation whose NFKC form is stripped too.
# Removing them first lets most Chinese comments skip the slow NFKC path entirely.
_PRE_STRIP = re.compile(
    r"[\s!-/:-@\[-`{-~\u2010-\u2027\u2030-\u205e\u3000-\u3004\u3008-\u3020\u3030"
    r"\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
)

ProgressCallback = Callable[[int, int], None]


def normalize(text: str) -> str:
    """NFKC, lower-case, no whitespace/punctuation/symbols: full-width vs half-width, case
    and formatting must not make two copies of the same comment look different."""
    text = _PRE_STRIP.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _STRIP.sub("", text.lower())


def shingles(normalized: str, n: int = DEFAULT_NGRAM) -> set[str]:
    """Character n-grams of an already normalized text; shorter texts are one shingle."""
    if not normalized:
        return set()
    if len(normalized) < n:
        return {normalized}
    return {normalized[i : i + n] for i in range(len(normalized) - n + 1)}


def similarity(a: str, b: str, n: int = DEFAULT_NGRAM) -> float:
    """Exact Jaccard similarity of the shingle sets of two raw texts.

    Texts identical after normalization (including two blank ones) score 1.0.
    """
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return 1.0
    sa, sb = shingles(na, n), shingles(nb, n)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


@dataclass(slots=True)
class ProposedGroup:
    """A proposed group of similar comments.

    ``representative_id`` is the most central member: the one whose MinHash signature
    agrees with the group's per-bin majority signature (exact copies count as votes) in
    the most bins; ties go to the smallest id. ``similarity`` is the mean estimated
    Jaccard similarity of the other members to the representative.
    """

    member_ids: list[int]
    representative_id: int
    similarity: float

    @property
    def size(self) -> int:
        return len(self.member_ids)


@dataclass(slots=True)
class GroupingStats:
    """Counters filled in by ``propose_groups`` (for benchmarks and logs)."""

    items: int = 0
    empty: int = 0
    unique_texts: int = 0
    bands: int = 0
    rows: int = 0
    candidate_pairs: int = 0
    pairs_confirmed: int = 0
    groups: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per phase


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising equally weighted false-positive and false-negative areas
    of the LSH S-curve around ``threshold`` (the approach datasketch uses)."""

    def area(lo: float, hi: float, f: Callable[[float], float], steps: int = 100) -> float:
        h = (hi - lo) / steps
        return sum(f(lo + (i + 0.5) * h) for i in range(steps)) * h

    best: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows

        def p(s: float, b: int = bands, r: int = rows) -> float:
            return 1.0 - (1.0 - s**r) ** b

        error = 0.5 * area(0.0, threshold, p) + 0.5 * area(threshold, 1.0, lambda s: 1 - p(s))
        if best is None or error < best[0]:
            best = (error, bands, rows)
    assert best is not None
    return best[1], best[2]


class _Progress:
    """Throttles the callback to ~100 calls; ``done`` never decreases."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.step = max(1, total // 100)
        self.next_mark = 0
        self.last = -1

    def update(self, done: int) -> None:
        if self.callback is None or done < self.next_mark:
            return
        done = min(done, self.total)
        if done > self.last:
            self.callback(done, self.total)
            self.last = done
        self.next_mark = done + self.step

    def finish(self) -> None:
        if self.callback is not None and self.last != self.total:
            self.callback(self.total, self.total)
            self.last = self.total


class _Signer:
    """One-permutation MinHash signatures packed as ``num_perm`` little-endian uint32."""

    def __init__(self, num_perm: int, ngram: int) -> None:
        self.k = num_perm
        self.n = ngram
        self.bins = range(num_perm)
        self.bin_of = num_perm.__rmod__  # h -> h % k, callable from C-level map()
        # Densification: an empty bin borrows the value of the first non-empty bin in its
        # own fixed random order; fixed orders keep signatures comparable across texts.
        rng = random.Random(0x6D696E68 + num_perm)
        self.borrow_order: list[list[int]] = []
        for j in range(num_perm):
            order = [i for i in range(num_perm) if i != j]
            rng.shuffle(order)
            self.borrow_order.append(order)

    def shingle_hashes(self, text: str) -> list[int]:
        # Hash code-point tuples: tuple/int hashing is deterministic across processes
        # (unlike str hashing) and runs entirely in C.
        codes = array("I", text.encode("utf-32-le", "surrogatepass")).tolist()
        n = self.n
        if len(codes) < n:
            return [hash(tuple(codes))] if codes else []
        if n == 3:
            return list(map(hash, zip(codes, codes[1:], codes[2:], strict=False)))
        return list(map(hash, zip(*(codes[i:] for i in range(n)), strict=False)))

    def sign(self, text: str) -> bytes:
        hs = self.shingle_hashes(text)
        hs.sort(reverse=True)
        # Later (smaller) values overwrite earlier ones, so each bin keeps its minimum.
        mins = dict(zip(map(self.bin_of, hs), hs, strict=True))
        if len(mins) == self.k:
            vals = list(map(mins.__getitem__, self.bins))
        else:
            vals = list(map(mins.get, self.bins))
            filled = mins.__contains__
            order = self.borrow_order
            for j in compress(self.bins, map(is_, vals, repeat(None))):
                vals[j] = mins[next(filter(filled, order[j]))]
        # Keep the low 32 bits: independent of the order (decided by the high bits). With
        # k=64 the low 6 bits are the bin itself; 26 random bits keep accidental agreement
        # negligible.
        return memoryview(array("q", vals)).cast("B").cast("I")[::2].tobytes()


def _lane_masks(k: int) -> tuple[int, int]:
    """Masks for counting zero 32-bit lanes of a k-lane int (SWAR)."""
    low = int.from_bytes(b"\xff\xff\xff\x7f" * k, "little")
    high = int.from_bytes(b"\x00\x00\x00\x80" * k, "little")
    return low, high


def _disagreement(x: int, low: int, high: int) -> int:
    """Number of non-zero 32-bit lanes of ``x`` (the XOR of two signatures): per lane,
    adding 0x7fffffff to the low 31 bits carries into bit 31 iff they are non-zero; no
    carry crosses lanes. Big-int ops and bit_count run in C, unlike iterating lanes."""
    return (((x & low) + low | x) & high).bit_count()


def propose_groups(
    items: Iterable[tuple[int, str]],
    threshold: float = 0.5,
    progress: ProgressCallback | None = None,
    *,
    ngram: int = DEFAULT_NGRAM,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int | None = None,
    verify_exact: bool = True,
    stats: GroupingStats | None = None,
) -> list[ProposedGroup]:
    """Group comments whose estimated Jaccard similarity is >= ``threshold``.

    ``items`` are ``(comment_id, text)`` pairs with unique ids. Similarity is transitive
    through the union-find: A~B and B~C put A, B, C in one group. Groups are sorted by
    size (descending), then by smallest member id. ``progress(done, total)`` is called at
    most ~100 times with non-decreasing ``done``; ``total`` is the number of items and the
    last call is ``(total, total)``. ``bands`` overrides the LSH bands (rows =
    num_perm // bands). With ``verify_exact`` a pair whose estimate passes is also checked
    with the exact Jaccard similarity (of shingle hashes) before it links two groups: with
    ~1M candidate pairs at 100k comments, estimator noise (sd ~0.06 at 64 bins) otherwise
    links a few hundred unrelated pairs around J~0.4. It costs one check per confirmed
    pair. Output is deterministic for a given input.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    if ngram < 1 or num_perm < 1:
        raise ValueError("ngram and num_perm must be positive")
    if bands is None:
        bands, rows = lsh_params(threshold, num_perm)
    else:
        if not 1 <= bands <= num_perm:
            raise ValueError("bands must be in [1, num_perm]")
        rows = num_perm // bands
    st = stats if stats is not None else GroupingStats()
    st.bands, st.rows = bands, rows

    t_start = time.perf_counter()
    pairs = list(items)
    total = len(pairs)
    st.items = total
    prog = _Progress(progress, total)
    # Share of the progress bar per phase, roughly proportional to measured cost.
    normalize_share, sign_share = 0.1, 0.5

    # 1. Normalize and collapse exact duplicates: unique text index -> ids.
    index_of: dict[str, int] = {}
    texts: list[str] = []
    ids_of: list[list[int]] = []
    for done, (cid, raw) in enumerate(pairs, 1):
        text = normalize(raw)
        if not text:
            st.empty += 1
        else:
            u = index_of.get(text)
            if u is None:
                index_of[text] = len(texts)
                texts.append(text)
                ids_of.append([cid])
            else:
                ids_of[u].append(cid)
        if done % 512 == 0:
            prog.update(int(done * normalize_share))
    del index_of
    for ids in ids_of:
        ids.sort()
    n_unique = len(texts)
    st.unique_texts = n_unique

    # 2. Signatures.
    t_sign = time.perf_counter()
    signer = _Signer(num_perm, ngram)
    sign = signer.sign
    sigs: list[bytes] = []
    base = int(total * normalize_share)
    for u, text in enumerate(texts):
        sigs.append(sign(text))
        if u % 512 == 0:
            prog.update(base + int(total * sign_share * u / max(n_unique, 1)))

    # 3. LSH banding, confirmation and union-find over unique texts.
    t_link = time.perf_counter()
    base = int(total * (normalize_share + sign_share))
    band_share = 1.0 - normalize_share - sign_share

    def band_done(band: int) -> None:
        prog.update(base + int(total * band_share * band / bands))

    verify = _exact_check(texts, signer, threshold) if verify_exact else None
    need = math.ceil(threshold * num_perm - 1e-9)
    parent = _link(sigs, bands, rows, need, verify, st, band_done)

    # 4. Collect groups (exact copies alone already form a group).
    t_groups = time.perf_counter()
    members: dict[int, list[int]] = {}
    for u, root in enumerate(parent):
        members.setdefault(root, []).append(u)
    groups: list[ProposedGroup] = []
    for uniq in members.values():
        if len(uniq) == 1:
            ids = ids_of[uniq[0]]
            if len(ids) >= 2:
                groups.append(ProposedGroup(ids, ids[0], 1.0))
            continue
        groups.append(_build_group(uniq, ids_of, sigs, num_perm))
    groups.sort(key=lambda g: (-len(g.member_ids), g.member_ids[0]))
    st.groups = len(groups)
    t_end = time.perf_counter()
    st.seconds = {
        "normalize": t_sign - t_start,
        "sign": t_link - t_sign,
        "link": t_groups - t_link,
        "groups": t_end - t_groups,
    }
    prog.finish()
    return groups


def _exact_check(texts: list[str], signer: _Signer, threshold: float) -> Callable[[int, int], bool]:
    # Partners repeat (bucket leaders), so recently used shingle sets are worth keeping.
    @lru_cache(maxsize=1024)
    def shingle_set(u: int) -> frozenset[int]:
        # 64-bit shingle hashes: collisions are negligible and no strings are built.
        return frozenset(signer.shingle_hashes(texts[u]))

    def verify(a: int, b: int) -> bool:
        sa, sb = shingle_set(a), shingle_set(b)
        return len(sa & sb) >= threshold * len(sa | sb)

    return verify


def _link(
    sigs: list[bytes],
    bands: int,
    rows: int,
    need: int,
    verify: Callable[[int, int], bool] | None,
    st: GroupingStats,
    band_done: Callable[[int], None],
) -> list[int]:
    """Union-find parents linking texts whose signatures agree in >= ``need`` bins (and
    that pass ``verify``, if given)."""
    n = len(sigs)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = x = parent[parent[x]]  # path halving
        return x

    # Signatures as ints: a comparison is a few whole-signature int operations.
    as_int = [int.from_bytes(s, "little") for s in sigs]
    k = len(sigs[0]) // 4 if sigs else 0
    low, high = _lane_masks(k)
    max_miss = k - need
    rejected: set[int] = set()  # i * n + partner, pairs that already failed
    candidates = confirmed = 0
    positions = range(n)
    for band in range(bands):
        lo, hi = 4 * band * rows, 4 * (band + 1) * rows
        first: dict[bytes, int] = {}
        # Each text learns the first text with the same band key (C-level setdefault);
        # only texts that are not first in their bucket need any Python work.
        heads = list(map(first.setdefault, [s[lo:hi] for s in sigs], positions))
        del first
        leaders: dict[int, list[int]] = {}
        previous: dict[int, int] = {}
        for i in compress(positions, map(ne, heads, positions)):
            head = heads[i]
            bucket_leaders = leaders.get(head)
            if bucket_leaders is None:
                bucket_leaders = leaders[head] = [head]
            # Partners: the bucket's leaders (first members that matched nothing, at most
            # _MAX_LEADERS) plus the previous member, never all members: a bucket of
            # thousands of near-identical texts costs a few comparisons per member. The
            # previous member changes from band to band, giving texts near the threshold
            # more chances than the same leaders over and over.
            prev = previous.get(head, head)
            previous[head] = i
            partners = bucket_leaders if prev in bucket_leaders else [*bucket_leaders, prev]
            ri = i if parent[i] == i else find(i)
            matched = False
            for partner in partners:
                rp = partner if parent[partner] == partner else find(partner)
                if rp == ri:
                    matched = True
                    continue  # keep going: another leader may be an unlinked near-copy
                key = i * n + partner
                if key in rejected:
                    continue
                candidates += 1
                x = as_int[i] ^ as_int[partner]
                if (((x & low) + low | x) & high).bit_count() <= max_miss and (
                    verify is None or verify(i, partner)
                ):
                    confirmed += 1
                    # Smaller root wins: keeps the result independent of hash-map order.
                    if ri < rp:
                        parent[rp] = ri
                    else:
                        parent[ri] = rp
                        ri = rp
                    matched = True
                else:
                    rejected.add(key)
            if not matched and len(bucket_leaders) < _MAX_LEADERS:
                bucket_leaders.append(i)
        band_done(band + 1)
    st.candidate_pairs, st.pairs_confirmed = candidates, confirmed
    # Flatten so callers can read roots without path compression.
    for i in positions:
        parent[i] = find(i)
    return parent


def _build_group(
    uniq: list[int], ids_of: list[list[int]], sigs: list[bytes], k: int
) -> ProposedGroup:
    # Majority value per bin, every copy of a text voting, approximates the group centre
    # in linear time (a true medoid would need all pairs).
    weighted: list[array[int]] = []
    for u in uniq:
        weighted.extend(repeat(array("I", sigs[u]), len(ids_of[u])))
    columns = zip(*weighted, strict=True)
    consensus = array("I", (Counter(col).most_common(1)[0][0] for col in columns))
    low, high = _lane_masks(k)
    as_int = {u: int.from_bytes(sigs[u], "little") for u in uniq}
    centre = int.from_bytes(consensus.tobytes(), "little")
    rep = min(uniq, key=lambda u: (_disagreement(as_int[u] ^ centre, low, high), ids_of[u][0]))
    rep_sig = as_int[rep]
    total_sim = 0.0
    count = 0
    for u in uniq:
        w = len(ids_of[u])
        total_sim += w * (k - _disagreement(as_int[u] ^ rep_sig, low, high)) / k
        count += w
    # Exclude the representative's own 1.0.
    mean = (total_sim - 1.0) / (count - 1)
    member_ids = sorted(cid for u in uniq for cid in ids_of[u])
    return ProposedGroup(member_ids, ids_of[rep][0], mean)
