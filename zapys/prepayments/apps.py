from django.apps import AppConfig


class PrepaymentsConfig(AppConfig):
    name = "zapys.prepayments"
    label = "prepayments"

    def ready(self) -> None:
        from zapys.prepayments import events  # noqa: F401  (declares the message events)
        from zapys.prepayments.selectors import bookings_for_visits
        from zapys.prepayments.services import online_visit_created
        from zapys.schedule import hooks

        hooks.register_after_online_visit_created(online_visit_created)
        hooks.register_bookings_for(bookings_for_visits)
