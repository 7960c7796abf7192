from django.urls import path, re_path

from zapys.cabinet import views
from zapys.core.ratelimit import limit_token_misses

app_name = "cabinet"

urlpatterns = [
    # The client's cabinet link (`Client.cabinet_url`); URL-safe base64 only (core.tokens).
    re_path(r"^c/(?P<token>[A-Za-z0-9_-]{1,128})/$", limit_token_misses(views.page), name="page"),
    # «Pay from the balance» of one payable: GET asks to confirm, POST pays.
    re_path(
        r"^c/(?P<token>[A-Za-z0-9_-]{1,128})/pay-from-balance/(?P<key>[a-z_]{1,32})/(?P<ref>[0-9]{1,18})/$",
        limit_token_misses(views.pay_from_balance),
        name="pay_from_balance",
    ),
    path("clients/<id:client_id>/cabinet-link/", views.client_link, name="client_link"),
]
