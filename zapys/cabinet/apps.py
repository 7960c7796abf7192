from django.apps import AppConfig


class CabinetConfig(AppConfig):
    """The client's cabinet (K1): the client's own page behind an unguessable link."""

    name = "zapys.cabinet"
    label = "cabinet"
