"""Display names of consultation enums, shared by pages, exports and mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Channel

CHANNEL_LABELS = {
    Channel.online: _l("Online"),
    Channel.letter: _l("Letter"),
    Channel.email: _l("Email"),
    Channel.phone: _l("Phone"),
    Channel.symposium: _l("Symposium"),
    Channel.field_visit: _l("Field visit"),
    Channel.hearing: _l("Hearing"),
    Channel.questionnaire: _l("Questionnaire"),
    Channel.poll: _l("Opinion poll"),
    Channel.meeting: _l("Government meeting"),
    Channel.live_qa: _l("Live Q&A"),
    Channel.open_day: _l("Open day"),
}
