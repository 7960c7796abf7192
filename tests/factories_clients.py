"""Builders for clients and tags (through the services, so audit rows exist as in real use)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from zapys.accounts.models import Organization
from zapys.clients.models import Client, Tag
from zapys.clients.services import client_create, tag_create
from zapys.core.audit import Actor

SYSTEM = Actor.system("tests")
_seq = itertools.count(1)


def make_phone(n: int | None = None) -> str:
    """A valid Ukrainian mobile number in E.164, different for each call."""
    return f"+38067{1000000 + (n if n is not None else next(_seq)):07d}"


def make_client(
    org: Organization,
    name: str | None = None,
    *,
    phone: str | None = None,
    tags: list[str] | None = None,
    birthday: date | None = None,
    **fields: Any,
) -> Client:
    n = next(_seq)
    return client_create(
        organization=org,
        name=name or f"Client {n}",
        phone=make_phone(n) if phone is None else phone,
        tags=tags or [],
        birthday=birthday,
        actor=SYSTEM,
        **fields,
    )


def make_tag(org: Organization, name: str | None = None, color: str = "") -> Tag:
    return tag_create(organization=org, name=name or f"tag {next(_seq)}", color=color, actor=SYSTEM)
