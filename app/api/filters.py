"""List filters checked against what exists: the catalogue's values, read once per data version.

- Every catalogue filter (force, framework, pillar, question, area, grade, inspection,
  last_inspected) names something that exists, or the request is a 400
  `unknown-filter-value` problem naming the parameter and the value and suggesting the
  closest valid values (also as the members `parameter`, `value`, `suggestions`).
- Ids match case-insensitively (`West-Midlands` reads as `west-midlands`); year labels
  are read with `/` or `-` (`2018-19` is `2018/19`).
- A filter given more than once means any of its values (SQL IN). Any other query
  parameter given more than once is a 400 (`refuse_repeated`): never half-read.
- The values come from the database (app.services.catalogue.filter_values), kept per
  database and data version: a request with filters reads none of it again, a request
  without filters never looks.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import StringConstraints
from sqlmodel import Session

from app.api.deps import SessionDep
from app.api.problems import InvalidParam, ProblemError
from app.services.catalogue import FilterValues, filter_values
from app.services.judgments import NOT_AVAILABLE
from app.services.per_version import PerVersion

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,80}$"
YEAR_PATTERN = r"^\d{4}([/-]\d{2})?$"
UNKNOWN_VALUE = "unknown-filter-value"
SUGGESTIONS = 3

_ID_WORDS = (
    "letters, digits and hyphens, starting with a letter or digit; matched case-insensitively"
)
_ANY_OF = "Repeat the parameter for any of several values"


@dataclass(frozen=True)
class Kind:
    """What a filter names: its noun, and where a client finds the valid values."""

    noun: str
    listed_at: str


KINDS = {
    "force": Kind("force", "/v1/forces"),
    "framework": Kind("framework", "/v1/frameworks"),
    "pillar": Kind("pillar", "/v1/frameworks/{id}"),
    "question": Kind("question", "/v1/frameworks/{id}"),
    "area": Kind("area", "/v1/frameworks/{id}"),
    "question_or_area": Kind("question or area", "/v1/frameworks/{id}"),
    "grade": Kind("grade", "/v1/frameworks/{id}"),
    "inspection": Kind("inspection", "/v1/inspections"),
    "year": Kind("year label", "/v1/frameworks"),
}


def _id_description(what: str, example: str, repeatable: bool = True) -> str:
    text = (
        f"{what} ({_ID_WORDS}), e.g. `{example}`. An id nothing here has is a 400 "
        "`unknown-filter-value` problem that suggests the closest ids."
    )
    return f"{text} {_ANY_OF} (any of them matches)." if repeatable else text


def _id_filter(what: str, example: str) -> Any:
    return Annotated[
        list[Annotated[str, StringConstraints(pattern=ID_PATTERN)]] | None,
        Query(description=_id_description(what, example), examples=[[example]]),
    ]


ForceFilter = _id_filter("A police.uk force id", "west-midlands")
FrameworkFilter = _id_filter("A framework id", "peel-2018-19")
PillarFilter = _id_filter("A pillar id (PEEL to 2018/19)", "effectiveness")
QuestionFilter = _id_filter("A question of a pillar", "protecting-vulnerable-people")
AnyQuestionFilter = _id_filter("A question (or an area, PEEL 2021/22 on)", "investigating-crime")
AreaFilter = _id_filter("An area (PEEL 2021/22 on)", "investigating-crime")
GradeFilter = _id_filter(
    "A grade of any framework's scale, or `not-available` (carried over, the grade not known here)",
    "requires-improvement",
)
InspectionFilter = _id_filter("An inspection id (`<force>-<year label>`)", "west-midlands-2018-19")
YearFilter = Annotated[
    list[Annotated[str, StringConstraints(pattern=YEAR_PATTERN)]] | None,
    Query(
        description="The year a judgment was last inspected, as reports print it: a year "
        "(`2016`) or a year and the next year's last two digits, with `/` or `-` (`2018/19` "
        "and `2018-19` are the same). A year label no framework or judgment has is a 400 "
        f"`unknown-filter-value` problem. {_ANY_OF}.",
        examples=[["2018/19"]],
    ),
]


# --- the catalogue, per database and data version ----------------------------------------


def _key(kind: str, value: str) -> str:
    value = value.lower()
    return value.replace("/", "-") if kind == "year" else value


@dataclass(frozen=True)
class Catalogue:
    """The valid values of each kind, by lookup key (lowercase; years with `-`)."""

    values: dict[str, dict[str, str]]
    source_kinds: dict[str, str]  # inspection id: 'report' or what else it is built from

    @classmethod
    def of(cls, found: FilterValues) -> Catalogue:
        stored = {
            "force": found.forces,
            "framework": found.frameworks,
            "pillar": found.pillars,
            "question": found.questions,
            "area": found.areas,
            "question_or_area": (*found.questions, *found.areas),
            "grade": (*found.grades, NOT_AVAILABLE),
            "inspection": tuple(found.inspections),
            "year": found.year_labels,
        }
        return cls(
            values={kind: {_key(kind, v): v for v in values} for kind, values in stored.items()},
            source_kinds=found.inspections,
        )


# One catalogue per database and data version (filter values change only with a load).
_catalogues: PerVersion[Catalogue] = PerVersion(8)


def catalogue_of(session: Session) -> Catalogue:
    """The catalogue of the database and data version this request's session reads (the
    version the validators were labelled with: read once per session, no query more)."""
    return _catalogues.get(session, "catalogue", lambda: Catalogue.of(filter_values(session)))


def clear_catalogues() -> None:
    _catalogues.clear()


def _listing(values: list[str]) -> str:
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def unknown_value(parameter: str, kind: str, value: str, catalogue: Catalogue) -> ProblemError:
    valid = catalogue.values[kind]
    close = difflib.get_close_matches(_key(kind, value), list(valid), n=SUGGESTIONS, cutoff=0.6)
    suggestions = [valid[key] for key in close]
    what = KINDS[kind]
    article = "an" if what.noun[0] in "aeiou" else "a"
    detail = f"{parameter} {value!r} is not {article} {what.noun}"
    if suggestions:
        detail += f"; did you mean {_listing(suggestions)}?"
    else:
        detail += f" known here; {what.listed_at} lists them."
    return ProblemError(
        400,
        UNKNOWN_VALUE,
        detail,
        errors=[
            InvalidParam(name=f"query.{parameter}", reason=f"not {article} {what.noun}: {value!r}")
        ],
        extensions={"parameter": parameter, "value": value, "suggestions": suggestions},
    )


class FilterCheck:
    """A request's filter checks; the catalogue is only read when a filter is given."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def catalogue(self) -> Catalogue:
        return catalogue_of(self.session)

    def __call__(
        self, parameter: str, kind: str, given: list[str] | str | None
    ) -> tuple[str, ...] | None:
        """The stored values `given` names, once each in the order given (None: no filter);
        a 400 problem for the first that names nothing."""
        if given is None:
            return None
        valid = self.catalogue.values[kind]
        found: dict[str, None] = {}
        for value in [given] if isinstance(given, str) else given:
            stored = valid.get(_key(kind, value))
            if stored is None:
                raise unknown_value(parameter, kind, value, self.catalogue)
            found[stored] = None
        return tuple(found)

    def one(self, parameter: str, kind: str, given: str | None) -> str | None:
        values = self(parameter, kind, given)
        return values[0] if values else None

    def findings_held(self, inspections: tuple[str, ...] | None) -> None:
        """A 404 problem when an inspection filtered on (known to exist) holds grades only
        (built from assessment pages): an empty list would read as "no findings"."""
        for inspection in inspections or ():
            if self.catalogue.source_kinds.get(inspection, "report") != "report":
                raise ProblemError(
                    404,
                    "findings-not-held",
                    f"Inspection {inspection!r} is built from HMICFRS assessment pages, which "
                    "state grades only: no findings text or recommendations are held for it.",
                )


