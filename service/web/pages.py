"""The workbench's pages under ``/app/``.

Every page calls the same code as the JSON API: the route functions of :mod:`service.routes`
(``lead_detail``, ``track_lead``, ``tracked_leads``, ``enterprise_parks``, ``match_profile``,
``park_chain``, ``allocate``, ``import_table``, ``export_leads``, ``list_models``,
``activate_model`` …) or the ranking functions behind them (:func:`service.ranking.rank_leads`),
never a second ranking path. Routes are plain ``def``: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from matcher import ConfigError, SchemaError
from matcher.io import ENTERPRISE_COLUMNS
from matcher.scoring import Reweightable

from .. import ranking, store, uploads
from ..config import Settings
from ..deps import (
    ExposureDep,
    HeavySlotDep,
    IndexerDep,
    SessionDep,
    SettingsDep,
    current_snapshot,
)
from ..errors import problem_counts
from ..indexer import Indexer
from ..routes import chains as chain_routes
from ..routes import enterprises as enterprise_routes
from ..routes import exports as export_routes
from ..routes import imports as import_routes
from ..routes import leads as lead_routes
from ..routes import models as model_routes
from ..routes import parks as park_routes
from ..schemas import (
    STATUS_LABELS,
    AllocationIn,
    EnterpriseProfile,
    ImportKind,
    LeadStatusIn,
    ModelActiveIn,
    ModelKind,
    OnError,
)
from ..snapshot import Snapshot
from .accounts import LoginThrottle, SessionData, authenticate, password_fingerprint
from .auth import (
    WebContext,
    WebFormReaderDep,
    WebOfficerDep,
    WebReaderDep,
    WebWriterDep,
    check_csrf,
    local_path,
    set_session_cookie,
    web_context,
)
from .charts import chain_graph, map_bounds, waterfall
from .forms import PAGE_SIZES, SIZE_LABELS, SORT_KEYS, SRDI_LABELS, parse_leads_form
from .outcomes import OUTCOMES_KIND, import_outcomes
from .templating import render

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)

_SIZE_ORDER = {k: i for i, k in enumerate(("micro", "small", "medium", "large"))}
_SRDI_ORDER = {k: i for i, k in enumerate(SRDI_LABELS)}
_STATUS_ORDER = {k: i for i, k in enumerate(STATUS_LABELS)}
#: Fields of the 找园区 form: the enterprise columns an officer can type (not id, name, code).
PROFILE_FIELDS = tuple(
    c
    for c in ENTERPRISE_COLUMNS
    if c.name
    not in (
        "enterprise_id",
        "name",
        "credit_code",
        "lat",
        "lon",
        "size_class",
        "srdi_level",
        "high_tech",
    )
)


# ---------------------------------------------------------------------------- helpers
def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _parks(session: Session) -> list[tuple[str, str]]:
    return [(p, n) for p, n in session.execute(select(store.Park.park_id, store.Park.name))]


def _display_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(store.Account.username, store.Account.display_name))
    return {str(u): str(d) for u, d in rows.all()}


def _labels(snapshot: Snapshot) -> dict[str, str]:
    return {c["name"]: c["label"] for c in snapshot.components}


def _weighted(snapshot: Snapshot) -> bool:
    """True when the serving scorer takes per-request weights (the transparent scorer)."""
    return isinstance(snapshot.matcher.scorer_, Reweightable)


def _default_weights(snapshot: Snapshot, park_id: str) -> dict[str, float]:
    """The park's effective weights (model, then the park's overrides), as the library explains
    them; computed once per index."""

    def compute() -> dict[str, float]:
        if len(snapshot.positions) == 0:  # no enterprise to explain a pair with
            return {}
        any_enterprise = str(snapshot.positions[0])
        weights = ranking.explain(snapshot, park_id, any_enterprise)["weights"]
        return {k: float(v) for k, v in weights.items()}

    result: dict[str, float] = snapshot.derive(f"web:weights:{park_id}", compute)
    return result


def _counties(snapshot: Snapshot) -> list[str]:
    def compute() -> list[str]:
        return sorted({str(c) for c in snapshot.columns["county"] if c})

    result: list[str] = snapshot.derive("web:counties", compute)
    return result


def _problem_view(exc: SchemaError, settings: Settings) -> dict[str, Any]:
    """A refused file's problems as a page shows them (as the JSON API does): the first
    ``PARKMATCH_MAX_PROBLEMS``, the total, the counts by kind, and the link to every problem
    when the import kept them."""
    total = len(exc.problems)
    shown = exc.problems[: settings.max_problems]
    report_id = getattr(exc, "report_id", None)
    return {
        "problems": [p.to_dict() for p in shown],
        "problem_total": total,
        "problem_counts": problem_counts(exc.problems) if total > len(shown) else [],
        "problems_url": None if report_id is None else f"/app/imports/problems/{report_id}",
    }


def _sort_rows(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    def value(row: dict[str, Any]) -> Any:
        if key == "status":
            tracking = row.get("tracking")
            return len(_STATUS_ORDER) if tracking is None else _STATUS_ORDER[tracking.status]
        if key == "size_class":
            return _SIZE_ORDER.get(row.get("size_class") or "", -1)
        if key == "srdi_level":
            return _SRDI_ORDER.get(row.get("srdi_level") or "", -1)
        if key in ("name", "county", "industry_code"):
            return str(row.get(key) or "")
        return row[key]

    return sorted(rows, key=value, reverse=descending)


# ---------------------------------------------------------------------------- sign-in
def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle | None = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = request.app.state.login_throttle = LoginThrottle()
    return throttle


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """登录页。"""
    ctx = web_context(request)
    return render(ctx, "login.html", {"next": local_path(next)}, title="登录")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """登录：核对用户名和密码，成功后换发会话。"""
    ctx = web_context(request)
    await check_csrf(request, ctx)
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = local_path(str(form.get("next") or ""))
    throttle = _throttle(request)
    address = request.client.host if request.client else ""
    wait = throttle.wait_seconds(username, address)
    if wait > 0:
        return render(
            ctx,
            "login.html",
            {
                "next": target,
                "username": username,
                "error": f"登录失败次数过多，请 {int(wait // 60) + 1} 分钟后再试",
            },
            status_code=429,
            title="登录",
        )
    engine = request.app.state.engine
    with Session(engine) as session:
        account = authenticate(session, username, password)
        if account is not None:
            account.last_login_at = store.utcnow()
            fingerprint = password_fingerprint(account.password_hash)
            signed_in = account.username
            session.commit()
    if account is None:
        throttle.failed(username, address)
        return render(
            ctx,
            "login.html",
            {"next": target, "username": username, "error": "用户名或密码错误，或账号已停用"},
            status_code=401,
            title="登录",
        )
    throttle.succeeded(username, address)
    response = _redirect(target)
    set_session_cookie(response, ctx, SessionData.new(signed_in, fingerprint))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """退出登录。"""
    ctx = web_context(request)
    await check_csrf(request, ctx)
    response = _redirect("/app/")
    set_session_cookie(response, ctx, SessionData.new())
    return response


# ---------------------------------------------------------------------------- overview
@router.get("/", response_class=HTMLResponse)
def overview(ctx: WebReaderDep, session: SessionDep, indexer: IndexerDep) -> Response:
    """园区总览：每个园区的定位、可用面积、各状态的跟进线索数，以及园区与线索的地图。"""
    parks = park_routes.list_parks(session=session, county=[], city=[], limit=500, offset=0).data
    L = store.LeadStatus
    by_park: dict[str, Counter[str]] = {p.park_id: Counter() for p in parks}
    for park_id, status, n in session.execute(
        select(L.park_id, L.status, func.count()).group_by(L.park_id, L.status)
    ):
        by_park.setdefault(park_id, Counter())[status] = int(n)
    E = store.Enterprise
    tracked = session.execute(
        select(L.park_id, L.enterprise_id, L.status, E.name, E.lon, E.lat)
        .join(E, E.enterprise_id == L.enterprise_id)
        .order_by(L.updated_at.desc())
        .limit(2000)
    ).all()
    names = {p.park_id: p.name for p in parks}
    park_points = [
        {"name": p.name, "park_id": p.park_id, "value": [p.lon, p.lat]}
        for p in parks
        if p.lon is not None and p.lat is not None
    ]
    lead_points = [
        {
            "name": name,
            "park": names.get(park_id, park_id),
            "status": STATUS_LABELS[status],
            "url": f"/app/parks/{quote(park_id)}/leads/{quote(eid)}",
            "value": [lon, lat],
        }
        for park_id, eid, status, name, lon, lat in tracked
        if lon is not None and lat is not None
    ]
    snapshot = indexer.snapshot
    top_points: list[dict[str, Any]] = []
    if snapshot is not None and len(parks) <= 50:  # the best few leads of each park
        E2 = store.Enterprise
        for park in parks:
            try:
                rows, _ = ranking.rank_leads(
                    snapshot, session, park.park_id, ranking.LeadQuery(limit=3)
                )
            except (KeyError, ConfigError):  # the index lags a new park
                continue
            ids = [r["enterprise_id"] for r in rows]
            coords = {
                e: (lon, lat)
                for e, lon, lat in session.execute(
                    select(E2.enterprise_id, E2.lon, E2.lat).where(E2.enterprise_id.in_(ids))
                )
            }
            for r in rows:
                lon, lat = coords.get(r["enterprise_id"], (None, None))
                if lon is None or lat is None:
                    continue
                top_points.append(
                    {
                        "name": r["name"],
                        "park": park.name,
                        "score": round(r["score"], 1),
                        "url": f"/app/parks/{quote(park.park_id)}/leads/{quote(r['enterprise_id'])}",
                        "value": [lon, lat],
                    }
                )
    bounds = map_bounds(
        [(float(p.lon), float(p.lat)) for p in parks if p.lon is not None and p.lat is not None]
    )
    totals = Counter[str]()
    for counts in by_park.values():
        totals.update(counts)
    n_enterprises = session.scalar(select(func.count()).select_from(store.Enterprise)) or 0
    return render(
        ctx,
        "overview.html",
        {
            "parks": parks,
            "by_park": by_park,
            "totals": totals,
            "n_enterprises": n_enterprises,
            "map_data": {
                "parks": park_points,
                "leads": lead_points,
                "top": top_points,
                "bounds": bounds,
            },
            "index": indexer.status(),
        },
        nav="overview",
        title="园区总览",
    )


# ---------------------------------------------------------------------------- leads
def _park_start(
    ctx: WebContext, session: Session, park_id: str | None, page: str, nav: str, title: str
) -> Response:
    """Redirect to a park's ``page``: the chosen park, else the first; say so when none."""
    if park_id and park_id.strip():
        return _redirect(f"/app/parks/{quote(park_id.strip())}/{page}")
    parks = _parks(session)
    if not parks:
        return render(ctx, "empty.html", {"what": "园区"}, nav=nav, title=title)
    return _redirect(f"/app/parks/{quote(sorted(parks)[0][0])}/{page}")


