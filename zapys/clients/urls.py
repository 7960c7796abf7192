from django.urls import path

from zapys.clients import views

app_name = "clients"

urlpatterns = [
    path("clients/", views.client_list, name="list"),
    path("clients/deleted/", views.client_deleted_list, name="deleted"),
    path("clients/new/", views.client_create_view, name="create"),
    path("clients/bulk-tag/", views.clients_bulk_tag, name="bulk_tag"),
    path("clients/phone-check/", views.phone_check, name="phone_check"),
    path("clients/import/", views.client_import, name="import"),
    path("clients/import/<id:import_id>/", views.client_import_detail, name="import_detail"),
    path(
        "clients/import/<id:import_id>/confirm/",
        views.client_import_confirm,
        name="import_confirm",
    ),
    path(
        "clients/import/<id:import_id>/progress/",
        views.client_import_progress,
        name="import_progress",
    ),
    path("clients/<id:client_id>/", views.client_detail, name="detail"),
    path("clients/<id:client_id>/edit/", views.client_edit, name="edit"),
    path("clients/<id:client_id>/overview/", views.client_overview, name="client_overview"),
    path("clients/<id:client_id>/history/", views.client_history, name="client_history"),
    path("clients/<id:client_id>/balance/", views.client_card_balance, name="card_balance"),
    path("clients/<id:client_id>/delete/", views.client_delete_view, name="delete"),
    path("clients/<id:client_id>/restore/", views.client_restore_view, name="restore"),
    path("clients/<id:client_id>/freeze/", views.client_freeze_view, name="freeze"),
    path("clients/<id:client_id>/unfreeze/", views.client_unfreeze_view, name="unfreeze"),
]
