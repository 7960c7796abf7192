from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zapys.ledger"
    label = "ledger"
