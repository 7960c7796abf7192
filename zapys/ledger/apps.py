from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zapys.ledger"
    label = "ledger"

    def ready(self) -> None:
        # Infrastructure, not business logic: deleting a whole organization must be able
        # to remove its ledger past the database's no-DELETE trigger (zapys/ledger/erase.py).
        from django.db.models.signals import post_delete, pre_delete

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
