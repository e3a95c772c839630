"""Draft versions: parsing structured text into articles, publishing, safe Markdown,
and the article-aligned comparison of two versions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import nh3
import sqlalchemy as sa
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, NotFound, ServiceError
from participation.models import User
from participation.permissions import require_organizer

from ..models import Article, Decision, DraftVersion, Stage

MAX_TITLE = 300
MAX_SOURCE = 200_000
MAX_EXPLANATION = 50_000
MAX_NOTE = 5_000
MAX_ARTICLES = 1_000
MAX_CHAPTER = 200

_NUMERALS = "〇零一二两三四五六七八九十百千"
_NUM = rf"[{_NUMERALS}\d]+"
# Markdown decoration an organizer may put around a heading: "## 第一章 总则", "**第一条**".
_DECOR = r"[#>*\s]*"
CHAPTER_RE = re.compile(rf"^{_DECOR}(第{_NUM}[章编])[\s*　]*(.*?)[\s*]*$")
SECTION_RE = re.compile(rf"^{_DECOR}(第{_NUM}节)[\s*　]*(.*?)[\s*]*$")
ARTICLE_RE = re.compile(rf"^{_DECOR}(第{_NUM}条)[\s*　]*(.*)$")

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """第十二条 -> 12, 第一百零三条 -> 103; Arabic digits are accepted too."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(text)
    return total + digit


@dataclass
class ParsedArticle:
    number: int
    label: str
    chapter: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def parse_draft(source: str) -> list[ParsedArticle]:
    """Split structured text into articles numbered 1..n across chapters.

    A line "第一章 总则" starts a chapter (a "第一节" line refines it); a line starting
    "第X条" starts an article and the following lines continue it. Text before the first
    article (the title, a preamble) is not part of any article. The labels must count
    up without gaps, because comments and the comparison refer to articles by number.
    """
    articles: list[ParsedArticle] = []
    chapter = section = ""
    for lineno, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if m := CHAPTER_RE.match(line):
            chapter, section = f"{m.group(1)} {m.group(2)}".strip(), ""
            continue
        if m := SECTION_RE.match(line):
            section = f"{m.group(1)} {m.group(2)}".strip()
            continue
        if m := ARTICLE_RE.match(line):
            label = m.group(1)
            expected = len(articles) + 1
            number = chinese_number(label[1:-1])
            if number != expected:
                raise ServiceError(
                    _(
                        "Line %(line)d: %(label)s should be article %(n)d. "
                        "Articles must be numbered continuously.",
                        line=lineno,
                        label=label,
                        n=expected,
                    ),
                    field="source",
                )
            heading = f"{chapter} {section}".strip()[:MAX_CHAPTER]
            articles.append(ParsedArticle(number, label, heading, [m.group(2)]))
        elif articles:
            articles[-1].lines.append(line)
    if not articles:
        raise ServiceError(
            _("No articles found. Start each article on a new line with 第一条, 第二条, …"),
            field="source",
        )
    if len(articles) > MAX_ARTICLES:
        raise ServiceError(_("A draft may have at most %(n)d articles.", n=MAX_ARTICLES))
    for article in articles:
        if not article.text:
            raise ServiceError(_("%(label)s has no text.", label=article.label), field="source")
    return articles


# ---- writes ---------------------------------------------------------------------------


def _clean(value: str | None, limit: int, name: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), field=name)
    if len(value) > limit:
        raise ServiceError(_("At most %(n)d characters, please.", n=limit), field=name)
    return value


def _checked_fields(
    title: str, source: str, explanation: str, change_note: str
) -> tuple[dict[str, str], list[ParsedArticle]]:
    fields = {
        "title": _clean(title, MAX_TITLE, "title", required=True),
        "source": _clean(source, MAX_SOURCE, "source", required=True),
        "explanation": _clean(explanation, MAX_EXPLANATION, "explanation"),
        "change_note": _clean(change_note, MAX_NOTE, "change_note"),
    }
    return fields, parse_draft(fields["source"])


def _articles(parsed: list[ParsedArticle]) -> list[Article]:
    return [Article(number=a.number, label=a.label, chapter=a.chapter, text=a.text) for a in parsed]


