from django.urls import path

from zapys.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/money/", views.money, name="money"),
    path("reports/day/", views.day, name="day"),
    path("reports/compare/", views.compare, name="compare"),
    path("reports/payment-links/", views.funnel, name="funnel"),
]
