from django.urls import path

from zapys.invoices import views

app_name = "invoices"

urlpatterns = [
    path("i/<str:token>/", views.invoice_page, name="page"),
]
