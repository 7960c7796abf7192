"""Control characters typed (or pasted, or posted by a script) into a client's name, note,
tags or freeze reason are stripped by the service, so every way in — staff form, API,
online booking, import — stores clean text. A NUL used to break PostgreSQL (a 500) and a
vertical tab or escape broke every XLSX export of the organization."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.factories_clients import make_client, make_phone
from zapys.clients.models import Client, ClientFreeze, Tag
from zapys.clients.services import (
    client_create,
    client_freeze,
    client_update,
    clients_tag,
    tag_create,
)
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog


def test_create_strips_control_characters_from_name_note_and_tags(org, actor):
    client = client_create(
        organization=org,
        name="Ган\x0bна\x00 Ко\x1bваль\x7f",
        phone=make_phone(),
        note="перший\x00 рядок\nдругий\x0c рядок",
        tags=["VI\x00P", "по\x1bстійна"],
        actor=actor,
    )
    row = Client.objects.values("name", "note", "search_text").get(pk=client.pk)
    assert row["name"] == "Ганна Коваль"
    assert row["note"] == "перший рядок\nдругий рядок"  # a note keeps its line breaks
    assert "\x00" not in row["search_text"] and "\x1b" not in row["search_text"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["VIP", "постійна"]
    audit = AuditLog.objects.get(action="client.create")
    assert audit.changes["name"] == [None, "Ганна Коваль"]


def test_update_strips_control_characters(org, actor):
    client = make_client(org, "Олена")
    client_update(
        client=client,
        actor=actor,
        name="Оле\x00на\x0b Пет\x1bренко",
        note="\x00нотатка\x1b",
        tags=["\x0bнова"],
    )
    row = Client.objects.values("name", "note").get(pk=client.pk)
    assert row == {"name": "Олена Петренко", "note": "нотатка"}
    assert list(client.tags.values_list("name", flat=True)) == ["нова"]


def test_a_name_of_control_characters_only_is_blank_and_changes_nothing(org, actor):
    client = make_client(org, "Олена")
    before = list(Client.objects.values()), AuditLog.objects.count()
    with pytest.raises(DomainError) as caught:
        client_update(client=client, actor=actor, name="\x00\x0b\x1b")
    assert caught.value.errors == [{"field": "name", "message": "Enter the client's name."}]
    assert (list(Client.objects.values()), AuditLog.objects.count()) == before


def test_tags_and_freeze_reason_are_cleaned(org, actor):
    client = make_client(org, "Олена")
    tag = tag_create(organization=org, name="Бо\x00рг", actor=actor)
    clients_tag(organization=org, clients=[client], tag_names=["Сі\x1bм'я"], actor=actor)
    freeze = client_freeze(
        client=client,
        date_from=date(2030, 1, 1),
        date_to=date(2030, 1, 5),
        reason="хво\x00роба\x0b",
        actor=actor,
    )
    assert tag.name == "Борг"
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Борг", "Сім'я"]
    assert ClientFreeze.objects.get(pk=freeze.pk).reason == "хвороба"


def test_staff_form_stores_the_clean_name(org, staff_client):
    response = staff_client.post(
        reverse("clients:create"),
        {
            "name": "Ган\x0bна Ко\x1bваль",
            "phone": "067 765 43 21",
            "client_type": "individual",
            "status": "active",
            "note": "ліва\x1b рука",
            "tags": "нова\x0c, VIP",
        },
    )
    assert response.status_code == 302
    client = Client.objects.get()
    assert (client.name, client.note) == ("Ганна Коваль", "ліва рука")
    assert sorted(client.tags.values_list("name", flat=True)) == ["VIP", "нова"]

    response = staff_client.post(
        reverse("clients:edit", kwargs={"client_id": client.pk}),
        {
            "name": "Ган\x1bна Коваль-\x0bШевчук",
            "phone": "067 765 43 21",
            "client_type": "individual",
            "status": "active",
        },
    )
    assert response.status_code == 302
    assert Client.objects.get(pk=client.pk).name == "Ганна Коваль-Шевчук"


def test_staff_form_refuses_a_nul_with_a_field_error_and_stores_nothing(org, staff_client):
    """Django's own form fields refuse NUL before the service sees it: a clear error."""
    before = AuditLog.objects.count()
    response = staff_client.post(
        reverse("clients:create"),
        {
            "name": "Ган\x00на",
            "phone": "067 765 43 21",
            "client_type": "individual",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Client.objects.exists() and AuditLog.objects.count() == before
