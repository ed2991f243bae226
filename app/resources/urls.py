"""The one URL builder: every link the API and the pages give, root-relative.

`urls.force("west-midlands")` is `/v1/forces/west-midlands`; list URLs take their query as
keyword arguments, in the order given (a None value is left out):
`urls.findings(inspection="west-midlands-2018-19", question="vetting")`. The pages' own
paths are the `*_page` methods. Templates get the same object as the global `urls`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

API = "/v1"


def with_query(path: str, query: dict[str, Any]) -> str:
    """`path?k=v&...` (values percent-encoded as Jinja's `urlencode` does; `/` kept)."""
    given = {k: v for k, v in query.items() if v is not None}
    return f"{path}?{urlencode(given, safe='/', quote_via=quote)}" if given else path


class Urls:
    """URLs of this API under `api` (`/v1`) and of the pages beside it."""

    def __init__(self, api: str = API) -> None:
        self.api = api

    # --- the API ------------------------------------------------------------------------

    def forces(self, **query: Any) -> str:
        return with_query(f"{self.api}/forces", query)

    def force(self, force_id: str) -> str:
        return f"{self.api}/forces/{force_id}"

    def force_inspections(self, force_id: str) -> str:
        return f"{self.force(force_id)}/inspections"

    def force_history(self, force_id: str) -> str:
        return f"{self.force(force_id)}/history"

    def frameworks(self, **query: Any) -> str:
        return with_query(f"{self.api}/frameworks", query)

    def framework(self, framework_id: str) -> str:
        return f"{self.api}/frameworks/{framework_id}"

    def framework_grades(self, framework_id: str) -> str:
        return f"{self.framework(framework_id)}/grades"

    def inspections(self, **query: Any) -> str:
        return with_query(f"{self.api}/inspections", query)

    def inspection(self, inspection_id: str) -> str:
        return f"{self.api}/inspections/{inspection_id}"

    def judgments(self, **query: Any) -> str:
        return with_query(f"{self.api}/judgments", query)

    def findings(self, **query: Any) -> str:
        return with_query(f"{self.api}/findings", query)

    def finding(self, finding_id: str) -> str:
        return f"{self.api}/findings/{finding_id}"

    def recommendations(self, **query: Any) -> str:
        return with_query(f"{self.api}/recommendations", query)

    def glossary(self, **query: Any) -> str:
        return with_query(f"{self.api}/glossary", query)

    def search(self, **query: Any) -> str:
        return with_query(f"{self.api}/search", query)

    def changes(self, **query: Any) -> str:
        return with_query(f"{self.api}/changes", query)

    def imports(self, **query: Any) -> str:
        return with_query(f"{self.api}/imports", query)

    # --- the pages ----------------------------------------------------------------------

    def home_page(self) -> str:
        return "/"

    def force_page(self, force_id: str) -> str:
        return f"/forces/{force_id}"

    def framework_page(self, framework_id: str) -> str:
        return f"/frameworks/{framework_id}"

    def inspection_page(self, inspection_id: str) -> str:
        return f"/inspections/{inspection_id}"

    def search_page(self, **query: Any) -> str:
        return with_query("/search", query)

    def forces_page(self) -> str:
        return "/forces"

    def frameworks_page(self) -> str:
        return "/frameworks"

    def inspections_page(self) -> str:
        return "/inspections"

    @staticmethod
    def anchor(api_id: str, part: str | None = None) -> str:
        """The element id a page gives the row with this API id (a finding, a boxed item,
        a pillar or question summary): its dots as '--' ('--' never occurs in a slug, so
        ids stay distinct); `part` names a group under it (`...__findings`; '_' never
        occurs in an id)."""
        anchor = api_id.replace(".", "--")
        return f"{anchor}__{part}" if part else anchor

    def inspection_page_at(self, inspection_id: str, api_id: str, part: str | None = None) -> str:
        """The report card page, scrolled to the row `api_id` (see `anchor`)."""
        return f"{self.inspection_page(inspection_id)}#{self.anchor(api_id, part)}"

    def docs(self) -> str:
        return "/docs"


urls = Urls()
