from django.urls import path

from zapys.fiscal import views

app_name = "fiscal"

urlpatterns = [
    path("settings/cash-registers/", views.registers, name="registers"),
    path("settings/cash-registers/<id:pk>/check/", views.register_check, name="register_check"),
    path("fiscal-receipts/", views.receipts, name="receipts"),
    path("fiscal-receipts/<id:pk>/retry/", views.receipt_retry, name="receipt_retry"),
    path("fiscal-receipts/registers/<id:pk>/close-shift/", views.shift_close, name="shift_close"),
]
