from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_delete


class LedgerConfig(AppConfig):
    name = "zapys.ledger"
    label = "ledger"

    def ready(self) -> None:
        # Infrastructure, not business logic: deleting a whole organization must be able
        # to remove its ledger past the database's no-DELETE trigger (zapys/ledger/erase.py).
        # Imported here, not at the top: models cannot be imported before the app registry
        # is ready, and `erase` imports the ledger's models.
        from zapys.accounts.models import Organization
        from zapys.ledger import erase

        pre_delete.connect(
            erase.on_organization_pre_delete, sender=Organization, dispatch_uid="ledger_erase_pre"
        )
        post_delete.connect(
            erase.on_organization_post_delete,
            sender=Organization,
            dispatch_uid="ledger_erase_post",
        )
