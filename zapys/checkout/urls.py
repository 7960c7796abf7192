from django.urls import path

from zapys.checkout import views

app_name = "checkout"

urlpatterns = [
    path("visits/<id:visit_id>/checkout/", views.visit_panel, name="visit_panel"),
    path("checkout/unpaid/", views.unpaid, name="unpaid"),
]
