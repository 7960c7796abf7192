from django.urls import path

from zapys.broadcasts import views

app_name = "broadcasts"

urlpatterns = [
    path("broadcasts/", views.broadcast_list, name="list"),
    path("broadcasts/new/", views.broadcast_new, name="new"),
    path("broadcasts/clients/", views.client_search, name="client_search"),
    path("broadcasts/<id:pk>/", views.broadcast_detail, name="detail"),
    path("broadcasts/<id:pk>/progress/", views.broadcast_progress, name="progress"),
    path("settings/broadcasts/", views.broadcast_settings, name="settings"),
]
