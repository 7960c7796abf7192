"""Import files cannot make the server work without bound (issue 10: XLSX bombs).

The web request never parses a file; the worker refuses, before opening it with openpyxl, an
XLSX whose zip promises too much, and stops reading at the row and column limits. Every
refusal is a clear, translated error on the import page and nothing is imported.
"""

import io
import random
import re
import string
import zipfile
from io import StringIO

import defusedxml.ElementTree
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from openpyxl import Workbook
from openpyxl.reader import excel, strings
from openpyxl.worksheet import _reader

from tests.factories import make_staff
from zapys.clients import import_files, importing, views
from zapys.clients.import_files import MAX_COLUMNS, MAX_ROWS, ImportFileError
from zapys.clients.importing import read_rows
from zapys.clients.models import Client, ClientImport, Tag
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope

SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx(rows, *, write_only=False):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _shared_strings_bomb(strings=1_000_000):
    """A valid XLSX (name, phone + one client) whose sharedStrings.xml holds a million short
    strings: 36 MB of XML that deflates to ~100 KB. Loading it took openpyxl 15 s and 200 MB."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["name", "phone"], ["Олена", "0671234567"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            bomb.writestr(info.filename, data)
        bomb.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="' + MAIN_NS + b'">' + b"<si><t>xxxxxxxxxxxxxxxxxxxx</t></si>" * strings
            + b"</sst>",
        )  # fmt: skip
    return out.getvalue()


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def _state():
    return (
        list(Client.objects.order_by("id").values()),
        list(Tag.objects.order_by("id").values_list("id", "name")),
        AuditLog.objects.filter(action__startswith="client.")
        .exclude(action__startswith="client.import")
        .count(),
    )


@pytest.fixture
def never_opened(monkeypatch):
    """Fails the test if openpyxl is asked to open a workbook."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("openpyxl.load_workbook was called")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    return calls


def _upload(staff_client, content, name, capture):
    with capture(execute=True):
        staff_client.post("/clients/import/", {"file": SimpleUploadedFile(name, content)})
    return ClientImport.objects.order_by("-id").first()


# --- The web request parses nothing ------------------------------------------------------


def test_the_upload_request_does_not_parse_the_file(
    org, staff_client, monkeypatch, private_root, django_capture_on_commit_callbacks
):
    parsed = []
    for module, name in (
        (import_files, "_rows_from_table"),
        (import_files, "_read_csv"),
        (import_files, "_read_xlsx"),
        (import_files, "check_xlsx_archive"),
        (importing, "read_file"),
    ):
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            parsed.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    raw = _shared_strings_bomb()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = staff_client.post(
            "/clients/import/", {"file": SimpleUploadedFile("clients.xlsx", raw)}
        )
    upload = ClientImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clients/import/{upload.pk}/"
    assert parsed == []  # the request stored the file and queued the check, nothing else
    assert upload.status == "checking" and upload.total_rows == 0 and upload.preview == {}
    assert (private_root / upload.file.name).read_bytes() == raw
    page = staff_client.get(f"/clients/import/{upload.pk}/").content.decode()
    assert 'data-testid="import-checking"' in page and 'hx-trigger="every 1s"' in page

    assert len(queued) == 1
    queued[0]()  # the worker (Huey runs immediately in tests)
    assert "_read_xlsx" in parsed and "check_xlsx_archive" in parsed
    upload.refresh_from_db()
    assert upload.status == "refused"


# --- Bombs and limits, refused with a clear error ----------------------------------------


def test_openpyxl_parses_with_defusedxml():

    assert openpyxl.DEFUSEDXML is True
    # What read-only loading parses with: the workbook parts, shared strings, sheets.
    assert excel.fromstring is defusedxml.ElementTree.fromstring
    assert strings.iterparse is defusedxml.ElementTree.iterparse
    assert _reader.iterparse is defusedxml.ElementTree.iterparse


def test_entity_expansion_in_a_sheet_is_refused(org):
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["name", "phone"], ["Олена", "0671234567"]])))
    out = io.BytesIO()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = laughs + data.replace(b"\xd0\x9e\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xb0", b"&lol3;")
            z.writestr(info.filename, data)
    with pytest.raises(ImportFileError) as err:
        read_rows(io.BytesIO(out.getvalue()), "clients.xlsx")
    assert "damaged" in err.value.detail


