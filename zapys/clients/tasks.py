"""Background work of the clients app: large imports (C8)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope, unscoped


@db_task()
def client_import_task(import_id: int, user_id: int | None) -> None:
    """Load the import by id, enter its organization, and run it (the service records progress)."""
    from zapys.accounts.models import User
    from zapys.clients.importing import client_import_run
    from zapys.clients.models import ClientImport

    with unscoped():
        upload = ClientImport.objects.select_related("organization").filter(pk=import_id).first()
        user = User.objects.filter(pk=user_id).first() if user_id else None
    if upload is None or upload.status != ClientImport.Status.QUEUED:
        return
    actor = Actor.staff(user) if user is not None else Actor.system("client import")
    with org_scope(upload.organization):
        client_import_run(upload=upload, actor=actor)
