"""Public pages: the decision catalogue, a decision's page, its drafts and comparisons,
and the consultation notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from participation.db import db, utcnow
from participation.inputs import int_arg
from participation.permissions import is_organizer_of
from participation.registry import registry

from ..blueprint import bp
from ..models import Decision, Stage
from ..services import catalogue as catalogue_service
from ..services import drafts as draft_service
from ..services import windows
from ..timeline import HOOK, TimelineItem

PER_PAGE = 20


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Any:
    return draft_service.render_markdown(text)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    def stage_label(stage: Stage | str) -> str:
        return str(catalogue_service.STAGE_LABELS.get(Stage(stage), stage))

    def state_label(state: str) -> str:
        return str(windows.STATE_LABELS.get(state, state))

    def level_label(level: str) -> str:
        return str(catalogue_service.LEVEL_LABELS.get(level, level))

    def field_label(name: str) -> str:
        return str(catalogue_service.FIELD_LABELS.get(name, name))

    return {
        "stage_label": stage_label,
        "state_label": state_label,
        "state_badge": lambda state: windows.STATE_BADGES.get(state, "neutral"),
        "level_label": level_label,
        "field_label": field_label,
        "maybe_url": maybe_url,
        "all_stages": list(Stage),
    }


def maybe_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page another feature may not have built yet; None until it exists."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def home_context() -> dict[str, Any]:
    return {
        "open_consultations": [(c, windows.notice(c)) for c in windows.open_consultations(5)],
        "recent_decisions": catalogue_service.recent_decisions(5),
    }


# ---- catalogue ------------------------------------------------------------------------


def _filters(years: list[int]) -> catalogue_service.CatalogueFilter:
    year_arg = request.args.get("year", "")
    if year_arg == "all":
        year = None
    elif year_arg:
        year = int_arg("year")
    else:
        year = years[0] if years else None  # the latest catalogue by default
    stage_arg = request.args.get("stage", "")
    if stage_arg and stage_arg not in Stage.__members__:
        abort(400)
    level = request.args.get("level", "")
    if level and level not in catalogue_service.LEVEL_LABELS:
        abort(400)
    return catalogue_service.CatalogueFilter(
        year=year,
        level=level or None,
        organization_id=int_arg("agency"),
        stage=Stage(stage_arg) if stage_arg else None,
    )


@bp.get("/decisions/")
def catalogue() -> str:
    years = catalogue_service.catalogue_years()
    f = _filters(years)
    page = db.paginate(catalogue_service.catalogue_query(f), per_page=PER_PAGE, max_per_page=100)
    return render_template(
        "consultations/catalogue.html",
        page=page,
        numbers=catalogue_service.public_numbers({d.catalogue_id for d in page.items}),
        f=f,
        years=years,
        agencies=catalogue_service.catalogue_agencies(),
        levels=catalogue_service.LEVEL_LABELS,
    )


# ---- a decision and its steps ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One entry of the decision's public timeline."""

    when: datetime
    kind: str
    title: str
    url: str | None
    note: str = ""


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def decision_timeline(decision: Decision) -> list[Step]:
    """Every step as it happened, oldest first: drafts, consultations, reports, hearings
    (from other features), deliberation, the decision and its interpretation."""
    steps: list[Step] = []
    for draft in decision.drafts:
        if draft.published_at is None:
            continue
        url = url_for(".draft", decision_id=decision.id, version=draft.version)
        steps.append(
            Step(
                draft.published_at,
                "draft",
                _("Draft version %(n)d published", n=draft.version),
                url,
                draft.title,
            )
        )
        if draft.explanation:
            steps.append(
                Step(
                    draft.published_at,
                    "explanation",
                    _("Explanation of version %(n)d", n=draft.version),
                    url + "#explanation",
                )
            )
    for c in decision.consultations:
        steps.append(
            Step(
                c.opens_at,
                "consultation",
                _("Public consultation"),
                url_for(".consultation", consultation_id=c.id),
                c.title,
            )
        )
        if c.report_published_at:
            report_url = maybe_url("consultations.feedback", consultation_id=c.id)
            steps.append(
                Step(c.report_published_at, "report", _("Feedback report published"), report_url)
            )
    for items in registry().call(HOOK, decision):
        for item in items or []:
            if isinstance(item, TimelineItem):
                steps.append(Step(item.when, item.kind, item.title, item.url, item.note))
    if decision.deliberated_on:
        steps.append(
            Step(_at(decision.deliberated_on), "deliberation", _("Deliberation"), "#deliberation")
        )
    if decision.decided_on:
        steps.append(Step(_at(decision.decided_on), "decision", _("Decision made"), "#decision"))
        if decision.interpretation:
            steps.append(
                Step(
                    _at(decision.decided_on),
                    "interpretation",
                    _("Interpretation published"),
                    "#interpretation",
                )
            )
    return sorted(steps, key=lambda s: s.when)


