"""OpenAPI description of the open data endpoints (merged into /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"description": "Error", "content": {"application/json": {"schema": _ref("Error")}}}
_PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
    },
]


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


_OUTCOME = {
    "type": ["string", "null"],
    "enum": ["adopted", "partly_adopted", "not_adopted", "explained", None],
}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/decisions": {
            "get": {
                "summary": "Decisions of the yearly catalogues (never confidential ones)",
                "tags": ["Open data"],
                "parameters": [
                    {"name": "year", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "agency",
                        "in": "query",
                        "schema": {"type": "integer"},
                        "description": "Id of the lead agency",
                    },
                    {
                        "name": "stage",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": [
                                "planned",
                                "drafting",
                                "consulting",
                                "deliberating",
                                "decided",
                                "implementing",
                            ],
                        },
                    },
                    *_PAGE_PARAMS,
                ],
                "responses": {
                    "200": _json(_ref("DecisionPage"), "One page of decisions"),
                    "400": _ERROR,
                },
            }
        },
        "/api/v1/decisions/{decision_id}": {
            "get": {
                "summary": "One decision with its drafts, consultations and adjustments",
                "tags": ["Open data"],
                "parameters": [_id("decision_id")],
                "responses": {
                    "200": _json({"type": "object"}, "The decision"),
                    "404": _ERROR,
                },
            }
        },
        "/api/v1/consultations/{consultation_id}": {
            "get": {
                "summary": "One consultation: window, state, draft articles, report link",
                "tags": ["Open data"],
                "parameters": [_id("consultation_id")],
                "responses": {
                    "200": _json(_ref("Consultation"), "The consultation"),
                    "404": _ERROR,
                },
            }
        },
        "/api/v1/consultations/{consultation_id}/feedback": {
            "get": {
                "summary": "The latest published version of the feedback report: figures, "
                "groups and every comment with its outcome and reason (paginated). 404 until "
                "the report is published.",
                "tags": ["Open data"],
                "parameters": [_id("consultation_id"), *_PAGE_PARAMS],
                "responses": {
                    "200": _json(_ref("Feedback"), "The latest version of the report"),
                    "404": _ERROR,
                },
            }
        },
        "/api/v1/consultations/{consultation_id}/feedback/v/{number}": {
            "get": {
                "summary": "One published version of the feedback report, fixed for good: "
                "version 1 as first published, later numbers its addenda.",
                "tags": ["Open data"],
                "parameters": [
                    _id("consultation_id"),
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    *_PAGE_PARAMS,
                ],
                "responses": {
                    "200": _json(_ref("Feedback"), "That version of the report"),
                    "404": _ERROR,
                },
            }
        },
    },
    "components": {
        "schemas": {
            "DecisionSummary": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "year": {"type": "integer"},
                    "level": {"type": "string"},
                    "number": {"type": "integer"},
                    "agency": {"type": "object"},
                    "stage": {"type": "string"},
                    "withdrawn": {"type": "boolean"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "url": {"type": "string", "format": "uri"},
                },
            },
            "DecisionPage": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": _ref("DecisionSummary")},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "total": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "next": {"type": ["string", "null"]},
                    "prev": {"type": ["string", "null"]},
                },
            },
            "Consultation": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "state": {
                        "type": "string",
                        "enum": ["scheduled", "open", "closed", "reported"],
                    },
                    "opens_at": {"type": "string", "format": "date-time"},
                    "closes_at": {"type": "string", "format": "date-time"},
                    "report_published_at": {"type": ["string", "null"]},
                    "draft": {"type": "object"},
                },
            },
            "FeedbackComment": {
                "type": "object",
                "description": "Published information only: no author, contact or email; "
                "the text is masked and empty for comments published privately.",
                "properties": {
                    "receipt": {"type": "string"},
                    "article": {
                        "type": ["string", "null"],
                        "description": "The article's label; null for a comment on the whole "
                        "draft (then whole_draft is true).",
                    },
                    "whole_draft": {"type": "boolean"},
                    "channel": {"type": "string"},
                    "group": {"type": "string"},
                    "published_text": {"type": "string"},
                    "outcome": _OUTCOME,
                    "reason": {"type": "string"},
                    "agency": {"type": "string"},
                    "submitted_on": {"type": "string", "format": "date"},
                    "responded_on": {"type": ["string", "null"], "format": "date"},
                    "change": {
                        "type": ["string", "null"],
                        "enum": ["added", "changed", None],
                        "description": "How the entry differs from the previous version.",
                    },
                    "version": {"type": "integer", "description": "The report version."},
                },
            },
            "FeedbackVersion": {
                "type": "object",
                "description": "One published version and its stable URLs.",
                "properties": {
                    "number": {"type": "integer"},
                    "published_at": {"type": "string", "format": "date-time"},
                    "note": {"type": "string", "description": "What changed, in words."},
                    "changes": {
                        "type": "object",
                        "properties": {
                            "added": {"type": "integer"},
                            "changed": {"type": "integer"},
                            "removed": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "url": {"type": "string", "format": "uri"},
                    "json_url": {"type": "string", "format": "uri"},
                    "csv_url": {"type": "string", "format": "uri"},
                    "xlsx_url": {"type": "string", "format": "uri"},
                },
            },
            "Feedback": {
                "type": "object",
                "properties": {
                    "consultation": _ref("Consultation"),
                    "version": _ref("FeedbackVersion"),
                    "latest_version": {"type": "integer"},
                    "versions": {"type": "array", "items": _ref("FeedbackVersion")},
                    "summary": {"type": "string"},
                    "figures": {"type": "object"},
                    "groups": {"type": "array", "items": {"type": "object"}},
                    "comments": {"type": "array", "items": _ref("FeedbackComment")},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "total": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "next": {"type": ["string", "null"]},
                },
            },
        }
    },
}
