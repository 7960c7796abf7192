from django.urls import path

from zapys.topups import views

app_name = "topups"

urlpatterns = [
    # The path it had under payments: links already sent and bookmarked keep working.
    path("clients/<id:client_id>/top-up/", views.client_topup, name="client_topup"),
]
