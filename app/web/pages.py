"""Server-rendered HTML pages for people: the forces, a report card with its findings,
the framework grids, lists of forces, frameworks and inspections, search.

Each page is built from the same services and public models as the JSON it links to,
so the two never disagree, and offers it for download (JSON, and CSV where the API
answers CSV). No JavaScript: Jinja2 templates and one stylesheet served from this process
(no CDN). A browser asking for a path no page or route answers (outside `/v1`) gets an
HTML 404 page; API clients, and every `/v1` path, keep their problem+json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.deps import SessionDep
from app.api.http_cache import conditional_get
from app.resources import forces, grids, history, inspections
from app.resources.search import hit_href
from app.resources.urls import API, urls
from app.services import catalogue
from app.services import inspections as inspection_service
from app.services import search as search_service
from app.web import views
from app.web.marks import marked_segments

HERE = Path(__file__).parent
STATIC = "/static/site"
SEARCH_PAGE_SIZE = 20
MAX_SEARCH_OFFSET = 10_000

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["static"] = STATIC
templates.env.globals["urls"] = urls
templates.env.globals["hit_href"] = hit_href
templates.env.globals["hit_page"] = views.hit_page
templates.env.globals["OBSERVATIONS"] = views.OBSERVATIONS
templates.env.filters["marked"] = marked_segments
templates.env.filters["when"] = views.when
templates.env.filters["coverage_short"] = views.coverage_short
templates.env.globals["NOT_COMPARABLE"] = views.NOT_COMPARABLE
templates.env.globals["NOT_AVAILABLE"] = grids.NOT_AVAILABLE
templates.env.globals["NOT_INSPECTED"] = grids.NOT_INSPECTED

# Validators (ETag, 304) as on the JSON: the response cache then keeps pages too.
router = APIRouter(
    include_in_schema=False,
    default_response_class=HTMLResponse,
    dependencies=[Depends(conditional_get)],
)


def install_pages(app: FastAPI) -> None:
    """The pages, their stylesheet, and HTML 404s for browsers (after the problem
    handlers: an answer that is not a browser's page 404 goes to the handler before)."""
    app.mount(STATIC, StaticFiles(directory=HERE / "static"), name="site-assets")
    app.include_router(router)
    problem = app.exception_handlers.get(StarletteHTTPException, http_exception_handler)

    async def page_or_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if (
            error.status_code == 404
            and not _is_api_path(request.url.path)
            and views.wants_html(request.headers.get("accept"))
        ):
            return _page(request, "not_found.html", 404, what="page", value=request.url.path)
        return await problem(request, error)

    app.add_exception_handler(StarletteHTTPException, page_or_problem)


def _is_api_path(path: str) -> bool:
    return path == API or path.startswith(f"{API}/")


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _not_found(request: Request, what: str, value: str) -> HTMLResponse:
    return _page(request, "not_found.html", 404, what=what, value=value)


@router.get("/")
def home(request: Request, session: SessionDep) -> HTMLResponse:
    """Each force's latest inspection held, one table per framework (newest first)."""
    tables, nothing_held = views.home_tables(session)
    return _page(
        request,
        "index.html",
        tables=tables,
        nothing_held=nothing_held,
        legend=views.legend([t.grid.grades for t in tables]),
        downloads=[
            views.list_download("Every force", urls.forces()),
            views.list_download("Every pillar grade", urls.judgments(level="pillar")),
            views.list_download("Every area grade", urls.judgments(level="area")),
        ],
    )


def _card_page(
    request: Request, session: SessionDep, inspection_id: str, **extra: Any
) -> HTMLResponse:
    public = inspections.card_of(session, inspection_id)
    if public is None:
        return _not_found(request, "inspection", inspection_id)
    grades, _, _ = catalogue.framework_catalogue(session, public.framework.id)
    others, _ = inspection_service.list_inspections(
        session, force=public.force.id, sort=[("framework", True)], limit=100, offset=0
    )
    downloads = views.card_downloads(public)
    downloads += extra.pop("downloads", [])
    return _page(
        request,
        "card.html",
        card=public,
        grade_names={g.id: g.name for g in grades},
        legend=grades,
        columns=max((len(p.questions) for p in public.pillars), default=0),
        others=[row for row in others if row.inspection.id != inspection_id],
        findings=views.card_findings(session, public),
        count_anchors=views.count_anchors(public),
        downloads=downloads,
        **extra,
    )


@router.get("/inspections/{inspection_id}")
def inspection_page(request: Request, session: SessionDep, inspection_id: str) -> HTMLResponse:
    return _card_page(request, session, inspection_id)


@router.get("/forces/{force_id}")
def force_page(request: Request, session: SessionDep, force_id: str) -> HTMLResponse:
    """The force's latest report card (its latest area inspection where one is held),
    what is known of it in every cycle, and its history as timelines."""
    force = catalogue.get_force(session, force_id)
    if force is None:
        return _not_found(request, "force", force_id)
    cycles = inspection_service.force_cycles(session, force_id)
    detail = forces.force_detail(forces.force(force), cycles)
    latest = cycles.latest.get("areas") or cycles.latest.get("pillars")
    downloads = [
        views.Download("The force, its current grades and cycles", urls.force(force_id)),
        views.list_download("Its inspections", urls.force_inspections(force_id)),
    ]
    if latest is None:
        return _page(
            request,
            "no_inspection.html",
            force=force,
            cycles=detail.cycles,
            downloads=downloads,
        )
    lines, held = history.history_of(session, force, note="")
    timelines, names = views.timelines(session, lines, held)
    return _card_page(
        request,
        session,
        latest.inspection.id,
        history=lines,
        timelines=timelines,
        history_grade_names=names,
        cycles=detail.cycles,
        downloads=[*downloads, views.Download("Its history", urls.force_history(force_id))],
    )


@router.get("/frameworks/{framework_id}")
def framework_page(request: Request, session: SessionDep, framework_id: str) -> HTMLResponse:
    """Every force's pillar grades, then question grades (or area grades) in one
    framework, colour-coded like the report card, with how many forces got each grade."""
    framework = catalogue.get_framework(session, framework_id)
    if framework is None:
        return _not_found(request, "framework", framework_id)
    shown = views.framework_grids(session, framework)
    return _page(
        request,
        "grid.html",
        grids=shown,
        grid=shown[0],
        grade_names={g.id: g.name for g in shown[0].grades},
        legend=shown[0].grades,
        downloads=views.grid_downloads(framework.id, [g.unit_word for g in shown[1:]]),
    )


@router.get("/forces")
def forces_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every force, linked to its page, with its latest inspection held."""
    listed, _ = catalogue.list_forces(session, sort=[("name", False)], limit=1000, offset=0)
    return _page(
        request,
        "forces.html",
        forces=listed,
        latest=inspection_service.latest_by_force(session),
        downloads=[views.list_download("Every force", urls.forces())],
    )


@router.get("/frameworks")
def frameworks_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every framework, newest first, linked to its grid."""
    listed, _ = catalogue.list_frameworks(session, sort=[("year_label", True)], limit=100, offset=0)
    return _page(
        request,
        "frameworks.html",
        frameworks=listed,
        downloads=[views.list_download("Every framework", urls.frameworks())],
    )


@router.get("/inspections")
def inspections_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every inspection held, by force."""
    return _page(
        request,
        "inspections.html",
        forces=views.inspections_by_force(session),
        downloads=[views.list_download("Every inspection", urls.inspections())],
    )


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query()] = "",
    offset: Annotated[str, Query()] = "0",
) -> HTMLResponse:
    """Parameters are read here, not by FastAPI, so a bad one is an HTML page saying so."""
    context: dict[str, Any] = {
        "q": q,
        "offset": 0,
        "results": None,
        "error": None,
        "downloads": [views.Download("These results", urls.search(q=q))] if q.strip() else [],
    }
    if not offset.isdigit() or int(offset) > MAX_SEARCH_OFFSET:
        context["error"] = f"offset must be a whole number from 0 to {MAX_SEARCH_OFFSET:,}."
        return _page(request, "search.html", 400, **context)
    context["offset"] = int(offset)
    if not q.strip():
        return _page(request, "search.html", **context)
    try:
        if len(q) > search_service.MAX_QUERY_LENGTH:
            raise search_service.SearchQueryError(
                f"longer than {search_service.MAX_QUERY_LENGTH} characters"
            )
        parsed = search_service.parse_query(q)
    except search_service.SearchQueryError as error:
        context["error"] = f"Cannot read the search query: {error}."
        return _page(request, "search.html", 400, **context)
    context["results"] = search_service.search(
        session,
        parsed,
        search_service.SearchFilters(),
        limit=SEARCH_PAGE_SIZE,
        offset=context["offset"],
    )
    context["page_size"] = SEARCH_PAGE_SIZE
    return _page(request, "search.html", **context)
