"""Builders for consultation data, shared by every consultations test module."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from consultations.models import (
    Article,
    Catalogue,
    Comment,
    CommentStatus,
    Consultation,
    Decision,
    DraftVersion,
    Stage,
)
from participation.db import db, utcnow
from participation.models import Organization, User


@pytest.fixture
def agency(make_org: Callable[..., Organization]) -> Organization:
    return make_org("山东省生态环境厅", name_en="Dept. of Ecology and Environment")


@pytest.fixture
def organizer(make_user: Callable[..., User], agency: Organization) -> User:
    return make_user("organizer@example.org", org=agency, name="起草人")


@pytest.fixture
def approver(make_user: Callable[..., User], agency: Organization) -> User:
    return make_user("approver@example.org", org=agency, name="审核人")


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user("resident@example.org", name="居民甲")


@pytest.fixture
def make_decision(agency: Organization) -> Callable[..., Decision]:
    def make(org: Organization | None = None, **kw: Any) -> Decision:
        year = kw.pop("year", utcnow().year)
        level = (org or agency).level
        catalogue = db.session.query(Catalogue).filter_by(year=year, level=level).first()
        if catalogue is None:
            catalogue = Catalogue(
                year=year, level=level, title=f"{year}年重大行政决策事项目录", published_at=utcnow()
            )
            db.session.add(catalogue)
        decision = Decision(
            catalogue=catalogue,
            organization=org or agency,
            title=kw.pop("title", "山东省大气污染防治条例（修订）"),
            summary=kw.pop("summary", "修订大气污染防治相关规定。"),
            stage=kw.pop("stage", Stage.consulting),
            **kw,
        )
        db.session.add(decision)
        db.session.commit()
        return decision

    return make


ARTICLES = [
    ("第一章 总则", "为了保护和改善大气环境，制定本条例。"),
    ("第一章 总则", "本条例适用于本省行政区域内的大气污染防治。"),
    ("第二章 监督管理", "县级以上人民政府应当将大气环境保护工作纳入国民经济和社会发展规划。"),
    ("第二章 监督管理", "生态环境主管部门对大气污染防治实施统一监督管理。"),
]


@pytest.fixture
def make_consultation(
    make_decision: Callable[..., Decision], organizer: User
) -> Callable[..., Consultation]:
    """An open consultation by default; state='scheduled'|'closed' moves the window."""

    def make(decision: Decision | None = None, state: str = "open", **kw: Any) -> Consultation:
        decision = decision or make_decision()
        version = len(decision.drafts) + 1
        draft = DraftVersion(
            decision=decision,
            version=version,
            title=decision.title + "（征求意见稿）",
            explanation="起草说明：为落实上位法要求。",
            published_at=utcnow(),
            created_by_id=organizer.id,
        )
        for i, (chapter, text) in enumerate(ARTICLES, start=1):
            draft.articles.append(Article(number=i, chapter=chapter, label=f"第{i}条", text=text))
        now = utcnow()
        opens, closes = {
            "open": (now - timedelta(days=3), now + timedelta(days=30)),
            "scheduled": (now + timedelta(days=2), now + timedelta(days=40)),
            "closed": (now - timedelta(days=40), now - timedelta(days=5)),
        }[state]
        consultation = Consultation(
            decision=decision,
            draft=draft,
            title=kw.pop("title", draft.title),
            opens_at=kw.pop("opens_at", opens),
            closes_at=kw.pop("closes_at", closes),
            email="yijian@example.gov.cn",
            phone="0531-12345678",
            postal_address="济南市历下区某路1号",
            created_by_id=organizer.id,
            **kw,
        )
        db.session.add_all([draft, consultation])
        db.session.commit()
        return consultation

    return make


@pytest.fixture
def add_comment() -> Callable[..., Comment]:
    """Insert a comment directly (bypassing the service) for tests of later steps."""
    counter = iter(range(1, 1_000_000))

    def make(
        consultation: Consultation,
        body: str = "建议加强对扬尘污染的监管。",
        author: User | None = None,
        **kw: Any,
    ) -> Comment:
        n = next(counter)
        comment = Comment(
            consultation=consultation,
            author=author,
            body=body,
            published_body=kw.pop("published_body", body),
            receipt_no=kw.pop("receipt_no", f"T{consultation.id:04d}{n:08d}"),
            status=kw.pop("status", CommentStatus.accepted),
            **kw,
        )
        db.session.add(comment)
        db.session.commit()
        return comment

    return make