@router.get("/leads")
def leads_start(ctx: WebReaderDep, session: SessionDep, park_id: str | None = None) -> Response:
    """园区线索入口：转到所选（或第一个）园区的线索页。"""
    return _park_start(ctx, session, park_id, "leads", "leads", "园区线索")


@dataclasses.dataclass
class _LeadsView:
    """One ranking of the leads page (on the snapshot that answered)."""

    rows: list[dict[str, Any]]
    total: int
    query: ranking.LeadQuery
    notes: list[str]
    weighted: bool
    defaults: dict[str, float]


@router.get("/parks/{park_id}/leads", response_class=HTMLResponse)
def leads_page(
    park_id: str,
    ctx: WebReaderDep,
    session: SessionDep,
    indexer: IndexerDep,
    exposures: ExposureDep,
) -> Response:
    """园区线索：筛选、分页、排序、权重滑块（实时重排）和导出。按模型默认权重排出的页面记入展示
    记录（名次、模型、索引版本），与 GET /parks/{id}/leads 相同；自调权重的页面不记。"""
    started = time.perf_counter()
    park = lead_routes.get_park(session, park_id)
    form = parse_leads_form(
        ctx.request.query_params, [c["name"] for c in current_snapshot(indexer).components]
    )

    def run(snap: Snapshot) -> _LeadsView:
        # on the snapshot that answers (a newer one when the park was written a moment ago)
        query, notes = form.query, []
        weighted = _weighted(snap)
        if query.weights is not None and not weighted:
            notes.append(f"当前模型「{snap.model['label']}」不按权重评分，已忽略权重")
            query = dataclasses.replace(query, weights=None)
        try:
            rows, total = ranking.rank_leads(snap, session, park.park_id, query)
        except ConfigError as exc:
            notes.append(f"{exc}，已改用默认权重")
            query = dataclasses.replace(query, weights=None)
            rows, total = ranking.rank_leads(snap, session, park.park_id, query)
        defaults = _default_weights(snap, park.park_id) if weighted else {}
        return _LeadsView(rows, total, query, notes, weighted, defaults)

    view, snapshot = lead_routes.index_call(indexer, f"园区 {park.park_id!r} ", run)
    rows, total, weighted, defaults = view.rows, view.total, view.weighted, view.defaults
    if view.query.weights is None:  # the model's own ranking: what an officer saw, at which rank
        shown = [{**r, "source": "ranking", "propensity": None} for r in rows]
        exposures.record(park.park_id, shown, snapshot.model["name"], snapshot.version)
    components = snapshot.components
    form.errors.extend(view.notes)
    form.query = view.query
    rows = _sort_rows(rows, form.sort, form.descending)
    sliders = []
    if weighted:
        current = form.weights or {k: v * 100 for k, v in defaults.items()}
        total_weight = sum(current.values()) or 1.0
        for comp in components:
            value = float(current.get(comp["name"], 0.0))
            sliders.append(
                {
                    **comp,
                    "value": round(value, 1),
                    "share": 100 * value / total_weight,
                    "default": round(100 * defaults.get(comp["name"], 0.0), 1),
                }
            )
    response = render(
        ctx,
        "leads.html",
        {
            "park": park,
            "parks": _parks(session),
            "rows": rows,
            "total": total,
            "form": form,
            "components": components,
            "sliders": sliders,
            "model": snapshot.model,
            "index_version": snapshot.version,
            "counties": _counties(snapshot),
            "page_sizes": PAGE_SIZES,
            "sort_keys": SORT_KEYS,
            "size_labels": SIZE_LABELS,
            "srdi_labels": SRDI_LABELS,
        },
        nav="leads",
        title=f"{park.name} · 招商线索",
    )
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f'app;desc="leads page";dur={elapsed:.1f}'
    return response


