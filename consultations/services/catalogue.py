"""The yearly decision catalogue: listing, creating and adjusting decisions.

Every change of a public field is kept as a DecisionAdjustment (what, when, why) and
shown on the decision page; confidential decisions never reach a public query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, NotFound, ServiceError
from participation.models import Organization, User
from participation.permissions import is_organizer_of, require_organizer, require_signed_in

from ..models import Catalogue, Decision, DecisionAdjustment, Stage

MAX_TITLE = 300
MAX_TEXT = 20_000
MIN_REASON = 4
MIN_YEAR, MAX_YEAR = 2000, 2100

STAGE_LABELS = {
    Stage.planned: _l("Planned"),
    Stage.drafting: _l("Drafting"),
    Stage.consulting: _l("Public consultation"),
    Stage.deliberating: _l("Deliberation"),
    Stage.decided: _l("Decided"),
    Stage.implementing: _l("Implementing"),
}
LEVEL_LABELS = {
    "province": _l("Provincial"),
    "city": _l("Municipal"),
    "county": _l("County"),
}
# The catalogue entry's public fields: a change to any of them is an adjustment.
PUBLIC_FIELDS = ("title", "summary", "legal_basis", "planned_start", "planned_end", "stage")
FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "legal_basis": _l("Legal basis"),
    "planned_start": _l("Planned start"),
    "planned_end": _l("Planned completion"),
    "stage": _l("Stage"),
    "withdrawn": _l("Withdrawn"),
}


# ---- reads ----------------------------------------------------------------------------


def public_decisions() -> sa.Select:
    """Decisions anyone may see; the confidential ones are filtered in SQL, never later."""
    return sa.select(Decision).where(Decision.confidential.is_(False))


def public_numbers(catalogue_ids: Iterable[int]) -> dict[int, int]:
    """Each public decision's number among the public decisions of its catalogue.

    The stored number counts confidential decisions too, so showing it would reveal
    through a gap (6, 8) that a confidential one exists. Public pages and the API show
    these; staff pages show the stored number.
    """
    ids = set(catalogue_ids)
    if not ids:
        return {}
    position = sa.func.row_number().over(
        partition_by=Decision.catalogue_id, order_by=(Decision.number, Decision.id)
    )
    rows = db.session.execute(
        sa.select(Decision.id, position).where(
            Decision.confidential.is_(False), Decision.catalogue_id.in_(ids)
        )
    )
    return {decision_id: n for decision_id, n in rows}


def public_number(decision: Decision) -> int | None:
    """The public number of one decision; None for a confidential one."""
    return public_numbers([decision.catalogue_id]).get(decision.id)


@dataclass(frozen=True)
class CatalogueFilter:
    year: int | None = None
    level: str | None = None
    organization_id: int | None = None
    stage: Stage | None = None


def catalogue_query(f: CatalogueFilter) -> sa.Select:
    query = public_decisions().join(Catalogue)
    if f.year is not None:
        query = query.where(Catalogue.year == f.year)
    if f.level:
        query = query.where(Catalogue.level == f.level)
    if f.organization_id is not None:
        query = query.where(Decision.organization_id == f.organization_id)
    if f.stage is not None:
        query = query.where(Decision.stage == f.stage)
    level_rank = sa.case({key: i for i, key in enumerate(LEVEL_LABELS)}, value=Catalogue.level)
    return query.order_by(Catalogue.year.desc(), level_rank, Decision.number, Decision.id)


def catalogue_years() -> list[int]:
    rows = db.session.scalars(
        sa.select(Catalogue.year)
        .join(Decision)
        .where(Decision.confidential.is_(False))
        .distinct()
        .order_by(Catalogue.year.desc())
    )
    return list(rows)


def catalogue_agencies() -> list[Organization]:
    """Agencies with at least one public decision (a filter must never hint at secrets)."""
    ids = public_decisions().with_only_columns(Decision.organization_id).distinct()
    return list(
        db.session.scalars(
            sa.select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name)
        )
    )


def get_decision(decision_id: int, viewer: User | None = None) -> Decision:
    """A public decision, or a confidential one for its own agency's staff; else 404."""
    decision = db.session.get(Decision, decision_id)
    if decision is None or (
        decision.confidential and not is_organizer_of(viewer, decision.organization_id)
    ):
        raise NotFound(_("There is no such decision."))
    return decision


def manageable_decision(user: User | None, decision_id: int) -> Decision:
    """A decision its agency's staff (or an admin) may manage; others get 403."""
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(_("There is no such decision."))
    require_organizer(user, decision.organization_id)
    return decision


