"""Comment groups: the grouping task and its progress, confirm, split, merge, dissolve."""

from __future__ import annotations

import sqlalchemy as sa

from consultations.models import (
    Comment,
    CommentGroup,
    GroupingJob,
    PublishMode,
)
from consultations.services import groups, responses
from consultations.tasks import run_grouping
from participation.db import db
from participation.models import AuditEntry

CAMPAIGN = "强烈建议取消第十二条关于电动自行车限行的规定，影响外卖骑手的正常工作和生活。"
OTHER = "建议在老旧小区增设公共充电桩，解决居民充电难的问题，并明确消防安全管理责任。"


def _campaign(add_comment, c, n=6, **kw):
    suffixes = ["", "！", "，谢谢。", "希望采纳。", "请认真考虑。", "支持骑手。", "拜托了。"]
    return [add_comment(c, CAMPAIGN + suffixes[i % len(suffixes)], **kw) for i in range(n)]


def test_grouping_task_proposes_groups_and_reports_progress(
    make_consultation, add_comment, organizer, resident, login_as
):
    c = make_consultation(state="closed")
    campaign = _campaign(add_comment, c)
    loner = add_comment(c, "关于第三条，建议明确县级人民政府的责任边界以及考核办法。")
    client = login_as(organizer)
    resp = client.post(f"/staff/consultations/{c.id}/groups/run")
    assert resp.status_code == 303
    job = db.session.scalar(sa.select(GroupingJob))
    assert job.status == "done"  # eager Celery in tests
    assert job.total == 7
    assert job.result["groups"] == 1
    state = client.get(f"/staff/grouping-jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100
    group = db.session.scalar(sa.select(CommentGroup))
    assert not group.confirmed
    assert sorted(x.id for x in group.comments) == sorted(x.id for x in campaign)
    db.session.refresh(loner)
    assert loner.group_id is None
    page = client.get(f"/staff/consultations/{c.id}/groups?lang=en").get_data(as_text=True)
    assert "<progress" in page and "grouping-progress.js" in page
    assert "Proposed groups" in page
    # Progress is staff-only.
    assert login_as(resident).get(f"/staff/grouping-jobs/{job.id}.json").status_code == 403


def test_rerun_replaces_proposals_but_keeps_confirmed_groups(
    make_consultation, add_comment, organizer
):
    c = make_consultation(state="closed")
    _campaign(add_comment, c, n=4)
    others = [add_comment(c, OTHER + s) for s in ("", "。", "！")]
    job = groups.start_grouping(organizer, c)
    db.session.commit()  # runs the task
    assert db.session.scalar(sa.select(sa.func.count(CommentGroup.id))) == 2
    charging = db.session.scalar(
        sa.select(CommentGroup).join(Comment).where(Comment.id == others[0].id)
    )
    groups.confirm(organizer, charging, "增设充电桩")
    db.session.commit()
    # A second run (or a redelivered task) replaces only the unconfirmed proposal.
    job2 = groups.start_grouping(organizer, c)
    db.session.commit()
    assert job2.id != job.id
    assert run_grouping(job2.id) == "skipped"  # already done: idempotent
    rows = db.session.scalars(sa.select(CommentGroup).order_by(CommentGroup.id)).all()
    assert len(rows) == 2
    assert rows[0].id == charging.id and rows[0].confirmed
    assert sorted(x.id for x in rows[0].comments) == sorted(x.id for x in others)


def test_double_click_reuses_the_running_job(make_consultation, organizer):
    c = make_consultation()
    db.session.add(GroupingJob(consultation_id=c.id, status="running"))
    db.session.commit()
    job = groups.start_grouping(organizer, c)
    assert job.status == "running"
    assert db.session.scalar(sa.select(sa.func.count(GroupingJob.id))) == 1


def test_proposal_title_never_quotes_a_private_comment(make_consultation, add_comment, organizer):
    c = make_consultation()
    _campaign(add_comment, c, n=3, publish_mode=PublishMode.private)
    groups.start_grouping(organizer, c)
    db.session.commit()
    group = db.session.scalar(sa.select(CommentGroup))
    assert CAMPAIGN[:10] not in group.title


def test_confirm_split_merge_and_dissolve(make_consultation, add_comment, organizer, login_as):
    c = make_consultation()
    g1 = CommentGroup(consultation_id=c.id, title="提议一")
    g2 = CommentGroup(consultation_id=c.id, title="提议二")
    db.session.add_all([g1, g2])
    db.session.commit()
    a = [add_comment(c, f"意见{i}", group_id=g1.id) for i in range(4)]
    b = [add_comment(c, f"其他{i}", group_id=g2.id) for i in range(2)]
    client = login_as(organizer)
    url = f"/staff/groups/{g1.id}"

    assert client.post(url, data={"action": "confirm", "title": " "}).status_code == 400
    assert client.post(url, data={"action": "confirm", "title": "限行规定"}).status_code == 303
    db.session.refresh(g1)
    assert g1.confirmed and g1.title == "限行规定"

    resp = client.post(
        url, data={"action": "split", "ids": [a[0].id, a[1].id], "new_title": "另一类"}
    )
    assert resp.status_code == 303
    db.session.expire_all()
    moved = db.session.get(Comment, a[0].id).group
    assert moved.title == "另一类" and moved.confirmed
    assert sorted(x.id for x in db.session.get(CommentGroup, g1.id).comments) == [
        a[2].id,
        a[3].id,
    ]

    # Splitting off comments that are not members is refused.
    assert client.post(url, data={"action": "split", "ids": [b[0].id]}).status_code == 400

    assert client.post(url, data={"action": "merge", "sources": [g2.id]}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CommentGroup, g2.id) is None
    assert len(db.session.get(CommentGroup, g1.id).comments) == 4

    assert client.post(url, data={"action": "dissolve"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CommentGroup, g1.id) is None
    assert db.session.get(Comment, a[2].id).group_id is None
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"group.confirm", "group.split", "group.merge", "group.dissolve"} <= actions


def test_merge_refuses_groups_of_another_consultation_or_with_a_response(
    make_consultation, add_comment, organizer, login_as
):
    c, other = make_consultation(), make_consultation()
    g1 = CommentGroup(consultation_id=c.id, title="一", confirmed=True)
    g2 = CommentGroup(consultation_id=other.id, title="二", confirmed=True)
    g3 = CommentGroup(consultation_id=c.id, title="三", confirmed=True)
    db.session.add_all([g1, g2, g3])
    db.session.commit()
    add_comment(c, group_id=g1.id)
    add_comment(other, group_id=g2.id)
    add_comment(c, group_id=g3.id)
    responses.draft_for_group(organizer, g3, "adopted", "")
    db.session.commit()
    client = login_as(organizer)
    url = f"/staff/groups/{g1.id}"
    assert client.post(url, data={"action": "merge", "sources": [g2.id]}).status_code == 404
    assert client.post(url, data={"action": "merge", "sources": [g3.id]}).status_code == 409
    assert client.post(url, data={"action": "merge", "sources": ["x"]}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(CommentGroup.id))) == 3


