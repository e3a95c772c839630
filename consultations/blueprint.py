"""The feature's blueprints; view modules attach their routes to these."""

from flask import Blueprint

# Public pages and staff pages share one blueprint: /decisions/..., /consultations/...
bp = Blueprint("consultations", __name__, template_folder="templates")
# JSON open data and the comment API under /api/v1.
api = Blueprint("consultations_api", __name__, url_prefix="/api/v1")