def test_a_shared_strings_bomb_is_refused_before_openpyxl_opens_it(
    org, staff_client, owner, never_opened, private_root, django_capture_on_commit_callbacks
):
    raw = _shared_strings_bomb()
    assert len(raw) < 200_000
    before = _state()
    owner.language = "en"
    owner.save(update_fields=["language"])
    upload = _upload(staff_client, raw, "clients.xlsx", django_capture_on_commit_callbacks)
    assert upload.status == "refused"
    assert upload.error == (
        "The XLSX file unpacks to more than 32 MB, more than a client list needs. "
        "Save it as CSV or split it into smaller files."
    )
    assert never_opened == []
    page = staff_client.get(f"/clients/import/{upload.pk}/").content.decode()
    assert 'data-testid="import-refused"' in page and "unpacks to more than 32 MB" in page
    assert 'data-testid="import-confirm"' not in page
    assert _state() == before and upload.file.name == "" and _stored_files(private_root) == []


def test_a_highly_compressed_member_is_refused_in_ukrainian(
    org, staff_client, never_opened, django_capture_on_commit_callbacks
):
    """5 MB of shared strings is within the unpacked limit, but a 340:1 ratio is a bomb's."""
    raw = _shared_strings_bomb(strings=150_000)
    before = _state()
    upload = _upload(staff_client, raw, "clients.xlsx", django_capture_on_commit_callbacks)
    assert upload.status == "refused"
    assert upload.error == (
        "Файл XLSX розпаковується у понад 32 МБ — більше, ніж потрібно для списку клієнтів. "
        "Збережіть його як CSV або розділіть на менші файли."
    )
    assert never_opened == [] and _state() == before


