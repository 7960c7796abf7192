from django.apps import AppConfig


class OnlineSalesConfig(AppConfig):
    name = "zapys.online_sales"
    label = "online_sales"

    def ready(self) -> None:
        from zapys.memberships import hooks
        from zapys.online_sales import events  # noqa: F401  (declares the message events)
        from zapys.online_sales.services import plan_online_from_plan_api

        # PATCH /membership-plans/{id} also takes {sell_online, button_text} (API.md).
        hooks.register_plan_online(plan_online_from_plan_api)
