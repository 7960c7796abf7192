from django.urls import path, re_path

from zapys.core.ratelimit import limit_token_misses
from zapys.waitlist import views

app_name = "waitlist"

urlpatterns = [
    path("waitlist/", views.entries_list, name="list"),
    path("waitlist/settings/", views.waitlist_settings, name="settings"),
    path("waitlist/<id:pk>/remove/", views.entry_remove, name="remove"),
    path("visits/<id:visit_id>/waitlist/", views.visit_entry, name="visit_entry"),
    path("clients/<id:client_id>/waitlist/", views.client_waitlist, name="client"),
    path("book/<slug:org_slug>/waitlist/", views.public_join, name="join"),
    # URL-safe base64 only (core.tokens), like the other public links.
    re_path(
        r"^w/(?P<token>[A-Za-z0-9_-]{1,128})/$",
        limit_token_misses(views.offer_page),
        name="offer",
    ),
]