@router.get("/parks/{park_id}/leads-export")
def leads_export(
    park_id: str,
    ctx: WebReaderDep,
    session: SessionDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    format: Annotated[export_routes.ExportFormat, Query()] = export_routes.ExportFormat.xlsx,
    scope: Annotated[str, Query()] = "page",
) -> Response:
    """导出当前视图（本页或全部筛选结果）为 XLSX/CSV：与 /exports/parks/{id}/leads 同一实现。"""
    snapshot = current_snapshot(indexer)
    form = parse_leads_form(ctx.request.query_params, [c["name"] for c in snapshot.components])
    query = form.query
    if query.weights is not None and not _weighted(snapshot):
        query = dataclasses.replace(query, weights=None)
    rows = query.limit if scope == "page" else settings.export_max_rows
    if scope != "page":
        query = dataclasses.replace(query, offset=0)
    return export_routes.export_leads(park_id, query, session, indexer, settings, format, rows)


@router.get("/parks/{park_id}/leads/{enterprise_id}", response_class=HTMLResponse)
def lead_page(
    park_id: str,
    enterprise_id: str,
    ctx: WebReaderDep,
    session: SessionDep,
    indexer: IndexerDep,
    saved: bool = False,
) -> Response:
    """线索详情：匹配分瀑布图、理由、企业概况、其他适合的园区和跟进面板。"""
    return _lead_view(ctx, session, indexer, park_id, enterprise_id, saved=saved)