async def filter_check(session: SessionDep) -> FilterCheck:
    # No I/O (the catalogue is read on first use, in the endpoint's thread): on the event
    # loop, so not a thread hop of its own.
    return FilterCheck(session)


CheckDep = Annotated[FilterCheck, Depends(filter_check)]


# --- one value per parameter, unless it takes several ---------------------------------------


def _takes_several(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (Union, UnionType) or origin is Annotated:
        return any(_takes_several(arg) for arg in get_args(annotation))
    return False


def _single_valued(dependant: Dependant) -> set[str]:
    names = {
        param.alias
        for param in dependant.query_params
        if not _takes_several(param.field_info.annotation)
    }
    for sub in dependant.dependencies:
        names |= _single_valued(sub)
    return names


_single: dict[int, frozenset[str]] = {}


async def refuse_repeated(request: Request) -> None:
    """Router dependency: a 400 naming each parameter that takes one value and is given
    more (a filter that takes several documents it: an array, any of its values)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    single = _single.get(id(route))
    if single is None:
        single = _single[id(route)] = frozenset(_single_valued(route.dependant))
    query = request.query_params
    repeated = sorted(name for name in single if len(query.getlist(name)) > 1)
    if repeated:
        raise ProblemError(
            400,
            "invalid-request",
            f"{', '.join(repeated)} given more than once: "
            f"{'each takes' if len(repeated) > 1 else 'it takes'} one value.",
            errors=[
                InvalidParam(name=f"query.{name}", reason="given more than once; takes one value")
                for name in repeated
            ],
        )


REFUSE_REPEATED = [Depends(refuse_repeated)]
