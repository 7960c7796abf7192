from django.urls import path

from zapys.core.ratelimit import limit_token_misses
from zapys.schedule import views

app_name = "schedule"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/visits/new/", views.visit_new, name="visit_new"),
    path("calendar/clients/", views.client_search, name="client_search"),
    path("calendar/visits/service-check/", views.visit_service_check, name="visit_service_check"),
    path("calendar/lessons/new/", views.lesson_new, name="lesson_new"),
    path("visits/<id:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<id:visit_id>/status/", views.visit_status, name="visit_status"),
    path("visits/<id:visit_id>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<id:visit_id>/reschedule/", views.visit_reschedule, name="visit_reschedule"),
    path("attendance/<id:attendance_id>/", views.attendance_set, name="attendance_set"),
    path("attendance/", views.journal, name="journal"),
    path("clients/<id:client_id>/visits/", views.client_visits, name="client_visits"),
    path("clients/<id:client_id>/book/", views.client_book, name="client_book"),
    path("staff-hours/", views.staff_hours, name="staff_hours"),
    path("staff-hours/<id:staff_id>/", views.staff_hours_edit, name="staff_hours_edit"),
    path("settings/schedule/", views.schedule_settings, name="settings"),
    path("book/<slug:org_slug>/", views.book, name="book"),
    path("book/<slug:org_slug>/branch/<id:branch_id>/", views.book, name="book_branch"),
    path(
        "book/<slug:org_slug>/done/<str:token>/",
        limit_token_misses(views.book_done),
        name="book_done",
    ),
]
