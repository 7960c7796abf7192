from django.apps import AppConfig


class PrepaymentsConfig(AppConfig):
    name = "zapys.prepayments"
    label = "prepayments"

    def ready(self) -> None:
        # What the app plugs into the schedule is in `schedule_hooks.py`, found by the schedule.
        from zapys.prepayments import events  # noqa: F401  (declares the message events)