def test_group_with_published_response_is_frozen(
    make_consultation, add_comment, organizer, approver, login_as
):
    c = make_consultation()
    g = CommentGroup(consultation_id=c.id, title="一", confirmed=True)
    db.session.add(g)
    db.session.commit()
    members = [add_comment(c, group_id=g.id) for _ in range(2)]
    newcomer = add_comment(c)
    r = responses.draft_for_group(organizer, g, "not_adopted", "理由")
    responses.approve(approver, r)
    responses.publish(approver, r)
    db.session.commit()
    client = login_as(organizer)
    resp = client.post(f"/staff/groups/{g.id}", data={"action": "split", "ids": [members[0].id]})
    assert resp.status_code == 409
    resp = client.post(
        f"/staff/consultations/{c.id}/bulk",
        data={"action": "assign", "ids": [newcomer.id], "group_id": g.id},
    )
    assert resp.status_code == 409
    db.session.expire_all()
    assert len(db.session.get(CommentGroup, g.id).comments) == 2


def test_bulk_assign_to_new_and_existing_group(make_consultation, add_comment, organizer, login_as):
    c = make_consultation()
    comments = [add_comment(c) for _ in range(3)]
    client = login_as(organizer)
    url = f"/staff/consultations/{c.id}/bulk"
    resp = client.post(
        url,
        data={
            "action": "assign",
            "ids": [comments[0].id, comments[1].id],
            "new_group_title": "扬尘监管",
        },
    )
    assert resp.status_code == 303
    group = db.session.scalar(sa.select(CommentGroup))
    assert group.confirmed and group.title == "扬尘监管"
    resp = client.post(
        url, data={"action": "assign", "ids": [comments[2].id], "group_id": group.id}
    )
    assert resp.status_code == 303
    db.session.expire_all()
    assert len(db.session.get(CommentGroup, group.id).comments) == 3
    # Neither a group nor a title: a clear refusal.
    assert client.post(url, data={"action": "assign", "ids": [comments[0].id]}).status_code == 400


def test_other_agency_cannot_run_grouping_or_edit_groups(
    make_consultation, add_comment, make_org, make_user, resident, login_as
):
    c = make_consultation()
    g = CommentGroup(consultation_id=c.id, title="一")
    db.session.add(g)
    db.session.commit()
    outsider = make_user(org=make_org("山东省交通运输厅"))
    for user in (outsider, resident):
        client = login_as(user)
        assert client.post(f"/staff/consultations/{c.id}/groups/run").status_code == 403
        assert client.get(f"/staff/consultations/{c.id}/groups").status_code == 403
        resp = client.post(f"/staff/groups/{g.id}", data={"action": "confirm", "title": "x"})
        assert resp.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(GroupingJob.id))) == 0
    db.session.refresh(g)
    assert not g.confirmed
