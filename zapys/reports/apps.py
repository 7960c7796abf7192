from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reports (R1, X9): the owner's questions answered in one section, with exports."""

    name = "zapys.reports"
    label = "reports"
