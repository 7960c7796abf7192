from django.urls import path

from zapys.ledger import views

app_name = "ledger"

urlpatterns = [
    path("clients/<id:client_id>/payments/", views.client_entries, name="client_entries"),
    path("clients/<id:client_id>/payments/new/", views.client_entry_new, name="client_entry_new"),
    path("ledger/entries/<id:entry_id>/cancel/", views.entry_cancel, name="entry_cancel"),
    path("finance/payments/", views.payments_report, name="payments_report"),
    path("finance/operations/", views.operations, name="operations"),
    path("finance/day-sales/", views.day_sales, name="day_sales"),
    path("settings/finance/", views.finance_settings, name="settings"),
]
