"""Reads, with who-may-see-what enforced here: officials see their own office's or
department's reports unless granted ``complaints.handle_all_reports``; the public sees only
published fields (never the reporter, never contact data)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Floor
from django.http import Http404
from django.utils import timezone

from smartseoul.accounts.models import Department, User
from smartseoul.complaints.models import CELL_DEGREES, CELL_LEVELS, Category, MapCell, Report
from smartseoul.complaints.workdays import add_working_days

MAP_PIN_LIMIT = 500
# The district and neighbourhood polygons are large JSON documents that no report page
# shows; decoding them for every row was most of a queue page's time.
_NO_SHAPES = ("district__boundary", "neighbourhood__boundary")
SIMILAR_RADIUS_METRES = 50.0
_M_PER_DEG_LAT = 111_000.0


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def category_get(code: str) -> Category:
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise Http404(f"No category {code!r}.")
    return category


def report_get_public(public_id: str) -> Report:
    report = (
        Report.objects.select_related("category", "district", "neighbourhood", "duplicate_of")
        .defer(*_NO_SHAPES)
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise Http404(f"No report {public_id!r}.")
    return report


def notification_channel_of(user: Any) -> str | None:
    """The channel name a person chose for notices about followed reports, if any."""
    from smartseoul.complaints.models import NotificationPreference

    return (
        NotificationPreference.objects.filter(user=user).values_list("channel", flat=True).first()
    )


# --- officials -------------------------------------------------------------------------------


def is_official(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (user.has_perm("accounts.access_official_portal") or handles_all(user))
    )


def handles_all(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("complaints.handle_all_reports"))


def department_of(user: Any) -> Department | None:
    profile = getattr(user, "official_profile", None) if user.is_authenticated else None
    return profile.department if profile is not None else None


def reports_handled_by(user: Any) -> QuerySet[Report]:
    """The reports this user may see and work on in the officials' workspace."""
    if not is_official(user):
        return Report.objects.none()
    if handles_all(user):
        return Report.objects.all()
    department = department_of(user)
    if department is None:
        return Report.objects.none()
    # A district office handles the reports it is the office of; a city-hall department
    # those it is the department of.  One column each, so the queue's indexes apply.
    if department.kind == Department.Kind.DISTRICT_OFFICE:
        return Report.objects.filter(office=department)
    return Report.objects.filter(department=department)


def may_handle(user: Any, report: Report) -> bool:
    if handles_all(user):
        return is_official(user)
    department = department_of(user)
    if not is_official(user) or department is None:
        return False
    if department.kind == Department.Kind.DISTRICT_OFFICE:
        return report.office_id == department.pk
    return report.department_id == department.pk


def district_choices() -> QuerySet[Any]:
    """Districts for filter menus, without their polygons."""
    from smartseoul.places.models import District

    return District.objects.only("code", "name_ko", "name_en").order_by("name_ko")


