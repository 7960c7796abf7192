"""Staff pages of the catalogue: services, subjects and lesson types, rooms, groups."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_stubs_ext import StrPromise

from zapys.accounts.models import User
from zapys.catalog import selectors, services
from zapys.catalog.forms import GroupForm, NameForm, RenameForm, RoomForm, ServiceForm
from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.core.exceptions import DomainError
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.money import money_input
from zapys.core.views import staff_required
from zapys.core.vocabulary import words_for

MANAGERS = ("owner", "administrator")


def _field_of(exc: DomainError, form) -> str | None:  # type: ignore[no-untyped-def]
    field = (exc.errors[0]["field"] if exc.errors else "") or ""
    field = {
        "branch_ids": "branches",
        "member_ids": "members",
        "specialist_ids": "specialists",
    }.get(field, field)
    field = field.removesuffix("_id") if field.endswith("_id") else field
    return field if field in form.fields else None


@staff_required()
def service_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    items = list(selectors.service_list(organization=request_organization(request), search=search))
    for service in items:  # who performs each, in Ukrainian order (prefetched: no query)
        service.performers = selectors.service_specialists(service)  # type: ignore[attr-defined]
    return render(request, "catalog/services.html", {"services": items, "q": search})


@staff_required(*MANAGERS)
def service_edit(request: HttpRequest, service_id: int | None = None) -> HttpResponse:
    org = request_organization(request)
    service = get_object_or_404(Service.objects.for_org(org), pk=service_id) if service_id else None
    initial: dict[str, Any] = {"online_booking": True, "is_active": True}
    if service is not None:
        initial = {
            "name": service.name,
            "category": service.category,
            "duration_minutes": service.duration_minutes,
            "price": money_input(service.price),
            "branches": list(service.branches.all()),
            "specialists": [u.pk for u in service.specialists.all()],
            "description": service.description,
            "online_booking": service.online_booking,
            "is_active": service.is_active,
        }
    form = ServiceForm(request.POST or None, initial=initial, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            k: d[k]
            for k in (
                "name",
                "category",
                "duration_minutes",
                "price",
                "description",
                "online_booking",
            )
        }
        try:
            if service is None:
                services.service_create(
                    organization=org,
                    actor=request_actor(request),
                    branch_ids=[b.pk for b in d["branches"]],
                    specialist_ids=d["specialists"],
                    **fields,
                )
            else:
                services.service_update(
                    service=service,
                    actor=request_actor(request),
                    branch_ids=[b.pk for b in d["branches"]],
                    specialist_ids=d["specialists"],
                    is_active=d["is_active"],
                    **fields,
                )
        except DomainError as exc:
            form.add_error(_field_of(exc, form), exc.detail)
        else:
            messages.success(request, _("Service saved."))
            return redirect("catalog:services")
    return render(request, "catalog/service_form.html", {"form": form, "service": service})


@staff_required()
def subjects(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    form = NameForm(request.POST or None, words=words_for(org))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["kind"] == "subject":
                services.subject_create(
                    organization=org, name=form.cleaned_data["name"], actor=request_actor(request)
                )
            else:
                services.lesson_type_create(
                    organization=org, name=form.cleaned_data["name"], actor=request_actor(request)
                )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            return redirect("catalog:subjects")
    return render(
        request,
        "catalog/subjects.html",
        {
            "form": form,
            "subjects": Subject.objects.for_org(org),
            "lesson_types": LessonType.objects.for_org(org),
        },
    )


@staff_required()
def rooms(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    form = RoomForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.room_create(
                organization=org,
                branch=d["branch"],
                name=d["name"],
                capacity=d["capacity"],
                actor=request_actor(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            return redirect("catalog:rooms")
    return render(
        request,
        "catalog/rooms.html",
        {
            "form": form,
            "rooms": Room.objects.for_org(org).select_related("branch"),
        },
    )


def _archived_or_restored(obj: Subject | LessonType | Room, active: bool) -> str:
    said = _("Restored: %(name)s") if active else _("Archived: %(name)s")
    return said % {"name": obj.name}


def _archive_asked(request: HttpRequest) -> bool | None:
    """The archive / restore button of an edit page: the new `is_active`, or None (a save)."""
    action = request.POST.get("action", "")
    return {"archive": False, "restore": True}.get(action)


@staff_required(*MANAGERS)
def subject_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    org = request_organization(request)
    subject = get_object_or_404(Subject.objects.for_org(org), pk=item_id)
    kind = words_for(org).subject
    return _named_edit(request, subject, services.subject_update, "subject", kind)


@staff_required(*MANAGERS)
def lesson_type_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    org = request_organization(request)
    lesson_type = get_object_or_404(LessonType.objects.for_org(org), pk=item_id)
    return _named_edit(
        request, lesson_type, services.lesson_type_update, "lesson_type", words_for(org).lesson_type
    )


def _named_edit(
    request: HttpRequest,
    obj: Subject | LessonType,
    update: Any,
    keyword: str,
    kind: str | StrPromise,
) -> HttpResponse:
    """A subject's or a lesson type's page: rename it, archive or restore it."""
    active = _archive_asked(request) if request.method == "POST" else None
    form = RenameForm(
        request.POST if request.method == "POST" and active is None else None,
        initial={"name": obj.name},
    )
    if request.method == "POST":
        try:
            if active is not None:
                update(**{keyword: obj}, actor=request_actor(request), is_active=active)
                messages.success(request, _archived_or_restored(obj, active))
                return redirect("catalog:subjects")
            if form.is_valid():
                update(
                    **{keyword: obj}, actor=request_actor(request), name=form.cleaned_data["name"]
                )
                messages.success(request, _("Saved."))
                return redirect("catalog:subjects")
        except DomainError as exc:
            form.add_error(_field_of(exc, form), exc.detail)
    return render(
        request,
        "catalog/item_edit.html",
        {"form": form, "item": obj, "kind": kind, "back": "catalog:subjects"},
    )


@staff_required(*MANAGERS)
def room_edit(request: HttpRequest, room_id: int) -> HttpResponse:
    org = request_organization(request)
    room = get_object_or_404(Room.objects.for_org(org), pk=room_id)
    active = _archive_asked(request) if request.method == "POST" else None
    form = RoomForm(
        request.POST if request.method == "POST" and active is None else None,
        initial={"name": room.name, "branch": room.branch_id, "capacity": room.capacity},
        organization=org,
    )
    if request.method == "POST":
        try:
            if active is not None:
                services.room_update(room=room, actor=request_actor(request), is_active=active)
                messages.success(request, _archived_or_restored(room, active))
                return redirect("catalog:rooms")
            if form.is_valid():
                d = form.cleaned_data
                services.room_update(
                    room=room,
                    actor=request_actor(request),
                    name=d["name"],
                    branch=d["branch"],
                    capacity=d["capacity"],
                )
                messages.success(request, _("Saved."))
                return redirect("catalog:rooms")
        except DomainError as exc:
            form.add_error(_field_of(exc, form), exc.detail)
    return render(
        request,
        "catalog/item_edit.html",
        {"form": form, "item": room, "kind": words_for(org).room, "back": "catalog:rooms"},
    )


@staff_required()
def groups(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/groups.html",
        {"groups": selectors.group_list(organization=request_organization(request))},
    )


@staff_required(*MANAGERS)
def group_edit(request: HttpRequest, group_id: int | None = None) -> HttpResponse:
    org = request_organization(request)
    group = get_object_or_404(Group.objects.for_org(org), pk=group_id) if group_id else None
    initial: dict[str, Any] = {}
    if group is not None:
        initial = {
            "name": group.name,
            "branch": group.branch_id,
            "subject": group.subject_id,
            "lesson_type": group.lesson_type_id,
            "teacher": group.teacher_id,
            "capacity": group.capacity,
            "members": list(group.members.all()),
        }
    form = GroupForm(
        request.POST or None,
        initial=initial,
        organization=org,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if group is None:
                services.group_create(
                    organization=org,
                    name=d["name"],
                    branch=d["branch"],
                    subject=d["subject"],
                    lesson_type=d["lesson_type"],
                    teacher=d["teacher"],
                    capacity=d["capacity"],
                    member_ids=[m.pk for m in d["members"]],
                    actor=request_actor(request),
                )
            else:
                services.group_update(
                    group=group,
                    name=d["name"],
                    branch=d["branch"],
                    subject=d["subject"],
                    lesson_type=d["lesson_type"],
                    teacher=d["teacher"],
                    capacity=d["capacity"],
                    member_ids=[m.pk for m in d["members"]],
                    actor=request_actor(request),
                )
        except DomainError as exc:
            form.add_error(_field_of(exc, form), exc.detail)
        else:
            messages.success(request, _("Group saved."))
            return redirect("catalog:groups")
    return render(request, "catalog/group_form.html", {"form": form, "group": group})


@staff_required("owner")
@fragment_of("accounts:staff_edit")
def staff_services(request: HttpRequest, staff_id: int) -> HttpResponse:
    """The services a staff member performs, ticked on their own page (issue 17, fifth tour:
    it could be changed only service by service). The same `Service.specialists` the
    service's form ticks; a change goes through `service_update` (checked and audited)."""
    org = request_organization(request)
    staff = get_object_or_404(User.objects.for_org(org), pk=staff_id)
    items = list(
        Service.objects.for_org(org)
        .filter(is_active=True)
        .prefetch_related("specialists")
        .order_by("name", "id")
    )
    performed = {s.pk for s in items if any(u.pk == staff.pk for u in s.specialists.all())}
    saved = False
    if request.method == "POST":
        ticked = {int(v) for v in request.POST.getlist("services") if v.isdigit()}
        actor = request_actor(request)
        for service in items:
            ids = {u.pk for u in service.specialists.all()}
            if (service.pk in ticked) == (staff.pk in ids):
                continue
            ids = ids | {staff.pk} if service.pk in ticked else ids - {staff.pk}
            services.service_update(service=service, actor=actor, specialist_ids=sorted(ids))
        performed = ticked & {s.pk for s in items}
        saved = True
        if not getattr(request, "htmx", False):
            messages.success(request, _("Saved."))
            return redirect("accounts:staff_edit", staff_id=staff.pk)
    rows = [
        {"service": s, "ticked": s.pk in performed, "anyone": not s.specialists.all()}
        for s in items
    ]
    return render(
        request, "catalog/_staff_services.html", {"staff": staff, "rows": rows, "saved": saved}
    )
