"""Read and write Pabulib ``.pb`` files (https://pabulib.org/format).

A file has three sections, each a header line followed by ``;``-separated rows:

* ``META``: ``key;value`` pairs (``budget``, ``vote_type``, ``rule``, ``min_length`` …);
* ``PROJECTS``: a header row starting with ``project_id``, then one row per project
  (``cost`` is required; ``votes``, ``name``, ``category``, ``selected`` … are optional);
* ``VOTES``: a header row starting with ``voter_id``, then one row per voter; ``vote`` lists
  project ids separated by commas (in preference order for ``ordinal`` ballots) and
  ``points`` the matching points for ``cumulative`` and ``scoring`` ballots.

Fields follow CSV quoting (``"..."`` with ``""`` for a quote), so a name may contain ``;``.
Real files come with LF or CRLF line ends, a byte-order mark, lowercase section names or
spaces after the separators; the reader accepts all of these and rejects anything
ambiguous (duplicate ids, a vote for an unknown project, a non-numeric cost) with a
:class:`PabulibError` naming the line. Numbers are exact :class:`~fractions.Fraction` values
(``400000.0`` is a budget seen in real files), integral ones shown as integers on output.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")
SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """The text is not a well-formed Pabulib file; the message names the line."""


@dataclass(frozen=True, slots=True)
class Project:
    project_id: str
    cost: Fraction
    #: Every other column of the PROJECTS row, as text (``name``, ``votes``, ``selected`` …).
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def selected(self) -> bool | None:
        """The file's ``selected`` column (``None`` when the file has none)."""
        value = self.fields.get("selected")
        if value is None or value == "":
            return None
        return value.strip() not in ("0", "")


