"""Cross-tenant cases: every API operation must prove that organization A cannot reach
organization B's objects. Apps declare cases in `zapys/<app>/tests/cross_tenant.py` as a
module-level `CASES` list; `tests/test_cross_tenant.py` fails for any operation in the
OpenAPI schema without a case.

Kinds
- "object": the path names a B object → A gets 404, and `snapshot()` is unchanged.
- "list":   A's list must not contain any of `foreign_ids` (B's objects).
- "create": the body references B's objects → A gets 400/404/409/422, nothing changes.
- "own":    the operation only ever touches the caller's own organization (e.g.
            GET /organization); `check(response_json, victim)` asserts it shows none of B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from zapys.accounts.models import Organization


@dataclass
class CaseInput:
    path_params: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    foreign_ids: list[int] = field(default_factory=list)
    snapshot: Callable[[], Any] | None = None
    check: Callable[[Any, Organization], None] | None = None


@dataclass
class CrossTenantCase:
    method: str
    path: str  # as in the OpenAPI schema, e.g. "/api/v1/branches/{branch_id}"
    build: Callable[[Organization], CaseInput]  # runs inside org_scope(victim)
    kind: Literal["object", "list", "create", "own"] = "object"

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"
