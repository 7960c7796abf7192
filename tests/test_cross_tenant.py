"""Every API operation proves organization A cannot reach organization B (P1, API.md)."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from django.conf import settings

from tests.cross_tenant import CrossTenantCase
from tests.factories import make_branch, make_staff
from zapys.api import api as ninja_api
from zapys.core.tenancy import org_scope


def schema_operations() -> set[str]:
    schema = ninja_api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method in ops
        if method in {"get", "post", "put", "patch", "delete"}
    }


def declared_cases() -> dict[str, CrossTenantCase]:
    cases: dict[str, CrossTenantCase] = {}
    for app in settings.INSTALLED_APPS:
        name = f"{app}.tests.cross_tenant"
        if app.startswith("zapys.") and importlib.util.find_spec(name) is not None:
            for case in importlib.import_module(name).CASES:
                assert case.key not in cases, f"two cross-tenant cases for {case.key}"
                cases[case.key] = case
    return cases


def test_every_api_operation_has_a_cross_tenant_case():
    missing = sorted(schema_operations() - set(declared_cases()))
    assert not missing, f"API operations without a cross-tenant case: {missing}"
    stale = sorted(set(declared_cases()) - schema_operations())
    assert not stale, f"cross-tenant cases for operations that no longer exist: {stale}"


@pytest.mark.parametrize("key", sorted(declared_cases()))
def test_cross_tenant(key, org, other_org, api):
    case = declared_cases()[key]
    with org_scope(other_org):
        # The victim gets a realistic shape: a branch and staff of its own.
        make_branch(other_org, "Victim branch")
        make_staff(other_org, "owner")
        data = case.build(other_org)
        before = data.snapshot() if data.snapshot else None
    path = case.path.removeprefix("/api/v1").format(**data.path_params)
    if data.query:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(data.query, doseq=True)}"
    method = case.method.lower()
    response = (
        api.request(method, path, data.body)
        if method not in ("get", "delete")
        else api.request(method, path)
    )
    if case.kind == "object":
        assert response.status == 404, (key, response.status, response.body)
        assert response.body["detail"]
    elif case.kind == "list":
        assert response.status == 200, (key, response.status, response.body)
        ids = {item["id"] for item in response.body["items"]}
        assert data.foreign_ids, "a list case must create foreign objects to look for"
        assert not ids & set(data.foreign_ids), (key, ids & set(data.foreign_ids))
    elif case.kind == "create":
        assert response.status in (400, 404, 409, 422), (key, response.status, response.body)
    elif case.kind == "own":
        assert response.status in (200, 201), (key, response.status, response.body)
        assert data.check is not None
        data.check(response.body, other_org)
    if data.snapshot:
        with org_scope(other_org):
            assert data.snapshot() == before, f"{key} changed organization B's data"