def _with_member(name, data, *, content_type=None):
    """The two-row workbook with one member added or replaced."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["name", "phone"], ["Олена", "0671234567"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            if info.filename == name:
                continue
            member = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_type:
                member = member.replace(b"</Types>", content_type + b"</Types>")
            z.writestr(info.filename, member)
        z.writestr(name, data)
    return out.getvalue()


def test_too_many_shared_strings_are_refused_before_openpyxl_opens_the_file(org, never_opened):
    """1.7 million distinct three-letter strings (32 MB, 6:1) cost openpyxl 45 s to load:
    within the unpacked size and ratio limits, so the strings themselves are counted."""

    rnd = random.Random(7)
    texts = (
        "<si><t>" + "".join(rnd.choices(string.ascii_letters, k=3)) + "</t></si>"
        for _ in range(import_files.XLSX_MAX_SHARED_STRINGS + 1)
    )
    sst = b'<sst xmlns="' + MAIN_NS + b'">' + "".join(texts).encode() + b"</sst>"
    # Renamed: the count does not depend on what the member is called.
    raw = _with_member(
        "xl/strings-by-another-name.xml",
        sst,
        content_type=SHARED_STRINGS_TYPE.replace(
            b"sharedStrings.xml", b"strings-by-another-name.xml"
        ),
    )
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo("xl/strings-by-another-name.xml")
    assert info.file_size < 32 * 1024 * 1024 and info.file_size < 100 * info.compress_size
    with pytest.raises(ImportFileError) as err:
        read_rows(io.BytesIO(raw), "clients.xlsx")
    assert err.value.detail == (
        "The XLSX file holds more than 200,000 separate texts, more than a client list needs. "
        "Save it as CSV or split it into smaller files."
    )
    assert never_opened == []


def test_too_many_cells_are_refused_even_past_the_last_column_read(org, never_opened):
    """openpyxl parses every cell of a row, also those past the 50 columns it returns."""
    cells = "".join(f'<c r="A1"><v>{i * 7919 % 100_003}</v></c>' for i in range(20_001))
    rows = "".join(f'<row r="{r}">{cells.replace("A1", f"A{r}")}</row>' for r in range(1, 21))
    sheet = (
        b'<worksheet xmlns="'
        + MAIN_NS
        + b'"><sheetData>'
        + rows.encode()
        + b"</sheetData></worksheet>"
    )
    raw = _with_member("xl/worksheets/sheet1.xml", sheet)
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size < 32 * 1024 * 1024 and info.file_size < 100 * info.compress_size
    with pytest.raises(ImportFileError) as err:
        read_rows(io.BytesIO(raw), "clients.xlsx")
    assert err.value.detail == (
        "The XLSX file has more than 400,000 cells, more than a client list needs. "
        "Delete the columns you do not import or split it into smaller files."
    )
    assert never_opened == []


def test_counting_tags_across_chunk_boundaries(monkeypatch):

    xml = (
        b'<sst><si><t>a</t></si><x:si a="1"><t>b</t></x:si><si/><sheet/>'
        b'<c r="A1"><v>1</v></c><sheetData/><c>2</c><col/><x:c r="B1"/></sst>'
    ) * 3
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("m.xml", xml)
    archive = zipfile.ZipFile(out)
    whole = [m.group(1) for m in re.finditer(import_files._COUNTED_TAG, xml)]
    assert (whole.count(b"si"), whole.count(b"c")) == (9, 9)
    for chunk in (1, 2, 3, 5, 7, 64, 10_000):
        monkeypatch.setattr(import_files, "_SCAN_CHUNK", chunk)
        counted = import_files._count_strings_and_cells(
            archive, archive.getinfo("m.xml"), (10**6, 10**6)
        )
        assert counted == (9, 9), chunk


def test_the_unpacked_size_limit(org, monkeypatch):
    raw = _xlsx(
        [["name", "phone", "email", "note"]]
        + [[f"Клієнт {i}", f"067{i:07d}", f"c{i}@example.com", f"нотатка {i}"] for i in range(5000)]
    )
    sheet = zipfile.ZipFile(io.BytesIO(raw)).getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > 1024 * 1024 and sheet.file_size < 100 * sheet.compress_size
    assert len(read_rows(io.BytesIO(raw), "clients.xlsx")) == 5000
    monkeypatch.setattr(import_files, "XLSX_MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(ImportFileError, match="unpacks to more than 1 MB"):
        read_rows(io.BytesIO(raw), "clients.xlsx")


def test_a_zip_with_too_many_members_is_refused(org):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(import_files.XLSX_MAX_MEMBERS + 1):
            z.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(ImportFileError, match="damaged"):
        read_rows(io.BytesIO(out.getvalue()), "clients.xlsx")


def _csv_rows(n):
    return ("name,phone\n" + "".join(f"Клієнт {i},067{i:07d}\n" for i in range(n))).encode()


def test_csv_over_the_row_limit_is_refused_and_nothing_imported(
    org, staff_client, django_capture_on_commit_callbacks
):
    assert len(read_rows(io.BytesIO(_csv_rows(MAX_ROWS)), "c.csv")) == MAX_ROWS  # at the limit
    before = _state()
    upload = _upload(
        staff_client, _csv_rows(MAX_ROWS + 1), "c.csv", django_capture_on_commit_callbacks
    )
    assert upload.status == "refused"
    assert upload.error == (
        "Файл має понад 20\xa0000 рядків під заголовком. Розділіть його на менші файли."
    )
    assert upload.total_rows == 0 and upload.preview == {}
    assert _state() == before


def test_xlsx_over_the_row_limit_is_refused_and_nothing_imported(org):
    """A 300,000-row sheet used to be read whole (15 s, 330 MB); reading stops past the limit."""
    raw = _xlsx(
        [["name", "phone"]] + [[f"Клієнт {i}", f"067{i:07d}"] for i in range(MAX_ROWS + 1)],
        write_only=True,
    )
    before = _state()
    with pytest.raises(ImportFileError) as err:
        read_rows(io.BytesIO(raw), "clients.xlsx")
    assert err.value.detail == (
        "The file has more than 20,000 rows under the header. Split it into smaller files."
    )
    assert _state() == before


def test_a_sheet_claiming_a_huge_dimension_is_read_within_the_limits(org):
    """A read-only sheet pads rows to the width its <dimension> claims (16,384 columns) and
    yields blank rows down to its height unless told the bounds."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["name", "phone"], ["Олена", "0671234567"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B2"', b'<dimension ref="A1:XFD1048576"')
                assert b"XFD1048576" in data
            z.writestr(info.filename, data)
    rows = read_rows(io.BytesIO(out.getvalue()), "clients.xlsx")
    assert rows == [{"_row": 2, "name": "Олена", "phone": "0671234567"}]