def _lead_view(
    ctx: WebContext,
    session: Session,
    indexer: IndexerDep,
    park_id: str,
    enterprise_id: str,
    *,
    saved: bool = False,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    detail = lead_routes.lead_detail(park_id, enterprise_id, session, indexer)
    e = detail.explanation
    enterprise = enterprise_routes.read_enterprise(detail.enterprise.enterprise_id, session)
    (others, _), snapshot = lead_routes.index_call(
        indexer,
        f"企业 {enterprise.enterprise_id!r} ",
        lambda snap: ranking.rank_parks(
            snap,
            session,
            enterprise.enterprise_id,
            limit=6,
            offset=0,
            include_ineligible=False,
            min_score=None,
        ),
    )
    labels = _labels(snapshot)
    chart = waterfall(e.baseline, e.contributions, labels, e.score)
    others = [o for o in others if o["park_id"] != detail.park.park_id][:5]
    tracking = detail.tracking
    values = form or {
        "status": tracking.status.value if tracking else "contacted",
        "owner": (tracking.owner if tracking else None) or (ctx.display_name or ""),
        "note": (tracking.note if tracking else None) or "",
    }
    return render(
        ctx,
        "lead.html",
        {
            "detail": detail,
            "explanation": e,
            "labels": labels,
            "chart": chart,
            "enterprise": enterprise,
            "columns": ENTERPRISE_COLUMNS,
            "others": others,
            "names": _display_names(session),
            "saved": saved,
            "error": error,
            "values": values,
        },
        status_code=422 if error else 200,
        nav="leads",
        title=f"{detail.enterprise.name} · {detail.park.name}",
    )


@router.post("/parks/{park_id}/leads/{enterprise_id}", response_class=HTMLResponse)
def lead_track(
    park_id: str,
    enterprise_id: str,
    ctx: WebWriterDep,
    session: SessionDep,
    indexer: IndexerDep,
    exposures: ExposureDep,
    status: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """改变线索的跟进状态（与 PUT /parks/{id}/leads/{eid} 同一实现；操作人为登录的干部）。"""
    try:
        body = LeadStatusIn.model_validate(
            {"status": status, "owner": owner.strip() or None, "note": note.strip() or None}
        )
    except ValidationError as exc:
        problem = "；".join(str(err.get("msg")) for err in exc.errors())
        return _lead_view(
            ctx,
            session,
            indexer,
            park_id,
            enterprise_id,
            error=f"未保存：{problem}",
            form={"status": status, "owner": owner, "note": note},
        )
    assert ctx.username is not None
    tracking = lead_routes.track_lead(
        park_id, enterprise_id, body, session, ctx.username, exposures
    )
    url = f"/app/parks/{quote(tracking.park_id)}/leads/{quote(tracking.enterprise_id)}"
    return _redirect(f"{url}?saved=1#tracking")


# ---------------------------------------------------------------------------- board
@router.get("/board", response_class=HTMLResponse)
def board(
    ctx: WebReaderDep,
    session: SessionDep,
    owner: str | None = None,
    park_id: str | None = None,
    moved: str | None = None,
) -> Response:
    """跟进看板：按状态分列的跟进中线索，可按负责人和园区筛选，移动卡片即改变状态。"""
    owner = (owner or "").strip() or None
    park_id = (park_id or "").strip() or None
    page = lead_routes.tracked_leads(
        session=session,
        park_id=park_id,
        enterprise_id=None,
        status=[],
        owner=owner,
        limit=500,
        offset=0,
    )
    ids = {t.enterprise_id for t in page.data}
    E = store.Enterprise
    names: dict[str, str] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = sorted(ids)[chunk_start : chunk_start + 500]
        names.update(
            (str(e), str(n))
            for e, n in session.execute(
                select(E.enterprise_id, E.name).where(E.enterprise_id.in_(chunk))
            )
        )
    parks = dict(_parks(session))
    columns: dict[str, list[Any]] = {s: [] for s in STATUS_LABELS}
    for t in page.data:
        columns[t.status.value].append(t)
    L = store.LeadStatus
    owners = sorted(
        o for o in session.scalars(select(L.owner).where(L.owner.is_not(None)).distinct()) if o
    )
    filters = urlencode({k: v for k, v in (("owner", owner), ("park_id", park_id)) if v})
    return render(
        ctx,
        "board.html",
        {
            "columns": columns,
            "names": names,
            "parks": parks,
            "owners": owners,
            "owner": owner or "",
            "park_id": park_id or "",
            "count": page.count,
            "shown": len(page.data),
            "filters": filters,
            "moved": moved,
            "people": _display_names(session),
        },
        nav="board",
        title="跟进看板",
    )


@router.post("/board/move")
def board_move(
    ctx: WebWriterDep,
    session: SessionDep,
    exposures: ExposureDep,
    park_id: Annotated[str, Form()],
    enterprise_id: Annotated[str, Form()],
    status: Annotated[str, Form()],
    filters: Annotated[str, Form()] = "",
) -> Response:
    """把卡片移到另一列：改变线索状态并记入历史（负责人、备注不变）。"""
    try:
        body = LeadStatusIn.model_validate({"status": status})
    except ValidationError as exc:
        raise HTTPException(422, f"未知的跟进状态 {status!r}") from exc
    assert ctx.username is not None
    lead_routes.track_lead(park_id, enterprise_id, body, session, ctx.username, exposures)
    back = local_path(f"/app/board?{filters}" if filters else "/app/board", "/app/board")
    joiner = "&" if "?" in back else "?"
    return _redirect(f"{back}{joiner}moved={quote(enterprise_id)}")


# ---------------------------------------------------------------------------- enterprises
@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    ctx: WebReaderDep,
    session: SessionDep,
    q: str | None = None,
    county: str | None = None,
    industry: str | None = None,
    offset: int = 0,
) -> Response:
    """企业搜索：按名称、编号、经营范围、主营产品、区县和行业代码查找企业。"""
    offset = max(0, min(offset, 10_000_000))
    counties = [c for c in (county or "").replace("、", ",").split(",") if c.strip()]
    result = enterprise_routes.list_enterprises(
        session=session,
        county=counties,
        city=[],
        industry=(industry or "").strip() or None,
        size_class=[],
        srdi_level=[],
        high_tech=None,
        q=(q or "").strip() or None,
        limit=20,
        offset=offset,
    )
    params = {k: v for k, v in (("q", q), ("county", county), ("industry", industry)) if v}
    return render(
        ctx,
        "enterprises.html",
        {
            "result": result,
            "q": q or "",
            "county": county or "",
            "industry": industry or "",
            "offset": offset,
            "params": urlencode(params),
        },
        nav="enterprises",
        title="企业",
    )


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise_page(
    enterprise_id: str, ctx: WebReaderDep, session: SessionDep, indexer: IndexerDep
) -> Response:
    """企业页：企业概况和为它排序的园区（与 GET /enterprises/{id}/parks 同一实现）。"""
    enterprise = enterprise_routes.read_enterprise(enterprise_id, session)
    fits = lead_routes.enterprise_parks(
        enterprise.enterprise_id,
        session,
        indexer,
        limit=20,
        offset=0,
        min_score=None,
        include_ineligible=True,
    )
    return render(
        ctx,
        "enterprise.html",
        {"enterprise": enterprise, "fits": fits, "columns": ENTERPRISE_COLUMNS},
        nav="enterprises",
        title=enterprise.name,
    )


@router.get("/match", response_class=HTMLResponse)
def match_form(ctx: WebReaderDep) -> Response:
    """找园区：填写企业信息，为它匹配园区。"""
    return render(
        ctx,
        "match.html",
        {"fields": PROFILE_FIELDS, "values": {}, "srdi_labels": SRDI_LABELS},
        nav="match",
        title="找园区",
    )


def _match_profile(profile: EnterpriseProfile, indexer: Indexer) -> Any:
    return lead_routes.match_profile(
        profile,
        current_snapshot(indexer),
        limit=10,
        offset=0,
        min_score=None,
        include_ineligible=True,
    )


@router.post("/match", response_class=HTMLResponse)
async def match(request: Request, ctx: WebFormReaderDep, indexer: IndexerDep) -> Response:
    """为表单中的企业匹配全部园区（与 POST /match 同一实现，不写入任何数据）。"""
    form = await request.form()
    names = [c.name for c in PROFILE_FIELDS] + ["name", "srdi_level", "high_tech"]
    values = {n: str(form.get(n) or "").strip() for n in names}
    fields = {k: v for k, v in values.items() if v}
    error: str | None = None
    problems: dict[str, Any] = {}
    fits = None
    if not fields.get("business_scope") and not fields.get("industry_code"):
        error = "请至少填写行业代码或经营范围"
    else:
        try:
            profile = EnterpriseProfile.model_validate(fields)
            # in the thread pool, as the sync JSON route runs: waiting for a first index and
            # ranking the profile must not hold up the event loop (every other request)
            fits = await run_in_threadpool(_match_profile, profile, indexer)
        except ValidationError as exc:
            error = "企业信息有误：" + "；".join(str(e.get("msg")) for e in exc.errors())
        except SchemaError as exc:
            error = f"企业信息有 {len(exc.problems)} 个问题，请修改后重试"
            problems = _problem_view(exc, ctx.settings)
    return render(
        ctx,
        "match.html",
        {
            "fields": PROFILE_FIELDS,
            "values": values,
            "fits": fits,
            "error": error,
            **problems,
            "srdi_labels": SRDI_LABELS,
        },
        status_code=422 if error else 200,
        nav="match",
        title="找园区",
    )


# ---------------------------------------------------------------------------- chain
@router.get("/chain")
def chain_start(ctx: WebReaderDep, session: SessionDep, park_id: str | None = None) -> Response:
    """产业链入口：转到所选（或第一个）园区的产业链图谱。"""
    return _park_start(ctx, session, park_id, "chain", "chain", "产业链")


@router.get("/parks/{park_id}/chain", response_class=HTMLResponse)
def chain_page(
    park_id: str, ctx: WebReaderDep, session: SessionDep, indexer: IndexerDep
) -> Response:
    """产业链图谱：各环节状态（已集聚/薄弱/缺失/可延链）画成关系图，附每个缺口的候选企业。"""
    report = chain_routes.park_chain(park_id, session, indexer, k=5, thin=2)
    gaps: dict[str, dict[str, Any]] = {}
    for lead in report["leads"]:
        gap = gaps.setdefault(
            f"{lead['chain']}:{lead['node_id']}",
            {"node": lead["node"], "status": lead["status_label"], "leads": []},
        )
        gap["leads"].append(lead)
    return render(
        ctx,
        "chain.html",
        {
            "report": report,
            "graph": chain_graph(report),
            "gaps": list(gaps.values()),
            "parks": _parks(session),
        },
        nav="chain",
        title=f"{report['park_name']} · 产业链",
    )


@router.get("/parks/{park_id}/chain.xlsx")
def chain_xlsx(
    park_id: str, ctx: WebReaderDep, session: SessionDep, indexer: IndexerDep
) -> Response:
    """下载产业链报告（与 GET /parks/{id}/chain.xlsx 同一实现）。"""
    return chain_routes.park_chain_xlsx(park_id, session, indexer, k=5, thin=2)


# ---------------------------------------------------------------------------- allocation
@router.get("/allocation", response_class=HTMLResponse)
def allocation_form(ctx: WebReaderDep, session: SessionDep) -> Response:
    """全市分配：选择园区和限制条件。"""
    return render(
        ctx,
        "allocation.html",
        {"parks": _parks(session), "values": {"candidates": "30"}, "chosen": set()},
        nav="allocation",
        title="全市分配",
    )


@router.post("/allocation", response_class=HTMLResponse)
def allocation(
    ctx: WebWriterDep,
    session: SessionDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    slot: HeavySlotDep,
    park_ids: Annotated[list[str], Form(default_factory=list)],
    max_per_park: Annotated[str, Form()] = "",
    candidates: Annotated[str, Form()] = "",
    reciprocal: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "",
) -> Response:
    """运行全市分配（与 POST /allocations 同一实现：计算量大，需登录，占用一个大计算量名额，
    已满时 429），按园区列出分配结果和理由，或下载 XLSX。"""
    chosen = [p for p in park_ids if p.strip()]
    values = {"max_per_park": max_per_park.strip(), "candidates": candidates.strip()}
    two_sided = reciprocal in ("on", "true", "1")
    want_xlsx = format == "xlsx"
    error = None
    result = None
    try:
        body = AllocationIn(
            park_ids=chosen or None,
            max_per_park=int(values["max_per_park"]) if values["max_per_park"] else None,
            candidates=int(values["candidates"]) if values["candidates"] else 30,
            reciprocal=two_sided,
        )
    except (ValidationError, ValueError) as exc:
        error = "条件有误：每园区最多家数应为 1–1000 的整数，候选数应为 1–500 的整数"
        if isinstance(exc, ValidationError) and not any(
            e["loc"][:1] in (("max_per_park",), ("candidates",)) for e in exc.errors()
        ):
            error = "条件有误：" + "；".join(str(e.get("msg")) for e in exc.errors())
    else:
        fmt = (
            chain_routes.AllocationFormat.xlsx if want_xlsx else chain_routes.AllocationFormat.json
        )
        assert ctx.username is not None
        out = chain_routes.allocate(
            body, session, indexer, settings, ctx.username, slot, format=fmt
        )
        if want_xlsx:
            assert isinstance(out, Response)
            return out
        result = out
    by_park: dict[str, list[dict[str, Any]]] = {}
    if result is not None:
        for a in result["assignments"]:
            by_park.setdefault(a["park_id"], []).append(a)
    return render(
        ctx,
        "allocation.html",
        {
            "parks": _parks(session),
            "values": values,
            "chosen": set(chosen),
            "reciprocal": two_sided,
            "result": result,
            "by_park": by_park,
            "error": error,
        },
        status_code=422 if error else 200,
        nav="allocation",
        title="全市分配",
    )


# ---------------------------------------------------------------------------- imports
IMPORT_KINDS = {
    "parks": "园区表",
    "enterprises": "企业表",
    "tenants": "入驻企业表",
    OUTCOMES_KIND: "跟进台账（记入线索跟进）",
}


@router.get("/imports", response_class=HTMLResponse)
def imports_form(ctx: WebReaderDep, kind: str = "enterprises") -> Response:
    """导入：上传园区、企业、入驻企业或跟进台账表，先试导入查看全部问题。"""
    return render(
        ctx,
        "imports.html",
        {"kinds": IMPORT_KINDS, "kind": kind if kind in IMPORT_KINDS else "enterprises"},
        nav="imports",
        title="导入",
    )


@router.post("/imports", response_class=HTMLResponse)
def imports(
    ctx: WebWriterDep,
    session: SessionDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    action: Annotated[str, Form()] = "check",
    on_error: Annotated[str, Form()] = "raise",
) -> Response:
    """试导入（只校验，列出每个问题）或导入（与 POST /imports/{kind} 同一实现）；勾选“跳过有问题的
    行”时只导入有效行，被拒绝的行及问题可下载（on_error=skip）。"""
    dry_run = action != "import"
    problems: dict[str, Any] = {}
    error = None
    result: Any = None
    if kind not in IMPORT_KINDS:
        error = f"未知的表类型「{kind}」"
    elif not file.filename:
        error = "请选择要上传的文件（CSV 或 XLSX）"
    else:
        assert ctx.username is not None
        try:
            if kind == OUTCOMES_KIND:
                with uploads.refused_import(session, settings):
                    result = import_outcomes(
                        file, session, indexer, settings, actor=ctx.username, dry_run=dry_run
                    )
            else:
                result = import_routes.import_table(
                    ImportKind(kind),
                    file,
                    session,
                    ctx.username,
                    indexer,
                    settings,
                    dry_run=dry_run,
                    on_error=OnError.skip if on_error == "skip" else OnError.raise_,
                ).model_dump()
                if result["rejected_url"]:  # the workbench's own download (signed-in officers)
                    result["rejected_url"] = "/app" + result["rejected_url"]
        except SchemaError as exc:
            problems = _problem_view(exc, settings)
            error = (
                f"{exc.file or file.filename}：发现 {len(exc.problems)} 个问题，"
                "未写入任何数据。请修改后重新上传。"
            )
        except HTTPException as exc:
            error = str(exc.detail)
    return render(
        ctx,
        "imports.html",
        {
            "kinds": IMPORT_KINDS,
            "kind": kind if kind in IMPORT_KINDS else "enterprises",
            "file_name": file.filename,
            "result": result,
            **problems,
            "error": error,
            "dry_run": dry_run,
            "on_error": on_error,
        },
        status_code=422 if error else 200,
        nav="imports",
        title="导入",
    )


@router.get("/imports/rejected/{report_id}")
def import_rejected(report_id: str, ctx: WebOfficerDep, session: SessionDep) -> Response:
    """下载部分导入被拒绝的行及问题（CSV；与 GET /imports/rejected/{id} 同一实现，需登录）。"""
    assert ctx.username is not None
    return import_routes.rejected_rows(report_id, session, ctx.username)


@router.get("/imports/problems/{report_id}")
def import_problems(report_id: str, ctx: WebOfficerDep, session: SessionDep) -> Response:
    """下载一次被拒绝的导入的全部问题（CSV；与 GET /imports/problems/{id} 同一实现，需登录）。"""
    assert ctx.username is not None
    return import_routes.problem_report(report_id, session, ctx.username)


# ---------------------------------------------------------------------------- models
@router.get("/models", response_class=HTMLResponse)
def models_page(ctx: WebReaderDep, indexer: IndexerDep, switched: str | None = None) -> Response:
    """模型：已注册的模型、评估指标、当前模型；登录后可切换或训练。"""
    return _models_view(ctx, indexer, switched=switched)


def _models_view(
    ctx: WebContext,
    indexer: IndexerDep,
    *,
    switched: str | None = None,
    error: str | None = None,
    problems: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    listing = model_routes.list_models(indexer)
    return render(
        ctx,
        "models.html",
        {
            "listing": listing,
            "switched": switched,
            "error": error,
            **(problems or {}),
            "kinds": {k.value: k.value for k in ModelKind},
            "index": indexer.status(),
        },
        status_code=status_code,
        nav="models",
        title="模型",
    )


@router.post("/models/active")
def models_activate(
    ctx: WebWriterDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    name: Annotated[str, Form()],
) -> Response:
    """切换当前模型（与 PUT /models/active 同一实现），索引随即在后台重建。"""
    assert ctx.username is not None
    try:
        body = ModelActiveIn(name=name)
        model_routes.activate_model(body, ctx.username, indexer, settings)
    except (ValidationError, HTTPException) as exc:
        detail = exc.detail if isinstance(exc, HTTPException) else "模型名称不能为空"
        return _models_view(ctx, indexer, error=str(detail), status_code=422)
    return _redirect(f"/app/models?switched={quote(name.strip())}")


@router.post("/models/train", response_class=HTMLResponse)
def models_train(
    ctx: WebWriterDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    slot: HeavySlotDep,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "logistic",
    evaluate_folds: Annotated[int, Form()] = 0,
    activate: Annotated[str, Form()] = "",
) -> Response:
    """用跟进台账训练模型（与 POST /models 同一实现：占用一个大计算量名额，已满时 429）。"""
    assert ctx.username is not None
    try:
        model_routes.train_model(
            file,
            name,
            ctx.username,
            indexer,
            settings,
            slot,
            kind=ModelKind(kind),
            evaluate_folds=max(0, min(evaluate_folds, 10)),
            activate=activate in ("on", "true", "1"),
        )
    except SchemaError as exc:
        return _models_view(
            ctx,
            indexer,
            error=f"台账有 {len(exc.problems)} 个问题，未训练",
            problems=_problem_view(exc, settings),
            status_code=422,
        )
    except (HTTPException, ValueError) as exc:
        detail = exc.detail if isinstance(exc, HTTPException) else f"未知的模型类型「{kind}」"
        return _models_view(ctx, indexer, error=str(detail), status_code=422)
    return _redirect(f"/app/models?switched={quote(name.strip())}")
