"""What the clients app adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CardTab, NavItem, audit_actions, client_card_tab, nav_item

nav_item(NavItem("clients:list", _("Clients"), "people", order=30))
client_card_tab(CardTab("overview", _("Overview"), "clients:client_overview", order=10))
client_card_tab(CardTab("history", _("History"), "clients:client_history", order=90))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "client.create": _("Client added"),
        "client.update": _("Client details changed"),
        "client.delete": _("Client deleted"),
        "client.restore": _("Client restored"),
        "client.tag": _("Client tags changed"),
        "client.freeze": _("Memberships frozen"),
        "client.unfreeze": _("Freeze ended"),
        "client.cabinet_link": _("Cabinet link regenerated"),
        "tag.create": _("Tag added"),
        "client.import": _("Clients imported"),
        "client.import_upload": _("Import file uploaded"),
        "client.import_preview": _("Import file checked"),
        "client.import_start": _("Import started"),
        "client.import_refuse": _("Import file refused"),
        "client.import_expire": _("Import file removed after a day"),
    }
)