@dataclass(frozen=True, slots=True)
class Ballot:
    voter_id: str
    #: Chosen project ids; for ordinal ballots, most preferred first.
    projects: tuple[str, ...]
    #: Points per chosen project (cumulative and scoring ballots), else ``None``.
    points: tuple[Fraction, ...] | None = None
    #: Every other column of the VOTES row (``age``, ``sex``, ``voting_method`` …).
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Instance:
    """One participatory-budgeting instance: metadata, projects in file order, ballots."""

    meta: Mapping[str, str]
    projects: Mapping[str, Project]
    ballots: Sequence[Ballot]
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    @property
    def budget(self) -> Fraction:
        return parse_number(self.meta.get("budget", ""), "META budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "")

    def approvals(self) -> dict[str, int]:
        """Number of ballots naming each project (every project, zero included)."""
        counts = dict.fromkeys(self.projects, 0)
        for ballot in self.ballots:
            for project_id in ballot.projects:
                counts[project_id] += 1
        return counts

    def selected(self) -> set[str] | None:
        """The file's ``selected`` projects, or ``None`` when it has no such column."""
        if "selected" not in self.project_columns:
            return None
        return {pid for pid, project in self.projects.items() if project.selected}


def parse_number(text: str, where: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{where}: {text!r} is not a number") from None
    return value


def format_number(value: Fraction | int) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    # Pabulib numbers are decimal; a value that is not one is written as exactly as it can be.
    return repr(float(value))


def loads(text: str) -> Instance:
    """Parse the text of a ``.pb`` file."""
    text = text.removeprefix("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    section: str | None = None
    header: list[str] | None = None
    meta: dict[str, str] = {}
    projects: dict[str, Project] = {}
    ballots: list[Ballot] = []
    voter_ids: set[str] = set()
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    for raw in rows:
        line = rows.line_num
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue  # blank lines (some real files have them between sections)
        if len(cells) == 1 and cells[0].lower() in SECTIONS:
            section, header = cells[0].lower(), None
            if section == "projects" and not meta:
                raise PabulibError(f"line {line}: PROJECTS before META")
            continue
        if section is None:
            raise PabulibError(f"line {line}: expected the META section first")
        if header is None:
            header = [cell.lower() for cell in cells]
            _check_header(section, header, line)
            if section == "projects":
                project_columns = tuple(header)
            elif section == "votes":
                vote_columns = tuple(header)
            continue
        if len(cells) != len(header):
            raise PabulibError(f"line {line}: {len(cells)} fields, the header has {len(header)}")
        row = dict(zip(header, cells, strict=True))
        if section == "meta":
            meta[row["key"]] = row["value"]
        elif section == "projects":
            project = _project(row, line)
            if project.project_id in projects:
                raise PabulibError(f"line {line}: project {project.project_id!r} appears twice")
            projects[project.project_id] = project
        else:
            ballot = _ballot(row, line, projects, meta.get("vote_type", "approval"))
            if ballot.voter_id in voter_ids:
                raise PabulibError(f"line {line}: voter {ballot.voter_id!r} appears twice")
            voter_ids.add(ballot.voter_id)
            ballots.append(ballot)
    if section != "votes" or not vote_columns:
        raise PabulibError("the file needs META, PROJECTS and VOTES sections, in this order")
    vote_type = meta.get("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(f"META vote_type: unknown type {vote_type!r}")
    if "budget" not in meta:
        raise PabulibError("META: the budget is missing")
    parse_number(meta["budget"], "META budget")
    return Instance(meta, projects, ballots, project_columns, vote_columns)


def _check_header(section: str, header: list[str], line: int) -> None:
    required = {"meta": ("key", "value"), "projects": ("project_id", "cost")}.get(
        section, ("voter_id", "vote")
    )
    missing = [name for name in required if name not in header]
    if missing:
        raise PabulibError(f"line {line}: the {section.upper()} header lacks {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise PabulibError(f"line {line}: a column name appears twice")


def _project(row: dict[str, str], line: int) -> Project:
    project_id = row["project_id"]
    if not project_id:
        raise PabulibError(f"line {line}: empty project_id")
    cost = parse_number(row["cost"], f"line {line} cost")
    if cost < 0:
        raise PabulibError(f"line {line}: a cost cannot be negative")
    extra = {k: v for k, v in row.items() if k not in ("project_id", "cost")}
    return Project(project_id, cost, extra)


def _ballot(
    row: dict[str, str], line: int, projects: Mapping[str, Project], vote_type: str
) -> Ballot:
    voter_id = row["voter_id"]
    chosen = tuple(part.strip() for part in row["vote"].split(",") if part.strip())
    unknown = [pid for pid in chosen if pid not in projects]
    if unknown:
        raise PabulibError(f"line {line}: vote for unknown project {unknown[0]!r}")
    if len(set(chosen)) != len(chosen):
        raise PabulibError(f"line {line}: a project is named twice in one vote")
    points: tuple[Fraction, ...] | None = None
    if "points" in row:
        texts = [part for part in row["points"].split(",") if part.strip()]
        points = tuple(parse_number(part, f"line {line} points") for part in texts)
        if len(points) != len(chosen):
            raise PabulibError(f"line {line}: {len(chosen)} projects but {len(points)} points")
    elif vote_type in ("cumulative", "scoring"):
        raise PabulibError(f"line {line}: {vote_type} votes need a points column")
    extra = {k: v for k, v in row.items() if k not in ("voter_id", "vote", "points")}
    return Ballot(voter_id, chosen, points, extra)


def load(path: str | Path) -> Instance:
    return loads(Path(path).read_text(encoding="utf-8"))


def dumps(instance: Instance) -> str:
    """The ``.pb`` text of ``instance`` (LF line ends, minimal CSV quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    out.write("META\n")
    writer.writerow(("key", "value"))
    for key, value in instance.meta.items():
        writer.writerow((key, value))
    out.write("PROJECTS\n")
    project_columns = _columns(
        instance.project_columns,
        ("project_id", "cost"),
        (p.fields for p in instance.projects.values()),
    )
    writer.writerow(project_columns)
    for project in instance.projects.values():
        values = {"project_id": project.project_id, "cost": format_number(project.cost)}
        writer.writerow([values.get(c, project.fields.get(c, "")) for c in project_columns])
    out.write("VOTES\n")
    required = ("voter_id", "vote") + (
        ("points",) if any(b.points is not None for b in instance.ballots) else ()
    )
    vote_columns = _columns(instance.vote_columns, required, (b.fields for b in instance.ballots))
    writer.writerow(vote_columns)
    for ballot in instance.ballots:
        values = {"voter_id": ballot.voter_id, "vote": ",".join(ballot.projects)}
        if ballot.points is not None:
            values["points"] = ",".join(format_number(p) for p in ballot.points)
        writer.writerow([values.get(c, ballot.fields.get(c, "")) for c in vote_columns])
    return out.getvalue()


def _columns(
    declared: Sequence[str], required: Sequence[str], extras: Iterable[Mapping[str, str]]
) -> list[str]:
    columns = list(declared)
    for name in required:
        if name not in columns:
            columns.append(name)
    for fields in extras:
        for name in fields:
            if name not in columns:
                columns.append(name)
    return columns


def dump(instance: Instance, path: str | Path) -> None:
    Path(path).write_text(dumps(instance), encoding="utf-8")