def _can_manage(decision: Decision) -> bool:
    return is_organizer_of(current_user, decision.organization_id)


@bp.get("/decisions/<int:decision_id>")
def decision(decision_id: int) -> str:
    d = catalogue_service.get_decision(decision_id, current_user)
    published = [v for v in d.drafts if v.published_at is not None]
    return render_template(
        "consultations/decision.html",
        d=d,
        # A confidential decision (seen by its own staff) keeps its stored number.
        number=catalogue_service.public_number(d) or d.number,
        steps=decision_timeline(d),
        drafts=published,
        final=next((v for v in published if v.is_final), None),
        consultations=[(c, windows.notice(c)) for c in d.consultations],
        stages=list(Stage),
        can_manage=_can_manage(d),
        now=utcnow(),
    )


@bp.get("/decisions/<int:decision_id>/drafts/<int:version>")
def draft(decision_id: int, version: int) -> str:
    d = catalogue_service.get_decision(decision_id, current_user)
    v = draft_service.get_draft(d, version, include_unpublished=_can_manage(d))
    return render_template("consultations/draft.html", d=d, v=v)


@bp.get("/decisions/<int:decision_id>/compare")
def compare(decision_id: int) -> str:
    d = catalogue_service.get_decision(decision_id, current_user)
    published = [v for v in d.drafts if v.published_at is not None or _can_manage(d)]
    if len(published) < 2:
        return render_template("consultations/compare.html", d=d, versions=published, changes=None)
    a = int_arg("a") or published[-2].version
    b = int_arg("b") or published[-1].version
    old = draft_service.get_draft(d, a, include_unpublished=_can_manage(d))
    new = draft_service.get_draft(d, b, include_unpublished=_can_manage(d))
    changes = draft_service.compare_versions(old, new)
    show_all = request.args.get("all") == "1"
    return render_template(
        "consultations/compare.html",
        d=d,
        versions=published,
        old=old,
        new=new,
        changes=changes if show_all else [c for c in changes if c.status != "unchanged"],
        counts=draft_service.change_counts(changes),
        show_all=show_all,
    )


# ---- consultations --------------------------------------------------------------------


@bp.get("/consultations/")
def consultation_list() -> str:
    page = db.paginate(windows.public_consultations(), per_page=PER_PAGE, max_per_page=100)
    return render_template(
        "consultations/consultation_list.html",
        page=page,
        notices={c.id: windows.notice(c) for c in page.items},
    )


@bp.get("/consultations/<int:consultation_id>")
def consultation(consultation_id: int) -> str:
    c = windows.get_consultation(consultation_id, current_user)
    draft = c.draft
    previous = [v for v in c.decision.drafts if v.published_at and v.version < draft.version]
    return render_template(
        "consultations/consultation.html",
        consultation=c,
        c=c,
        n=windows.notice(c),
        draft=draft,
        previous=previous[-1] if previous else None,
        can_manage=_can_manage(c.decision),
    )
