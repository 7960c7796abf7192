"""The payment page's background is refused by its header, before decoding (issue 10).

A 13,300 × 13,300 JPEG — a few kilobytes can declare that — was decoded in full
(the worker grew from 139 MB to 817 MB) and only then refused. These tests build such
a file (a tiny real JPEG whose header claims huge dimensions) and make any decode
fail the test, so a refusal after decoding cannot pass.
"""

from __future__ import annotations

import io
import struct
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from tests.factories_prepayments import enable_prepayment
from zapys.core.models import AuditLog
from zapys.prepayments import services
from zapys.prepayments.forms import MAX_BACKGROUND_PIXELS


def _jpeg(size: tuple[int, int] = (16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, format="JPEG")
    return out.getvalue()


def _claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) declares `width` × `height`."""
    data = bytearray(_jpeg())
    sof = data.index(b"\xff\xc0")
    # marker (2) length (2) precision (1) height (2) width (2)
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@contextmanager
def no_decoding():
    """Fail loudly if anything decodes pixels (JPEG files load through ImageFile.load)."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"decoded a {self.size[0]}x{self.size[1]} image")

    with (
        patch.object(ImageFile.ImageFile, "load", refuse),
        patch.object(Image.Image, "load", refuse),
    ):
        yield


def _post(staff_client, content: bytes):
    return staff_client.post(
        "/settings/prepayment/?tab=page",
        {
            "page_language": "uk",
            "page_theme": "dark",
            "page_business_name": "Lime",
            "page_background": SimpleUploadedFile("bg.jpg", content, content_type="image/jpeg"),
        },
    )


def _saved(org) -> tuple:
    settings = services.prepayment_settings_get(org)
    files = sorted(p.name for p in Path(django_settings.MEDIA_ROOT).rglob("*.jp*g"))
    return (
        settings.page_background.name,
        settings.page_theme,
        settings.page_business_name,
        files,
        AuditLog.objects.count(),
    )


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org, page_business_name="Studio Lime")


def test_crafted_header_is_what_pillow_reads(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with Image.open(io.BytesIO(_claiming(13_300, 13_300))) as image:
        assert image.size == (13_300, 13_300)


@pytest.mark.parametrize(
    "size",
    [
        (13_300, 13_300),  # the attack: over Pillow's bomb limit too
        (8_000, 5_001),  # just over our limit, under Pillow's
        (60_000, 60_000),
    ],
)
def test_huge_declared_dimensions_are_refused_without_decoding(staff_client, org, ready, size):
    staff_client.cookies["django_language"] = "en"
    before = _saved(org)
    content = _claiming(*size)
    with no_decoding():
        response = _post(staff_client, content)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["page_background"] == [
        "The image is too large: at most 40 megapixels (e.g. 8000 × 5000)."
    ]
    assert _saved(org) == before


def test_the_error_is_translated(staff_client, org, ready):
    staff_client.cookies["django_language"] = "uk"
    before = _saved(org)
    content = _claiming(13_300, 13_300)
    with no_decoding():
        response = _post(staff_client, content)
    assert response.context["form"].errors["page_background"] == [
        "Зображення завелике: щонайбільше 40 мегапікселів (напр. 8000 × 5000)."
    ]
    assert _saved(org) == before


def test_an_image_at_the_limit_is_accepted_and_stored_small(staff_client, org, ready):
    """A real 8000 × 5000 photo (exactly the limit) still works, stored at 2400 px."""
    assert MAX_BACKGROUND_PIXELS == 8000 * 5000
    response = _post(staff_client, _jpeg((8000, 5000)))
    assert response.status_code == 302
    settings = services.prepayment_settings_get(org)
    with Image.open(settings.page_background.path) as stored:
        assert stored.format == "JPEG" and stored.size == (2400, 1500)
