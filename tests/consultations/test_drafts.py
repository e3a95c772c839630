"""Draft versions: structured-text parsing, safe Markdown, publishing, the final version,
and the side-by-side comparison."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consultations.models import Article, DraftVersion, Stage
from consultations.services import drafts
from participation.db import db
from participation.errors import ServiceError
from participation.models import AuditEntry

SOURCE_V1 = """某某条例（草案）

第一章 总则
第一条 为了规范管理，制定本条例。
第二条 本条例适用于本省行政区域。
第二章 管理措施
第三条 主管部门应当在三十日内作出决定。
第四条 禁止露天焚烧垃圾。
第五条 本条例自公布之日起施行。
"""

SOURCE_V2 = """某某条例（草案修改稿）

第一章 总则
第一条 为了规范管理，保障公众健康，制定本条例。
第二条 本条例适用于本省行政区域。
第三条 公众有权参与和监督。
第二章 管理措施
第四条 主管部门应当在四十五日内作出决定。
第五条 本条例自2027年1月1日起施行。
"""


@pytest.fixture
def in_request(app):
    with app.test_request_context("/?lang=en"):
        yield


# ---- parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百", 100),
     ("一百零三", 103), ("一百一十", 110), ("两百", 200), ("15", 15)],
)  # fmt: skip
def test_chinese_numbers(text, number):
    assert drafts.chinese_number(text) == number


def test_parse_chapters_articles_and_continuation_lines(in_request):
    source = (
        "标题行不属于任何条款\n"
        "## 第一章 总则\n"
        "**第一条** 第一款内容。\n"
        "第二款内容继续。\n"
        "\n"
        "第二条 第二条内容。\n"
        "第二章 附则\n"
        "第一节 一般规定\n"
        "第三条　全角空格分隔的内容。\n"
    )
    articles = drafts.parse_draft(source)
    assert [a.number for a in articles] == [1, 2, 3]
    assert [a.label for a in articles] == ["第一条", "第二条", "第三条"]
    assert articles[0].chapter == "第一章 总则"
    assert articles[0].text == "第一款内容。\n第二款内容继续。"
    assert articles[2].chapter == "第二章 附则 第一节 一般规定"
    assert articles[2].text == "全角空格分隔的内容。"


def test_parse_numbers_continuously_across_chapters(in_request):
    lines = ["第一章 总则"] + [f"第{n}条 内容{n}。" for n in "一二三四五六七八九十"]
    lines += ["第二章 附则", "第十一条 内容。", "第十二条 施行日期。"]
    articles = drafts.parse_draft("\n".join(lines))
    assert [a.number for a in articles] == list(range(1, 13))
    assert articles[-1].label == "第十二条" and articles[-1].chapter == "第二章 附则"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("只有标题，没有条款。", "No articles found"),
        ("第一条 内容。\n第三条 跳过了第二条。", "should be article 2"),
        ("第一条 内容。\n第一条 重复。", "should be article 2"),
        ("第一条 \n第二条 内容。", "第一条 has no text"),
    ],
)
def test_parse_rejects_malformed_drafts(in_request, source, message):
    with pytest.raises(ServiceError) as err:
        drafts.parse_draft(source)
    assert message in err.value.message
    assert err.value.field == "source"


# ---- Markdown -------------------------------------------------------------------------


def test_markdown_is_sanitised():
    html = str(
        drafts.render_markdown(
            "# 标题\n\n**重点** <script>alert(1)</script> [链接](javascript:alert(1)) "
            "[官网](https://www.shandong.gov.cn) <img src=x onerror=alert(1)>"
        )
    )
    assert "<script>" not in html and "<img" not in html  # raw HTML is shown as text
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<strong>重点</strong>" in html
    assert '<a href="https://www.shandong.gov.cn"' in html
    assert "<h1>" not in html and "<h2>标题</h2>" in html  # the page keeps its only <h1>


# ---- comparison -----------------------------------------------------------------------


def test_diff_text_marks_changed_characters_and_numbers():
    left, right = drafts.diff_text("应当在三十日内作出决定。", "应当在四十五日内作出决定。")
    assert "".join(s.text for s in left) == "应当在三十日内作出决定。"
    assert "".join(s.text for s in right) == "应当在四十五日内作出决定。"
    # The lone shared 十 between two edits is absorbed: one readable change, not confetti.
    assert [s.text for s in left if s.op == "delete"] == ["三十"]
    assert [s.text for s in right if s.op == "insert"] == ["四十五"]
    latin_left, latin_right = drafts.diff_text("PM2.5 浓度", "PM10 浓度")
    assert [s.text for s in latin_left if s.op == "delete"] == ["PM2.5"]
    assert [s.text for s in latin_right if s.op == "insert"] == ["PM10"]


def _version(decision, number, source, published=True):
    from participation.db import utcnow

    draft = DraftVersion(
        decision=decision,
        version=number,
        title=f"v{number}",
        source=source,
        published_at=utcnow() if published else None,
    )
    for a in drafts.parse_draft(source):
        draft.articles.append(
            Article(number=a.number, label=a.label, chapter=a.chapter, text=a.text)
        )
    db.session.add(draft)
    db.session.commit()
    return draft


def test_compare_aligns_articles_and_reports_insertions(in_request, make_decision):
    d = make_decision()
    old, new = _version(d, 1, SOURCE_V1), _version(d, 2, SOURCE_V2)
    changes = drafts.compare_versions(old, new)
    summary = [
        (c.status, c.old.number if c.old else None, c.new.number if c.new else None)
        for c in changes
    ]
    assert summary == [
        ("changed", 1, 1),
        ("unchanged", 2, 2),
        ("added", None, 3),
        ("changed", 3, 4),
        ("removed", 4, None),
        ("changed", 5, 5),
    ]
    moved = changes[3]
    assert moved.renumbered
    assert drafts.change_counts(changes) == {"unchanged": 1, "changed": 3, "added": 1, "removed": 1}


# ---- HTTP: organizers add and publish, the public reads and compares -------------------


def test_organizer_adds_a_version_that_the_public_sees_once_published(
    client, make_decision, organizer, login_as
):
    d = make_decision()
    staff = login_as(organizer)
    resp = staff.post(
        f"/staff/decisions/{d.id}/drafts/new",
        data={"title": "征求意见稿", "source": SOURCE_V1, "explanation": "## 背景\n说明。"},
    )
    assert resp.status_code == 303
    draft = db.session.scalar(sa.select(DraftVersion))
    assert draft.version == 1 and len(draft.articles) == 5 and draft.published_at is None
    assert client.get(f"/decisions/{d.id}/drafts/1").status_code == 404  # not yet public

    assert staff.post(f"/staff/decisions/{d.id}/drafts/1/publish").status_code == 303
    html = client.get(f"/decisions/{d.id}/drafts/1").get_data(as_text=True)
    assert 'id="article-3"' in html and "主管部门应当在三十日内作出决定" in html
    assert "<h2>背景</h2>" in html
    assert staff.post(f"/staff/decisions/{d.id}/drafts/1/publish").status_code == 409
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"draft.create", "draft.publish"} <= actions


def test_bad_draft_text_is_refused_and_nothing_is_written(make_decision, organizer, login_as):
    d = make_decision()
    resp = login_as(organizer).post(
        f"/staff/decisions/{d.id}/drafts/new?lang=en",
        data={"title": "稿", "source": "第一条 内容。\n第三条 内容。"},
    )
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "Articles must be numbered continuously" in body
    assert "第三条 内容。" in body  # the organizer's text is kept in the form
    assert db.session.scalar(sa.select(sa.func.count(DraftVersion.id))) == 0
    oversized = login_as(organizer).post(
        f"/staff/decisions/{d.id}/drafts/new",
        data={"title": "稿", "source": "第一条 " + "长" * 200_001},
    )
    assert oversized.status_code == 400


def test_residents_and_other_agencies_cannot_add_versions(
    make_decision, resident, make_org, make_user, login_as
):
    d = make_decision()
    for user in (resident, make_user(org=make_org())):
        resp = login_as(user).post(
            f"/staff/decisions/{d.id}/drafts/new", data={"title": "稿", "source": SOURCE_V1}
        )
        assert resp.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(DraftVersion.id))) == 0


def test_compare_page_shows_side_by_side_changes_with_words(client, make_decision):
    d = make_decision()
    _version(d, 1, SOURCE_V1)
    _version(d, 2, SOURCE_V2)
    html = client.get(f"/decisions/{d.id}/compare?a=1&b=2&lang=en").get_data(as_text=True)
    assert "<ins>" in html and "<del>" in html
    assert "[added: " in html and "[deleted: " in html  # words for screen readers
    assert "Added" in html and "Removed" in html and "renumbered" in html
    assert "本条例适用于本省行政区域" not in html  # unchanged articles hidden by default
    full = client.get(f"/decisions/{d.id}/compare?a=1&b=2&all=1").get_data(as_text=True)
    assert "本条例适用于本省行政区域" in full


def test_compare_hides_unpublished_versions_and_rejects_bad_numbers(client, make_decision):
    d = make_decision()
    _version(d, 1, SOURCE_V1)
    _version(d, 2, SOURCE_V2, published=False)
    _version(d, 3, SOURCE_V2)
    assert client.get(f"/decisions/{d.id}/compare?a=1&b=2").status_code == 404
    assert client.get(f"/decisions/{d.id}/compare?a=1&b=9").status_code == 404
    assert client.get(f"/decisions/{d.id}/compare?a=x&b=3").status_code == 400
    assert client.get(f"/decisions/{d.id}/compare?a=1&b=3").status_code == 200


def test_final_version_only_once_decided(make_decision, organizer, login_as, in_request):
    d = make_decision(stage=Stage.consulting)
    _version(d, 1, SOURCE_V1)
    v2 = _version(d, 2, SOURCE_V2)
    staff = login_as(organizer)
    assert staff.post(f"/staff/decisions/{d.id}/drafts/2/final").status_code == 400
    d.stage = Stage.decided
    db.session.commit()
    assert staff.post(f"/staff/decisions/{d.id}/drafts/2/final").status_code == 303
    db.session.refresh(v2)
    assert v2.is_final
    assert staff.post(f"/staff/decisions/{d.id}/drafts/1/final").status_code == 303
    finals = db.session.scalars(sa.select(DraftVersion.version).where(DraftVersion.is_final))
    assert list(finals) == [1]  # exactly one final version


# ---- correcting and deleting a version saved for review --------------------------------


def _saved_for_review(staff, d, source=SOURCE_V1):
    resp = staff.post(f"/staff/decisions/{d.id}/drafts/new", data={"title": "稿", "source": source})
    assert resp.status_code == 303
    return db.session.scalar(sa.select(DraftVersion).order_by(DraftVersion.id.desc()))


def test_an_unpublished_version_is_corrected_and_its_articles_parsed_again(
    make_decision, organizer, login_as
):
    d = make_decision()
    staff = login_as(organizer)
    draft = _saved_for_review(staff, d)
    form = staff.get(f"/staff/decisions/{d.id}/drafts/1/edit?lang=en").get_data(as_text=True)
    assert "Edit version 1" in form and "主管部门应当在三十日内作出决定" in form
    resp = staff.post(
        f"/staff/decisions/{d.id}/drafts/1/edit",
        data={"title": "征求意见稿（修正）", "source": SOURCE_V2, "explanation": "说明"},
    )
    assert resp.status_code == 303
    db.session.expire_all()
    draft = db.session.get(DraftVersion, draft.id)
    assert draft.title == "征求意见稿（修正）" and draft.version == 1
    assert [a.text for a in draft.articles][2] == "公众有权参与和监督。"
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 5  # no stale articles
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "draft.update"))
    assert entry.data["changed"] == ["explanation", "source", "title"]


def test_a_bad_correction_changes_nothing(make_decision, organizer, login_as):
    d = make_decision()
    staff = login_as(organizer)
    draft = _saved_for_review(staff, d)
    resp = staff.post(
        f"/staff/decisions/{d.id}/drafts/1/edit?lang=en",
        data={"title": "稿", "source": "第一条 内容。\n第三条 内容。"},
    )
    assert resp.status_code == 400
    assert "Articles must be numbered continuously" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(DraftVersion, draft.id).articles) == 5


def test_a_published_version_cannot_be_edited_or_deleted(make_decision, organizer, login_as):
    d = make_decision()
    staff = login_as(organizer)
    _saved_for_review(staff, d)
    staff.post(f"/staff/decisions/{d.id}/drafts/1/publish")
    edit = staff.post(
        f"/staff/decisions/{d.id}/drafts/1/edit?lang=en", data={"title": "改", "source": SOURCE_V2}
    )
    assert edit.status_code == 409 and "add a new version" in edit.get_data(as_text=True)
    assert staff.get(f"/staff/decisions/{d.id}/drafts/1/edit").status_code == 409
    staff.post(f"/staff/decisions/{d.id}/drafts/1/delete", data={"reason": "误传"})
    db.session.expire_all()
    draft = db.session.scalar(sa.select(DraftVersion))
    assert draft is not None and draft.title == "稿" and len(draft.articles) == 5


def test_an_unpublished_version_is_deleted_with_a_reason(make_decision, organizer, login_as):
    d = make_decision()
    staff = login_as(organizer)
    _saved_for_review(staff, d)
    no_reason = staff.post(f"/staff/decisions/{d.id}/drafts/1/delete", data={"reason": " "})
    assert no_reason.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(DraftVersion.id))) == 1
    resp = staff.post(
        f"/staff/decisions/{d.id}/drafts/1/delete", data={"reason": "上传了错误的文件"}
    )
    assert resp.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(DraftVersion.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "draft.delete"))
    assert entry.reason == "上传了错误的文件" and entry.data["version"] == 1
    assert staff.get(f"/staff/decisions/{d.id}/drafts/1/edit").status_code == 404


def test_others_cannot_edit_or_delete_a_version(
    make_decision, organizer, resident, make_org, make_user, login_as
):
    d = make_decision()
    _saved_for_review(login_as(organizer), d)
    for user in (resident, make_user(org=make_org())):
        client = login_as(user)
        edit = client.post(
            f"/staff/decisions/{d.id}/drafts/1/edit", data={"title": "改", "source": SOURCE_V2}
        )
        delete = client.post(f"/staff/decisions/{d.id}/drafts/1/delete", data={"reason": "删"})
        assert edit.status_code == delete.status_code == 403
    assert db.session.scalar(sa.select(DraftVersion)).title == "稿"