def report_get_handled(user: Any, public_id: str) -> Report:
    report = (
        reports_handled_by(user)
        .select_related("district", "neighbourhood", "category")
        .defer(*_NO_SHAPES)
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise Http404(f"No report {public_id!r} in your queue.")
    return report


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"  # "open", "closed", "all" or one status
    category: str = ""
    district: str = ""
    assignee: str = ""  # "me", "none" or ""
    due: str = ""  # "overdue", "soon" or ""
    search: str = ""


def queue(user: Any, filters: QueueFilters) -> QuerySet[Report]:
    """The official's queue, most urgent deadline first."""
    reports = (
        reports_handled_by(user)
        .select_related(
            "category", "district", "neighbourhood", "assignee__official_profile", "office"
        )
        .defer(*_NO_SHAPES)
    )
    if filters.status == "open":
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif filters.status == "closed":
        reports = reports.filter(status__in=Report.CLOSED_STATUSES)
    elif filters.status in Report.Status.values:
        reports = reports.filter(status=filters.status)
    if filters.category:
        reports = reports.filter(category__code=filters.category)
    if filters.district:
        reports = reports.filter(district_id=filters.district)
    if filters.assignee == "me":
        reports = reports.filter(assignee=user)
    elif filters.assignee == "none":
        reports = reports.filter(assignee__isnull=True)
    if filters.due == "overdue":
        reports = overdue(reports)
    elif filters.due == "soon":
        reports = due_soon(reports)
    if filters.search:
        reports = reports.filter(
            Q(public_id__iexact=filters.search) | Q(details__icontains=filters.search)
        )
    return reports.order_by("due_date", "received_at", "pk")


def today() -> datetime.date:
    return timezone.localdate()


def overdue(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.filter(status__in=Report.OPEN_STATUSES, due_date__lt=today())


def due_soon(reports: QuerySet[Report], working_days: int = 1) -> QuerySet[Report]:
    """Open reports due today or within the next ``working_days`` working days."""
    return reports.filter(
        status__in=Report.OPEN_STATUSES,
        due_date__gte=today(),
        due_date__lte=add_working_days(today(), working_days),
    )


def colleagues(report: Report) -> QuerySet[User]:
    """Officials a report can be assigned to: those of its office or department."""
    departments = [pk for pk in (report.office_id, report.department_id) if pk]
    return User.objects.filter(
        official_profile__department_id__in=departments, is_active=True
    ).select_related("official_profile")


def statistics(reports: QuerySet[Report]) -> dict[str, list[dict[str, Any]]]:
    """Counts per district and category, and the mean days to an answer."""
    closed = Q(status__in=Report.CLOSED_STATUSES)
    overdue_open = Q(status__in=Report.OPEN_STATUSES, due_date__lt=today())
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, fields in (
        ("district", ["district_id", "district__name_ko", "district__name_en"]),
        ("category", ["category__code", "category__name_ko", "category__name_en"]),
    ):
        grouped = (
            reports.order_by()
            .values(*fields)
            .annotate(
                total=Count("pk"),
                closed=Count("pk", filter=closed),
                overdue=Count("pk", filter=overdue_open),
                mean_answer=Avg(F("closed_at") - F("received_at"), filter=closed),
            )
            .order_by(fields[0])
        )
        rows[key] = [
            {
                "code": row[fields[0]],
                "name_ko": row[fields[1]],
                "name_en": row[fields[2]],
                "total": row["total"],
                "closed": row["closed"],
                "overdue": row["overdue"],
                "mean_days_to_answer": _days(row["mean_answer"]),
            }
            for row in grouped
        ]
    return rows


def _days(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 86400, 2)
    return round(float(value) / 86_400_000_000, 2)  # SQLite answers in microseconds


# --- the public --------------------------------------------------------------------------


def public_reports(
    *,
    category: str = "",
    district: str = "",
    status: str = "",
    since: datetime.datetime | None = None,
) -> QuerySet[Report]:
    reports = Report.objects.select_related("category", "district", "neighbourhood").defer(
        *_NO_SHAPES
    )
    if category:
        reports = reports.filter(category__code=category)
    if district:
        reports = reports.filter(district_id=district)
    if status == "open":
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif status == "closed":
        reports = reports.filter(status__in=Report.CLOSED_STATUSES)
    elif status in Report.Status.values:
        reports = reports.filter(status=status)
    if since is not None:
        reports = reports.filter(received_at__gte=since)
    return reports


@dataclass(frozen=True)
class MapAnswer:
    pins: list[dict[str, Any]]
    clusters: list[dict[str, Any]]


# Viewports wider than this many fine cells are answered from the grids, not the reports;
# wider than COARSE_FROM fine cells, from the coarse grid.
RAW_CLUSTER_CELLS = 16
COARSE_FROM = 1024
_GRID = 16  # clusters: a 16 × 16 grid over the viewport


def _statuses(status: str) -> tuple[str, ...] | None:
    if status == "open":
        return tuple(Report.OPEN_STATUSES)
    if status == "closed":
        return tuple(Report.CLOSED_STATUSES)
    if status in Report.Status.values:
        return (status,)
    return None


def public_map(
    *, south: float, west: float, north: float, east: float, category: str = "", status: str = ""
) -> MapAnswer:
    """Pins for a viewport, or clusters when it holds more than MAP_PIN_LIMIT reports.

    A wide viewport is counted from the ``MapCell`` summary (a few thousand rows whatever
    the number of reports); cells on the viewport's edge count whole, so a cluster there may
    include reports just outside the view."""
    statuses = _statuses(status)
    reports = public_reports(category=category).filter(
        lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east
    )
    if statuses is not None:
        reports = reports.filter(status__in=statuses)
    cells_across = ((north - south) / CELL_DEGREES) * ((east - west) / CELL_DEGREES)
    if cells_across > RAW_CLUSTER_CELLS and (status in ("", "open", "closed")):
        level = 1 if cells_across > COARSE_FROM else 0
        cells = _cells_in(level, south, west, north, east, category, status)
        if sum(c[0] for c in cells) > MAP_PIN_LIMIT:
            return MapAnswer(pins=[], clusters=_cluster_cells(cells, south, west, north, east))
    first = list(
        reports.order_by().values("public_id", "lat", "lon", "status", "category__code")[
            : MAP_PIN_LIMIT + 1
        ]
    )
    if len(first) <= MAP_PIN_LIMIT:
        return MapAnswer(pins=[dict(pin) for pin in first], clusters=[])
    lat_cell = max((north - south) / _GRID, 1e-6)
    lon_cell = max((east - west) / _GRID, 1e-6)
    grouped = (
        reports.order_by()
        .annotate(
            cell_y=Floor((F("lat") - south) / lat_cell),
            cell_x=Floor((F("lon") - west) / lon_cell),
        )
        .values("cell_y", "cell_x")
        .annotate(count=Count("pk"), lat=Avg("lat"), lon=Avg("lon"))
    )
    return MapAnswer(
        pins=[],
        clusters=[
            {"lat": round(c["lat"], 6), "lon": round(c["lon"], 6), "count": c["count"]}
            for c in grouped
        ],
    )


def _cells_in(
    level: int,
    south: float,
    west: float,
    north: float,
    east: float,
    category: str,
    status: str,
) -> list[tuple[int, float, float]]:
    size = CELL_LEVELS[level]
    cells = MapCell.objects.filter(
        level=level,
        cell_y__gte=math.floor(south / size),
        cell_y__lte=math.floor(north / size),
        cell_x__gte=math.floor(west / size),
        cell_x__lte=math.floor(east / size),
        count__gt=0,
    )
    if category:
        cells = cells.filter(category__code=category)
    if status in ("open", "closed"):
        cells = cells.filter(is_open=status == "open")
    return list(cells.values_list("count", "lat_sum", "lon_sum"))


def _cluster_cells(
    cells: list[tuple[int, float, float]], south: float, west: float, north: float, east: float
) -> list[dict[str, Any]]:
    lat_step = max((north - south) / _GRID, 1e-9)
    lon_step = max((east - west) / _GRID, 1e-9)
    grid: dict[tuple[int, int], list[float]] = {}
    for count, lat_sum, lon_sum in cells:
        lat, lon = lat_sum / count, lon_sum / count
        key = (
            min(max(int((lat - south) / lat_step), 0), _GRID - 1),
            min(max(int((lon - west) / lon_step), 0), _GRID - 1),
        )
        total = grid.setdefault(key, [0, 0.0, 0.0])
        total[0] += count
        total[1] += lat_sum
        total[2] += lon_sum
    return [
        {"lat": round(lat_sum / count, 6), "lon": round(lon_sum / count, 6), "count": int(count)}
        for count, lat_sum, lon_sum in grid.values()
    ]


def similar_open(
    category: Category, lat: float, lon: float, radius: float = SIMILAR_RADIUS_METRES
) -> list[tuple[Report, float]]:
    """Open reports of the same category within ``radius`` metres, nearest first."""
    lat_delta = radius / _M_PER_DEG_LAT
    lon_delta = radius / (_M_PER_DEG_LAT * max(math.cos(math.radians(lat)), 0.01))
    candidates = (
        Report.objects.filter(
            category=category,
            status__in=Report.OPEN_STATUSES,
            lat__range=(lat - lat_delta, lat + lat_delta),
            lon__range=(lon - lon_delta, lon + lon_delta),
        )
        .select_related("category", "neighbourhood", "district")
        .defer(*_NO_SHAPES)[:200]
    )
    near = [(r, distance_metres(lat, lon, r.lat, r.lon)) for r in candidates]
    return sorted(((r, d) for r, d in near if d <= radius), key=lambda pair: pair[1])


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 6_371_008.8 * 2 * math.asin(math.sqrt(a))


def public_timeline(report: Report) -> QuerySet[Any]:
    """History entries the public may see: those with a public meaning (never internal notes)."""
    return report.events.exclude(kind__in=("escalated", "redacted")).order_by("created_at", "pk")
