"""The OpenAPI schema tells the truth: one component per name, error answers documented,
times of day without an offset. (What the API really answers is checked against it by
`tests/test_api_fuzz.py`.)"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema

from zapys.api import api as ninja_api

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(schema: dict[str, Any]):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in METHODS:
                yield path, method, operation


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_no_two_schemas_share_a_component_name(monkeypatch):
    """ninja files every model under its class name and silently keeps the last one, so two
    `CancelIn` classes (ledger, schedule, prepayments) became one component and two of the
    three operations were documented with the wrong body. Record every definition ninja
    registers and require one shape per name."""
    seen: dict[str, set[str]] = defaultdict(set)
    register = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict) -> None:
        for name, definition in definitions.items():
            seen[name].add(json.dumps(definition, sort_keys=True))
        register(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    schema = ninja_api.get_openapi_schema()
    assert len(seen) > 50, "the recorder saw the schema's components"
    clashes = {name: len(shapes) for name, shapes in seen.items() if len(shapes) > 1}
    assert not clashes, f"component names used by different schemas: {clashes}"
    # And every registered name is in the published document.
    assert set(seen) <= set(schema["components"]["schemas"])


def test_the_schemas_that_collided_are_distinct():
    components = ninja_api.get_openapi_schema()["components"]["schemas"]
    assert {"EntryCancelIn", "VisitCancelIn", "BookingCancelIn"} <= set(components)
    assert {"ScheduleSettingsOut", "PrepaymentSettingsOut"} <= set(components)
    assert "CancelIn" not in components and "SettingsOut" not in components
    assert set(components["EntryCancelIn"]["properties"]) == {"reason"}
    assert set(components["BookingCancelIn"]["properties"]) == {"refund"}
    assert set(components["VisitCancelIn"]["properties"]) == {
        "status_id",
        "by",
        "waive_fee",
        "reason",
        "rest",
    }
    assert "buffer_minutes" in components["ScheduleSettingsOut"]["properties"]
    assert "link_lifetime_hours" in components["PrepaymentSettingsOut"]["properties"]


def _error_ref(response: dict[str, Any]) -> str | None:
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


@pytest.mark.parametrize(
    "path, method, operation",
    list(_operations(ninja_api.get_openapi_schema())),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_operation_documents_its_error_answers(path, method, operation):
    responses = {int(code): body for code, body in operation["responses"].items()}
    expected = {401}
    if operation.get("parameters") or operation.get("requestBody"):
        expected.add(422)
    if "{" in path:
        expected.add(404)
    if method != "get":
        expected |= {400, 403, 404, 409}
    missing = expected - set(responses)
    assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
    for code in expected:
        assert _error_ref(responses[code]) == "#/components/schemas/ErrorOut", (code, path)


def test_every_operation_that_takes_input_documents_422():
    """The brief's floor, counted: 401 everywhere, 422 wherever there is input to get wrong."""
    schema = ninja_api.get_openapi_schema()
    operations = list(_operations(schema))
    assert len(operations) >= 90
    without_input = [
        f"{m.upper()} {p}"
        for p, m, op in operations
        if not (op["parameters"] or "requestBody" in op)
    ]
    # Reading an organization's settings and marking every notification read take nothing a
    # client could get wrong; any other operation without input is a new one to look at.
    assert sorted(without_input) == [
        "GET /api/v1/invoices/settings",
        "GET /api/v1/organization",
        "GET /api/v1/prepayment/settings",
        "GET /api/v1/schedule/settings",
        "GET /api/v1/storefront/settings",
        "GET /api/v1/visit-messages/settings",
        "POST /api/v1/notifications/read-all",
    ], without_input
    for path, method, operation in operations:
        codes = {str(c) for c in operation["responses"]}
        assert "401" in codes
        if f"{method.upper()} {path}" not in without_input:
            assert "422" in codes, (method, path)


def test_error_schema_is_the_one_the_api_answers_with():
    error = ninja_api.get_openapi_schema()["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail", "errors"]
    assert error["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ErrorItem"}


def test_times_of_day_carry_no_offset():
    """`format: time` is RFC 3339's full-time, which includes an offset; staff hours are the
    branch's wall clock. Every time of day is HH:MM[:SS] without one."""
    schema = ninja_api.get_openapi_schema()
    assert not [node for node in _walk(schema) if node.get("format") == "time"]
    interval = schema["components"]["schemas"]["IntervalSchema"]["properties"]["start"]
    assert interval["type"] == "string" and interval["pattern"].endswith("(:[0-5]\\d)?$")
