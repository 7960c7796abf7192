from django.apps import AppConfig


class TopupsConfig(AppConfig):
    """Balance top-ups: a client pays online and the money lands on their balance.

    The worked example of "how to add a way of getting paid" (docs/architecture.md): nothing
    is registered here — payments finds `purposes.py`, the ledger `ledger_hooks.py`, messaging
    `events.py`, the staff interface `ui.py`, the API `api.py` and the demo `demo.py`."""

    name = "zapys.topups"
    label = "topups"
