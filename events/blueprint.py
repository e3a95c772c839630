"""The feature's blueprints; view modules attach their routes to these."""

from flask import Blueprint

# Public, participant and staff pages: /events/...
bp = Blueprint("events", __name__, template_folder="templates")
# JSON under /api/v1/events.
api = Blueprint("events_api", __name__, url_prefix="/api/v1")
