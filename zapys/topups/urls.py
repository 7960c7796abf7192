from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.topups import public, views

app_name = "topups"

urlpatterns = [
    # The path it had under payments: links already sent and bookmarked keep working.
    path("clients/<id:client_id>/top-up/", views.client_topup, name="client_topup"),
    # The client's own top-up from the cabinet (its link's token; URL-safe base64 only).
    re_path(
        r"^c/(?P<token>[A-Za-z0-9_-]{1,128})/top-up/$",
        limit_token_misses(public.cabinet_top_up),
        name="cabinet_top_up",
    ),
]