def add_draft_version(
    actor: User,
    decision: Decision,
    *,
    title: str,
    source: str,
    explanation: str = "",
    change_note: str = "",
    publish: bool = False,
) -> DraftVersion:
    """A new version, numbered after the last one; published at once or kept for review."""
    require_organizer(actor, decision.organization_id)
    if decision.withdrawn:
        raise Conflict(_("This decision has been withdrawn from the catalogue."))
    fields, parsed = _checked_fields(title, source, explanation, change_note)
    last = db.session.scalar(
        sa.select(sa.func.max(DraftVersion.version)).where(DraftVersion.decision_id == decision.id)
    )
    draft = DraftVersion(
        decision=decision,
        version=(last or 0) + 1,
        created_by_id=actor.id,
        published_at=utcnow() if publish else None,
        **fields,
    )
    draft.articles = _articles(parsed)
    db.session.add(draft)
    db.session.flush()
    audit.record(
        actor,
        "draft.create",
        "draft_version",
        draft.id,
        data={"decision_id": decision.id, "version": draft.version, "published": publish},
    )
    return draft


def require_editable(actor: User, draft: DraftVersion) -> None:
    """Only a version nobody outside the agency has seen may change or disappear: a
    published text is part of the public record, and comments point at its articles."""
    require_organizer(actor, draft.decision.organization_id)
    if draft.published_at is not None:
        raise Conflict(
            _(
                "Version %(n)d is published and can no longer be changed; "
                "add a new version instead.",
                n=draft.version,
            )
        )


def update_draft_version(
    actor: User,
    draft: DraftVersion,
    *,
    title: str,
    source: str,
    explanation: str = "",
    change_note: str = "",
) -> DraftVersion:
    """Correct a version saved for review; its articles are parsed again from the text."""
    require_editable(actor, draft)
    fields, parsed = _checked_fields(title, source, explanation, change_note)
    changed = sorted(name for name, value in fields.items() if getattr(draft, name) != value)
    for name, value in fields.items():
        setattr(draft, name, value)
    if "source" in changed:
        draft.articles = []
        db.session.flush()  # the old numbers go before the new ones take them
        draft.articles = _articles(parsed)
    db.session.flush()
    audit.record(
        actor,
        "draft.update",
        "draft_version",
        draft.id,
        data={"decision_id": draft.decision_id, "version": draft.version, "changed": changed},
    )
    return draft


def delete_draft_version(actor: User, draft: DraftVersion, reason: str) -> None:
    """Remove a version saved for review, with the reason kept in the audit log."""
    require_editable(actor, draft)
    reason = _clean(reason, MAX_NOTE, "reason", required=True)
    data = {"decision_id": draft.decision_id, "version": draft.version, "title": draft.title}
    audit.record(actor, "draft.delete", "draft_version", draft.id, reason=reason, data=data)
    db.session.delete(draft)
    db.session.flush()


def publish_draft(actor: User, draft: DraftVersion) -> DraftVersion:
    require_organizer(actor, draft.decision.organization_id)
    if draft.published_at is not None:
        raise Conflict(_("This version is already published."))
    draft.published_at = utcnow()
    audit.record(actor, "draft.publish", "draft_version", draft.id)
    return draft


def mark_final(actor: User, draft: DraftVersion) -> DraftVersion:
    """The version adopted by the decision, published with it."""
    decision = draft.decision
    require_organizer(actor, decision.organization_id)
    if draft.published_at is None:
        raise ServiceError(_("Only a published version can be the final version."))
    if decision.stage not in (Stage.decided, Stage.implementing):
        raise ServiceError(
            _("Record the decision first: the final version is published with the decision.")
        )
    for other in decision.drafts:
        other.is_final = other.id == draft.id
    audit.record(actor, "draft.final", "draft_version", draft.id)
    return draft


def get_draft(decision: Decision, version: int, *, include_unpublished: bool) -> DraftVersion:
    draft = db.session.scalar(
        sa.select(DraftVersion).where(
            DraftVersion.decision_id == decision.id, DraftVersion.version == version
        )
    )
    if draft is None or (draft.published_at is None and not include_unpublished):
        raise NotFound(_("There is no version %(n)d of this draft.", n=version))
    return draft


# ---- safe Markdown --------------------------------------------------------------------

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "h5",
    "h6", "a", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip


def render_markdown(text: str | None) -> Markup:
    """Markdown with raw HTML disabled, then sanitised: safe for any author's text."""
    html = _markdown.render(text or "")
    # An explanation's "# heading" must not compete with the page's own <h1>.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


# ---- comparison -----------------------------------------------------------------------

# One token per CJK character, whole words for Latin text and numbers, so a change from
# "三十日" to "四十五日" highlights just the number and "PM2.5" stays one unit.
_TOKEN_RE = re.compile(r"[A-Za-z0-9.%]+|\s+|.", re.S)


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class ArticleChange:
    status: str  # "unchanged", "changed", "added", "removed"
    old: Article | None
    new: Article | None
    old_segments: list[Segment] = field(default_factory=list)
    new_segments: list[Segment] = field(default_factory=list)

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.number != self.new.number)

    @property
    def chapter_changed(self) -> bool:
        return bool(self.old and self.new and self.old.chapter != self.new.chapter)


def diff_text(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Two marked-up copies: the old text with deletions, the new one with insertions."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = _absorb_short_equals(matcher.get_opcodes(), a)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            _push(left, "equal", "".join(a[i1:i2]))
            _push(right, "equal", "".join(b[j1:j2]))
        else:
            _push(left, "delete", "".join(a[i1:i2]))
            _push(right, "insert", "".join(b[j1:j2]))
    return left, right


def _absorb_short_equals(opcodes: list[tuple], a: list[str]) -> list[tuple]:
    """A single shared character between two edits (often 的, 和, a comma) reads better
    as part of one larger change than as a confetti of tiny edits."""
    merged: list[list] = []
    for i, op in enumerate(opcodes):
        tag, i1, i2, j1, j2 = op
        between_edits = 0 < i < len(opcodes) - 1
        if tag == "equal" and between_edits and i2 - i1 == 1 and merged:
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
            merged[-1][0] = "replace"
        else:
            merged.append([tag, i1, i2, j1, j2])
    return [tuple(m) for m in merged]


def _push(segments: list[Segment], op: str, text: str) -> None:
    if text:
        segments.append(Segment(op, text))


def compare_versions(old: DraftVersion, new: DraftVersion) -> list[ArticleChange]:
    """Align the two versions article by article.

    Articles are matched by content rather than by bare number, so inserting one article
    shows as one addition (the following ones marked as renumbered), not as every later
    article changed. Within a run of differing articles, pairs at the same position that
    are still similar count as changed; the rest as added or removed.
    """
    a, b = list(old.articles), list(new.articles)
    matcher = difflib.SequenceMatcher(
        None, [x.text for x in a], [y.text for y in b], autojunk=False
    )
    changes: list[ArticleChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs = zip(a[i1:i2], b[j1:j2], strict=True)
            changes += [ArticleChange("unchanged", x, y) for x, y in pairs]
            continue
        changes += _pair_block(a[i1:i2], b[j1:j2])
    return changes


LOOKAHEAD = 5  # how far to look for an article's counterpart within a changed run


def _pair_block(olds: list[Article], news: list[Article]) -> list[ArticleChange]:
    """Pair each old article with the next similar new one (keeping order); new
    articles skipped on the way are additions, old ones without a match removals."""
    out: list[ArticleChange] = []
    j = 0
    for x in olds:
        window = news[j : j + LOOKAHEAD]
        k = next((k for k, y in enumerate(window) if _similar(x.text, y.text)), None)
        if k is None:
            out.append(ArticleChange("removed", x, None, [Segment("delete", x.text)]))
            continue
        for y in window[:k]:
            out.append(ArticleChange("added", None, y, [], [Segment("insert", y.text)]))
        y = window[k]
        left, right = diff_text(x.text, y.text)
        out.append(ArticleChange("changed", x, y, left, right))
        j += k + 1
    out += [ArticleChange("added", None, y, [], [Segment("insert", y.text)]) for y in news[j:]]
    return out


def _similar(old: str, new: str) -> bool:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return matcher.quick_ratio() >= 0.5 and matcher.ratio() >= 0.5


def change_counts(changes: list[ArticleChange]) -> dict[str, int]:
    counts = {"unchanged": 0, "changed": 0, "added": 0, "removed": 0}
    for change in changes:
        counts[change.status] += 1
    return counts