def test_too_many_columns_is_refused(org):
    header = ["name", "phone"] + [f"extra {i}" for i in range(MAX_COLUMNS - 2)]
    wide = ["Олена", "0671234567"] + [""] * (MAX_COLUMNS - 2) + ["surprise"]
    for raw, name in (
        (_xlsx([header, wide]), "clients.xlsx"),
        ("\n".join(",".join(r) for r in (header, wide)).encode(), "clients.csv"),
    ):
        with pytest.raises(ImportFileError) as err:
            read_rows(io.BytesIO(raw), name)
        assert err.value.detail == (
            "Row 2 has more than 50 columns. Remove the extra columns and try again."
        )
    # Empty cells past the limit (a CSV saved from a wide sheet) are fine.
    padded = "name,phone" + "," * 80 + "\nОлена,0671234567" + "," * 80 + "\n"
    assert len(read_rows(io.BytesIO(padded.encode()), "clients.csv")) == 1


def test_an_upload_over_10_mb_is_refused_by_the_request(
    org, staff_client, private_root, monkeypatch, django_capture_on_commit_callbacks
):

    stored = []
    monkeypatch.setattr(views, "client_import_upload", lambda **kw: stored.append(kw))
    body = b"name,phone\n" + b"x" * import_files.MAX_FILE_BYTES
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = staff_client.post(
            "/clients/import/", {"file": SimpleUploadedFile("c.csv", body)}
        )
    assert response.status_code == 200 and queued == []
    page = response.content.decode()
    assert "invalid-feedback" in page and "Файл більший за 10 МБ" in page
    # Stopped while receiving (the upload handler), not after: the service never saw it.
    assert stored == []
    assert ClientImport.objects.count() == 0 and not private_root.exists()


def test_the_command_keeps_the_limits(org, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_shared_strings_bomb())
    with pytest.raises(CommandError, match="unpacks to more than 32 MB"):
        call_command("import_clients", str(path), "--org", org.slug, stdout=StringIO())
    assert Client.objects.count() == 0


# --- Ordinary files still import end to end ----------------------------------------------


def test_an_xlsx_imports_end_to_end_through_the_page(
    org, staff_client, private_root, django_capture_on_commit_callbacks
):
    raw = _xlsx(
        [
            ["Ім'я", "Телефон", "Теги"],
            ["Коваленко Олена", "067 123 45 67", "VIP"],
            ["Бондар Ігор", "0501112233", None],
        ]
    )
    upload = _upload(staff_client, raw, "clients.xlsx", django_capture_on_commit_callbacks)
    assert upload.status == "previewed" and upload.preview["created"] == 2
    page = staff_client.get(
        f"/clients/import/{upload.pk}/progress/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-testid="import-confirm"' in page and "Коваленко Олена" in page
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/clients/import/{upload.pk}/confirm/")
    upload.refresh_from_db()
    assert upload.status == "done" and upload.report["created"] == 2
    assert sorted(Client.objects.values_list("phone", flat=True)) == [
        "+380501112233",
        "+380671234567",
    ]
    assert list(Client.objects.get(phone="+380671234567").tags.values_list("name", flat=True)) == [
        "VIP"
    ]
    assert _stored_files(private_root) == [] and upload.file.name == ""


def test_another_organizations_staff_cannot_confirm_or_see_a_preview(
    org, other_org, staff_client, django_capture_on_commit_callbacks
):

    upload = _upload(staff_client, _csv_rows(3), "c.csv", django_capture_on_commit_callbacks)
    with org_scope(other_org):
        stranger = make_staff(other_org, "owner", username="owner-b")
    other = HttpClient()
    other.force_login(stranger)
    response = other.get(f"/clients/import/{upload.pk}/progress/", headers={"HX-Request": "true"})
    assert response.status_code == 404 and "Клієнт 1" not in response.content.decode()
    assert other.post(f"/clients/import/{upload.pk}/confirm/").status_code == 404
    upload.refresh_from_db()
    assert upload.status == "previewed" and Client.objects.count() == 0