def agencies_for(user: User) -> list[Organization]:
    """The agencies a staff member may list decisions for."""
    query = sa.select(Organization).where(Organization.is_agency.is_(True))
    if not user.is_admin:
        query = query.where(Organization.id.in_(user.organization_ids or {-1}))
    return list(db.session.scalars(query.order_by(Organization.name)))


def recent_decisions(limit: int = 5) -> list[Decision]:
    query = public_decisions().where(Decision.withdrawn.is_(False))
    return list(
        db.session.scalars(
            query.order_by(Decision.updated_at.desc(), Decision.id.desc()).limit(limit)
        )
    )


def staff_decisions(user: User) -> sa.Select:
    """The decisions a staff member may manage: their agencies' (an admin: all)."""
    require_signed_in(user)
    query = sa.select(Decision).join(Catalogue)
    if not user.is_admin:
        query = query.where(Decision.organization_id.in_(user.organization_ids or {-1}))
    return query.order_by(Catalogue.year.desc(), Decision.number, Decision.id)


# ---- input checks ---------------------------------------------------------------------


def _text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), field=name)
    if len(value) > limit:
        raise ServiceError(_("At most %(n)d characters, please.", n=limit), field=name)
    return value


def parse_date(value: Any, name: str) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    value = str(value).strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ServiceError(_("Please enter a date like 2026-03-31."), field=name) from exc


def parse_stage(value: Any) -> Stage:
    try:
        return Stage(value)
    except ValueError as exc:
        raise ServiceError(_("Please choose a stage."), field="stage") from exc


def _reason(value: Any) -> str:
    reason = _text(value, "reason", MAX_TEXT)
    if len(reason) < MIN_REASON:
        raise ServiceError(
            _("Please give the reason for this change; it is published with it."), field="reason"
        )
    return reason


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "title": _text(data.get("title"), "title", MAX_TITLE, required=True),
        "summary": _text(data.get("summary"), "summary", MAX_TEXT),
        "legal_basis": _text(data.get("legal_basis"), "legal_basis", MAX_TEXT),
        "planned_start": parse_date(data.get("planned_start"), "planned_start"),
        "planned_end": parse_date(data.get("planned_end"), "planned_end"),
        "stage": parse_stage(data.get("stage") or Stage.planned),
    }
    start, end = fields["planned_start"], fields["planned_end"]
    if start and end and end < start:
        raise ServiceError(
            _("The planned completion must not be before the planned start."), field="planned_end"
        )
    return fields


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Stage):
        return value.value
    return value


# ---- writes ---------------------------------------------------------------------------


def catalogue_for(year: int, level: str) -> Catalogue:
    """The catalogue of one year and government level, created on first use."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(_("Please enter a valid year."), field="year")
    catalogue = db.session.scalar(
        sa.select(Catalogue).where(Catalogue.year == year, Catalogue.level == level)
    )
    if catalogue is None:
        catalogue = Catalogue(
            year=year, level=level, title=f"{year}年重大行政决策事项目录", published_at=utcnow()
        )
        db.session.add(catalogue)
        db.session.flush()
    return catalogue


def create_decision(
    actor: User, organization: Organization, year: int, data: dict[str, Any]
) -> Decision:
    """List a decision in its agency's catalogue for the year (an "added" adjustment)."""
    require_organizer(actor, organization.id)
    if not organization.is_agency:
        raise ServiceError(
            _("Only a government agency can lead a decision."), field="organization_id"
        )
    fields = _clean_fields(data)
    catalogue = catalogue_for(year, organization.level)
    number = (
        db.session.scalar(
            sa.select(sa.func.max(Decision.number)).where(Decision.catalogue_id == catalogue.id)
        )
        or 0
    ) + 1
    decision = Decision(
        catalogue=catalogue,
        organization=organization,
        number=number,
        confidential=bool(data.get("confidential")),
        **fields,
    )
    db.session.add(decision)
    db.session.flush()
    reason = _text(data.get("reason"), "reason", MAX_TEXT)
    db.session.add(
        DecisionAdjustment(
            decision=decision,
            actor_id=actor.id,
            kind="added",
            changes={"title": [None, decision.title]},
            reason=reason,
        )
    )
    audit.record(
        actor,
        "decision.create",
        "decision",
        decision.id,
        reason=reason,
        data={"year": year, "confidential": decision.confidential},
    )
    return decision


