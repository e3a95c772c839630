"""Organizers' event texts and participants' names never publish personal data: the event
page and the JSON API show them masked (issue 11)."""

from __future__ import annotations

import json

from events.models import SelectionMode
from events.services import applications, manage
from participation.db import db
from tests.events.factories import form, shift

OUTCOME = "会议决定暂缓实施。联系人电话 138.1234.5678，邮箱 someone at example dot com。"
SECRETS = ("138.1234.5678", "1234.5678", "someone at example", "13912345678")


def test_event_page_and_api_mask_staff_and_participant_texts(
    make_event, organizer, resident, client
):
    event = make_event(selection_mode=SelectionMode.first_come)
    applications.apply(resident, event, form(full_name="张三13912345678"))
    manage.add_material(organizer, event, "议程", body=f"报名咨询：{OUTCOME}")
    manage.publish_participants(organizer, event)
    db.session.commit()
    shift(event, days=-60)
    manage.publish_outcome(organizer, event, OUTCOME, "观察员意见已逐条答复。")
    db.session.commit()
    manage.publish_outcome(organizer, event, OUTCOME + "（更正）", "观察员意见已逐条答复。")
    db.session.commit()

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    api = json.dumps(client.get(f"/api/v1/events/{event.id}").get_json(), ensure_ascii=False)
    for name, body in (("page", page), ("api", api)):
        for secret in SECRETS:
            assert secret not in body, (name, secret)
    assert "138.****.5678" in api and "张三139****5678" in api
