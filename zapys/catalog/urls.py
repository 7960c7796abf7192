from django.urls import path

from zapys.catalog import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_edit, name="service_new"),
    path("services/<id:service_id>/", views.service_edit, name="service_edit"),
    # the services a staff member performs, a part of their page (accounts:staff_edit)
    path("services/performed-by/<id:staff_id>/", views.staff_services, name="staff_services"),
    path("catalog/subjects/", views.subjects, name="subjects"),
    path("catalog/subjects/<id:item_id>/", views.subject_edit, name="subject_edit"),
    path("catalog/lesson-types/<id:item_id>/", views.lesson_type_edit, name="lesson_type_edit"),
    path("catalog/rooms/", views.rooms, name="rooms"),
    path("catalog/rooms/<id:room_id>/", views.room_edit, name="room_edit"),
    path("catalog/groups/", views.groups, name="groups"),
    path("catalog/groups/new/", views.group_edit, name="group_new"),
    path("catalog/groups/<id:group_id>/", views.group_edit, name="group_edit"),
]
