"""Display names of consultation enums, shared by pages, exports and mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Channel, Outcome

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

# The one source of outcome names: pages, receipts, mails, exports and the events pages
# all read these, so "未采纳" cannot read "不予采纳" somewhere else.
OUTCOME_LABELS = {
    Outcome.adopted: _l("Adopted"),
    Outcome.partly_adopted: _l("Partly adopted"),
    Outcome.not_adopted: _l("Not adopted"),
    Outcome.explained: _l("Explained"),
}
# Badge kinds: colour repeats the word, it never replaces it.
OUTCOME_BADGES = {
    Outcome.adopted: "ok",
    Outcome.partly_adopted: "info",
    Outcome.not_adopted: "err",
    Outcome.explained: "neutral",
}
