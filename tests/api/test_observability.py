"""Request ids and /metrics (Prometheus text format, read with the Prometheus client's
own parser), in process against real databases."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from app.db import as_utc
from app.services.data_version import version_row
from tests.api.conftest import Api


def _samples(api: Api) -> dict[tuple[str, frozenset], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _requests(samples: dict, route: str, status: str = "200") -> float:
    labels = frozenset({"method": "GET", "route": route, "status": status}.items())
    return samples.get(("peel_http_requests_total", labels), 0.0)


def test_metrics_count_requests_by_route_template_cached_ones_too(api: Api) -> None:
    before = _samples(api)
    for _ in range(3):  # the second and third are answered from the response cache
        assert api.get("/v1/forces/west-midlands").status_code == 200
    assert api.get("/v1/forces/no-such-force").status_code == 404
    after = _samples(api)

    route = "/v1/forces/{force_id}"
    assert _requests(after, route) - _requests(before, route) == 3
    assert _requests(after, route, "404") - _requests(before, route, "404") == 1
    latency = (
        "peel_http_request_duration_seconds_count",
        frozenset({"method": "GET", "route": route}.items()),
    )
    assert after[latency] - before.get(latency, 0.0) == 4
    # A Prometheus histogram: cumulative buckets ending in +Inf, which is the count.
    buckets = sorted(
        (float(dict(labels)["le"]), value)
        for (name, labels), value in after.items()
        if name == "peel_http_request_duration_seconds_bucket" and dict(labels)["route"] == route
    )
    counts = [value for _, value in buckets]
    assert buckets[-1][0] == float("inf") and counts[-1] == after[latency]
    assert counts == sorted(counts)
    total = ("peel_http_request_duration_seconds_sum", latency[1])
    assert 0 < after[total] < after[latency] * 10  # seconds, each under 10 s here
    # Route templates, never raw paths: the label values stay bounded.
    routes = {
        dict(labels).get("route") for name, labels in after if name == "peel_http_requests_total"
    }
    assert "/v1/forces/west-midlands" not in routes


def test_metrics_report_the_data_version_and_last_import(api: Api) -> None:
    with Session(api.engine) as session:
        version, changed = version_row(session)
    samples = _samples(api)
    assert samples[("peel_data_version", frozenset())] == version
    assert (
        samples[("peel_last_import_timestamp_seconds", frozenset())] == as_utc(changed).timestamp()
    )
    assert ("peel_response_cache_bytes", frozenset()) in samples


def test_a_request_id_is_echoed_or_made(api: Api) -> None:
    given = api.client.get("/v1/forces", headers={"X-Request-ID": "trace-42.a:b"})
    assert given.headers["x-request-id"] == "trace-42.a:b"

    made = api.client.get("/v1/forces").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert made != api.client.get("/v1/forces").headers["x-request-id"]

    # A value that could forge log lines or headers is replaced, not echoed.
    odd = api.client.get("/v1/forces", headers={"X-Request-ID": "x" * 200}).headers
    assert re.fullmatch(r"[0-9a-f]{32}", odd["x-request-id"])


def test_problems_and_pages_carry_a_request_id_too(api: Api) -> None:
    for url in ("/v1/nothing-here", "/", "/metrics"):
        assert "x-request-id" in api.client.get(url).headers, url
