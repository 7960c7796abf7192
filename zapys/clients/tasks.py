"""Background work of the clients app: checking and running imports (C8, issue 10).

The web request only stores an uploaded file; reading it — the expensive, attacker-shaped
part — happens here. Each task loads the import by id, enters its organization and the
language the staff member used, and calls one service; the services move the status with
a conditional update, so a task delivered twice does the work once.
"""

from __future__ import annotations

from django.utils import translation
from huey.contrib.djhuey import db_task

from zapys.accounts.models import User
from zapys.clients.importing import client_import_check, client_import_run
from zapys.clients.models import ClientImport
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope, unscoped


def _load(import_id: int) -> ClientImport | None:
    with unscoped():
        upload: ClientImport | None = (
            ClientImport.objects.select_related("organization", "created_by", "started_by")
            .filter(pk=import_id)
            .first()
        )
    return upload


def _actor(user: User | None) -> Actor:
    return Actor.staff(user) if user is not None else Actor.system("client import")


@db_task()
def client_import_check_task(import_id: int, language: str = "") -> None:
    """Read an uploaded file within the limits and make its dry-run report."""
    upload = _load(import_id)
    if upload is None:
        return
    with (
        org_scope(upload.organization),
        translation.override(language or upload.organization.language),
    ):
        client_import_check(upload=upload, actor=_actor(upload.created_by))


@db_task()
def client_import_task(import_id: int, language: str = "") -> None:
    """Carry out a confirmed import (the service records progress on the row)."""
    upload = _load(import_id)
    if upload is None:
        return
    with (
        org_scope(upload.organization),
        translation.override(language or upload.organization.language),
    ):
        client_import_run(upload=upload, actor=_actor(upload.started_by))
