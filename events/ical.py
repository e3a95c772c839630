"""iCalendar (.ics) file for a confirmed participant."""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as VEvent

from participation.db import utcnow
from participation.links import external_url

from .models import Application, Event


def ics(event: Event, application: Application, *, cancelled: bool = False) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//canyu//events//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    item = VEvent()
    # Stable UID: a changed or cancelled event updates the same calendar entry.
    item.add("uid", f"event-{event.id}-application-{application.id}@canyu")
    item.add("dtstamp", utcnow())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("location", event.place or event.online_url)
    url = external_url("events.event_detail", event_id=event.id)
    item.add("url", url)
    item.add("description", f"{url}\nCheck-in code: {application.checkin_code}")
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("sequence", event.lock_version)
    cal.add_component(item)
    return cal.to_ical()