def adjust_decision(actor: User, decision: Decision, data: dict[str, Any]) -> DecisionAdjustment:
    """Change public fields with a published reason; nothing changes without one."""
    require_organizer(actor, decision.organization_id)
    if decision.withdrawn:
        raise Conflict(_("This decision has been withdrawn from the catalogue."))
    fields = _clean_fields(data)
    changes = {
        name: [_jsonable(getattr(decision, name)), _jsonable(value)]
        for name, value in fields.items()
        if getattr(decision, name) != value
    }
    confidential = bool(data.get("confidential"))
    if not changes and confidential == decision.confidential:
        raise ServiceError(_("Nothing was changed."))
    reason = _reason(data.get("reason"))
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.confidential = confidential
    adjustment = DecisionAdjustment(
        decision=decision,
        actor_id=actor.id,
        kind="stage" if set(changes) == {"stage"} else "changed",
        changes=changes,
        reason=reason,
    )
    db.session.add(adjustment)
    audit.record(
        actor,
        "decision.adjust",
        "decision",
        decision.id,
        reason=reason,
        data={"changes": changes, "confidential": confidential},
    )
    return adjustment


def advance_stage(actor: User, decision: Decision, stage: Stage, reason: Any) -> None:
    """A stage change made as a side effect of another step (opening a consultation).

    The generated reason goes into the public record in the platform's default
    language, whatever language the organizer happens to browse in.
    """
    if decision.stage == stage:
        return
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        reason = str(reason)
    db.session.add(
        DecisionAdjustment(
            decision=decision,
            actor_id=actor.id,
            kind="stage",
            changes={"stage": [decision.stage.value, stage.value]},
            reason=reason,
        )
    )
    decision.stage = stage


def withdraw_decision(actor: User, decision: Decision, reason: str) -> DecisionAdjustment:
    require_organizer(actor, decision.organization_id)
    if decision.withdrawn:
        raise Conflict(_("This decision has already been withdrawn."))
    reason = _reason(reason)
    decision.withdrawn = True
    adjustment = DecisionAdjustment(
        decision=decision,
        actor_id=actor.id,
        kind="withdrawn",
        changes={"withdrawn": [False, True]},
        reason=reason,
    )
    db.session.add(adjustment)
    audit.record(actor, "decision.withdraw", "decision", decision.id, reason=reason)
    return adjustment


def record_outcome(actor: User, decision: Decision, data: dict[str, Any]) -> Decision:
    """The later steps: deliberation, the decision text and its interpretation."""
    require_organizer(actor, decision.organization_id)
    if decision.withdrawn:
        raise Conflict(_("This decision has been withdrawn from the catalogue."))
    values = {
        "deliberation": _text(data.get("deliberation"), "deliberation", MAX_TEXT * 5),
        "deliberated_on": parse_date(data.get("deliberated_on"), "deliberated_on"),
        "decision_text": _text(data.get("decision_text"), "decision_text", MAX_TEXT * 5),
        "decided_on": parse_date(data.get("decided_on"), "decided_on"),
        "interpretation": _text(data.get("interpretation"), "interpretation", MAX_TEXT * 5),
    }
    today = utcnow().date()
    for name in ("deliberated_on", "decided_on"):
        if values[name] and values[name] > today:
            raise ServiceError(_("This date is in the future."), field=name)
    if values["deliberation"] and not values["deliberated_on"]:
        raise ServiceError(_("Please give the date of the meeting."), field="deliberated_on")
    if values["decision_text"] and not values["decided_on"]:
        raise ServiceError(_("Please give the date of the decision."), field="decided_on")
    if values["decided_on"] and not values["decision_text"]:
        raise ServiceError(_("Please enter the decision text."), field="decision_text")
    changed = [k for k, v in values.items() if getattr(decision, k) != v]
    if not changed:
        raise ServiceError(_("Nothing was changed."))
    for name, value in values.items():
        setattr(decision, name, value)
    # The stage follows the recorded steps, so the catalogue never lags behind.
    if values["decided_on"] and decision.stage not in (Stage.decided, Stage.implementing):
        advance_stage(actor, decision, Stage.decided, _l("The decision was made."))
    elif values["deliberated_on"] and decision.stage in (
        Stage.planned,
        Stage.drafting,
        Stage.consulting,
    ):
        advance_stage(actor, decision, Stage.deliberating, _l("Submitted for deliberation."))
    audit.record(actor, "decision.outcome", "decision", decision.id, data={"fields": changed})
    return decision
