"""Import of clients with tags and opening balances (C8): CSV, XLSX, dry run, re-run, rejects."""

import datetime
import io
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import ngettext
from openpyxl import Workbook

from tests.factories_clients import make_client
from zapys.clients import hooks, import_files, importing
from zapys.clients.importing import ImportFileError, import_dry_run, import_execute, read_rows
from zapys.clients.models import Client, ClientImport, Tag
from zapys.core.models import AuditLog

CSV = (
    "name;phone;email;birthday;tags;balance;note\n"
    "Коваленко Олена;067 123 45 67;olena@example.com;17.05.1990;VIP, клуб;150,50;перша\n"
    "Бондар Ігор;+380501112233;;1985-01-02;клуб;-200;\n"
    ";0671112233;;;;;\n"  # row 4: no name
    "Без телефону;;;;;;\n"  # row 5: no phone
    "Поганий номер;12345;;;;;\n"  # row 6
    "Дубль;0671234567;;;;;\n"  # row 7: same phone as row 2
    "Погана дата;0632223344;;31.02.1990;;;\n"  # row 8
    "Поганий баланс;0632223345;;;;abc;\n"  # row 9
    "Нуль;0632223346;;;new;0;\n"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ledger_calls(monkeypatch):
    """Record opening balances instead of posting them (the ledger has its own tests)."""
    calls = []

    def fake(*, client, amount, actor):
        calls.append((client.phone, amount))

    monkeypatch.setattr(hooks, "opening_balance_post", fake)
    return calls


def _rows(text=CSV, name="clients.csv"):
    return read_rows(io.BytesIO(text.encode()), name)


def _xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _state():
    return (
        list(Client.objects.order_by("id").values()),
        list(Tag.objects.order_by("id").values_list("id", "name")),
        list(Client.tags.through.objects.order_by("id").values_list("client_id", "tag_id")),
        AuditLog.objects.filter(action__startswith="client").count(),
    )


def test_dry_run_reports_and_writes_nothing(org):
    before = _state()
    report = import_dry_run(_rows())
    assert _state() == before
    assert report.total == 9 and report.created == 3 and report.rejected_count == 6
    assert report.opening_balances == 2
    reasons = {r["row"]: r["reason"] for r in report.rejected}
    assert set(reasons) == {4, 5, 6, 7, 8, 9}
    assert reasons[4].startswith("name:")
    assert reasons[5].startswith("phone:")
    assert reasons[6].startswith("phone:")
    assert "row 2" in reasons[7]
    assert reasons[8].startswith("birthday:")
    assert reasons[9].startswith("balance:")


def test_csv_import_creates_clients_tags_balances_and_rerun_is_idempotent(org, actor, ledger_calls):
    report = import_execute(organization=org, rows=_rows(), actor=actor)
    assert report.created == 3 and report.rejected_count == 6 and not report.dry_run
    olena = Client.objects.get(phone="+380671234567")
    assert olena.email == "olena@example.com" and olena.birthday.isoformat() == "1990-05-17"
    assert olena.note == "перша"
    assert sorted(olena.tags.values_list("name", flat=True)) == ["VIP", "клуб"]
    assert sorted(ledger_calls) == [("+380501112233", -20000), ("+380671234567", 15050)]
    assert AuditLog.objects.filter(action="client.import").count() == 1
    before = _state()
    again = import_execute(organization=org, rows=_rows(), actor=actor)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 3
    assert len(ledger_calls) == 2  # no second opening balance
    assert _state()[:3] == before[:3]


def test_rerun_adds_new_tags_and_fills_blanks_of_matched_clients(org, actor, ledger_calls):
    existing = make_client(org, "Олена", phone="+380671234567", tags=["old"])
    report = import_execute(organization=org, rows=_rows(), actor=actor)
    assert report.updated == 1 and report.created == 2
    existing.refresh_from_db()
    assert existing.name == "Олена"  # the card is not overwritten
    assert existing.email == "olena@example.com"  # a blank field is filled
    assert sorted(existing.tags.values_list("name", flat=True)) == ["VIP", "old", "клуб"]
    assert ("+380671234567", 15050) not in ledger_calls


def test_opening_balance_goes_to_the_ledger_contract(org, actor, monkeypatch):
    services = pytest.importorskip("zapys.ledger.services")
    calls = []
    monkeypatch.setattr(services, "entry_create", lambda **kw: calls.append(kw))
    import_execute(organization=org, rows=_rows(), actor=actor)
    by_amount = {c["amount"]: c for c in calls}
    assert by_amount[15050]["kind"] == "debit" and by_amount[20000]["kind"] == "credit"
    assert all(c["purpose"] == "opening_balance" for c in calls)


def test_opening_balance_real_ledger(org, actor):
    """End to end with the ledger app: the imported balance is the client's balance."""
    selectors = pytest.importorskip("zapys.ledger.selectors")
    import_execute(organization=org, rows=_rows(), actor=actor)
    assert selectors.client_balance(Client.objects.get(phone="+380671234567")) == 15050
    assert selectors.client_balance(Client.objects.get(phone="+380501112233")) == -20000


def test_xlsx_import(org, actor, ledger_calls):

    raw = _xlsx_bytes(
        [
            ["Ім'я", "Телефон", "Дата народження", "Теги", "Баланс", "Тип"],
            [
                "ТОВ Ромашка",
                380671234567,
                datetime.datetime(1990, 5, 17),
                "b2b",
                99.5,
                "юридична особа",
            ],
            ["Петро", "0501112233", None, None, None, None],
            [None, None, None, None, None, None],
            ["", "bad", None, None, None, None],
        ]
    )
    rows = read_rows(io.BytesIO(raw), "clients.xlsx")
    report = import_execute(organization=org, rows=rows, actor=actor)
    assert report.created == 2 and report.rejected_count == 1
    assert report.rejected[0]["row"] == 5
    company = Client.objects.get(phone="+380671234567")
    assert company.client_type == "legal_entity" and company.birthday.isoformat() == "1990-05-17"
    assert list(company.tags.values_list("name", flat=True)) == ["b2b"]
    assert ledger_calls == [("+380671234567", 9950)]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "a.csv", "empty"),
        (b"foo,bar\n1,2\n", "a.csv", "name"),
        (b"PK\x03\x04 garbage", "a.xlsx", "damaged"),
        (b"name,phone\n", "a.pdf", ".csv"),
        (b"\xff\xfe\x00n\x00a", "a.csv", ""),
    ],
)
def test_malformed_files_are_rejected_whole(org, content, name, message):
    before = _state()
    with pytest.raises(ImportFileError) as err:
        read_rows(io.BytesIO(content), name)
    assert message in err.value.detail
    assert err.value.errors[0]["field"] == "file"
    assert _state() == before


def test_too_big_file(org):
    body = b"name,phone\n" + b"x,0671234567\n" * (import_files.MAX_FILE_BYTES // 13 + 1)
    assert len(body) > import_files.MAX_FILE_BYTES
    with pytest.raises(ImportFileError) as err:
        read_rows(io.BytesIO(body), "a.csv")
    assert "larger than 10 MB" in err.value.detail


def test_command_dry_run_and_real_run(org, tmp_path, ledger_calls, capsys):
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command(
        "import_clients", str(path), "--org", org.slug, "--dry-run", stdout=out, stderr=err
    )
    assert "DRY RUN" in out.getvalue() and "row 4: name:" in out.getvalue()
    assert Client.objects.count() == 0
    out, err = StringIO(), StringIO()
    call_command("import_clients", str(path), "--org", org.slug, stdout=out, stderr=err)
    assert "3 clients were created" in out.getvalue()
    assert "100% 9/9" in err.getvalue() and "[" in err.getvalue()
    assert Client.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("import_clients", str(path), "--org", "nope")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="name"):
        call_command("import_clients", str(bad), "--org", org.slug)


# --- The page ---------------------------------------------------------------------------------


def _upload(staff_client, content: bytes, name: str):
    """Upload through the page; the worker's check runs when the request commits (Huey is
    immediate in tests), as it would right after it in production."""
    return staff_client.post(
        "/clients/import/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_page_upload_preview_confirm(
    org, staff_client, ledger_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        r = _upload(staff_client, CSV.encode(), "clients.csv")
    assert len(queued) == 1  # the worker's check
    page = r.content.decode()
    # The redirect's page was rendered before the check ran: it polls.
    assert r.status_code == 200 and 'data-status="checking"' in page
    page = staff_client.get(r.redirect_chain[-1][0]).content.decode()
    assert 'data-testid="dry-run-note"' in page
    assert 'data-testid="rejected-rows"' in page and "Коваленко Олена" in page
    # fifth tour: the counts were five bare numbers; each says what it is, in a sentence
    assert "Буде додано 3 нових клієнтів" in page
    assert "Буде пропущено 6 рядків (причини — нижче)" in page
    assert "Буде записано початкові баланси 2 клієнтам" in page
    assert "Пропущені рядки" in page and "відхилено" not in page
    assert 'data-testid="count-updated"' not in page  # nothing to update: no «0» line
    assert Client.objects.count() == 0
    upload = ClientImport.objects.get()
    assert upload.status == "previewed" and upload.preview["created"] == 3
    with django_capture_on_commit_callbacks(execute=True) as queued:
        r = staff_client.post(f"/clients/import/{upload.pk}/confirm/", follow=True)
        assert 'data-status="queued"' in r.content.decode()  # the page polls meanwhile
        assert Client.objects.count() == 0
    assert len(queued) == 1  # the import itself runs in the worker
    r = staff_client.get(f"/clients/import/{upload.pk}/progress/", headers={"HX-Request": "true"})
    done = r.content.decode()
    assert 'data-testid="import-done"' in done
    assert "Додано 3 нових клієнтів" in done and "Пропущено 6 рядків" in done
    assert "Записано початкові баланси 2 клієнтам" in done
    assert Client.objects.count() == 3
    upload.refresh_from_db()
    assert upload.status == "done" and upload.report["created"] == 3
    # confirming twice does nothing more
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/clients/import/{upload.pk}/confirm/")
    assert Client.objects.count() == 3


def test_the_import_report_says_its_counts_in_english(
    org, owner, staff_client, django_capture_on_commit_callbacks
):
    from tests.pages import staff_page

    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client, CSV.encode(), "clients.csv")
    upload = ClientImport.objects.get()
    page = staff_page(staff_client, owner, "en", "clients:import_detail", upload.pk)
    assert "3 new clients will be added" in page
    assert "6 rows will be skipped (reasons below)" in page
    assert "Opening balances will be recorded for 2 clients" in page


def test_page_refuses_bad_file_with_a_clear_error(
    org, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(staff_client, b"just,junk\n1,2\n", "x.csv")
    upload = ClientImport.objects.get()
    # In the language the staff member uploaded in (the salon's: Ukrainian), though the
    # worker has no request.
    assert upload.status == "refused"
    assert upload.error == (
        "Перший рядок має містити назви колонок; «name» та «phone» обов'язкові."
    )
    page = staff_client.get(
        f"/clients/import/{upload.pk}/progress/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-testid="import-refused"' in page and "обов&#x27;язкові" in page
    assert "hx-trigger" not in page  # no more polling
    assert r.status_code == 200 and Client.objects.count() == 0
    assert upload.file.name == ""  # the refused file is not kept


def test_page_refuses_a_file_that_is_not_csv_or_xlsx_at_once(org, staff_client):
    r = _upload(staff_client, b"%PDF-1.4", "clients.pdf")
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert "Завантажте файл .csv або .xlsx." in r.content.decode()
    assert ClientImport.objects.count() == 0 and Client.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "button", "none"),
    [("en", "Choose a file", "No file chosen"), ("uk", "Вибрати файл", "Файл не вибрано")],
)
def test_the_file_picker_speaks_the_pages_language(
    org, owner, staff_client, language, button, none
):
    # the browser's own file input says "Choose File / No file chosen" in the browser's
    # language: hidden under a button and the chosen name in the page's
    from tests.pages import staff_page

    page = staff_page(staff_client, owner, language, "clients:import")
    field = page.split('data-testid="import-file"')[1].split("</script>")[0]
    assert re.search(r'<input type="file" name="file"[^>]*class="visually-hidden[^"]*"', field)
    assert (
        f'for="id_file"><i class="bi bi-upload" aria-hidden="true"></i> {button}</label>' in field
    )
    assert f'data-testid="import-file-name" aria-live="polite">{none}</span>' in field
    assert f'this.files[0].name : "{none}"' in field
    r = _upload(staff_client, b"%PDF-1.4", "clients.pdf")  # a refused file: the error shows
    assert "invalid-feedback d-block" in r.content.decode()


def test_page_import_runs_in_batches_with_progress(
    org, staff_client, ledger_calls, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client, CSV.encode(), "clients.csv")
    upload = ClientImport.objects.get()
    seen = []
    real_execute = importing.import_execute

    def in_batches_of_two(**kwargs):
        progress = kwargs.pop("progress")

        def spy(done, total):
            seen.append((done, total))
            progress(done, total)

        return real_execute(progress=spy, batch_size=2, **kwargs)

    monkeypatch.setattr(importing, "import_execute", in_batches_of_two)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff_client.post(f"/clients/import/{upload.pk}/confirm/")
    assert len(callbacks) == 1  # the Huey task (immediate in tests)
    assert seen == [(0, 9), (2, 9), (4, 9), (6, 9), (8, 9), (9, 9)]
    upload.refresh_from_db()
    assert upload.status == "done" and upload.processed_rows == upload.total_rows == 9
    r = staff_client.get(f"/clients/import/{upload.pk}/progress/", headers={"HX-Request": "true"})
    assert 'data-status="done"' in r.content.decode()
    assert Client.objects.count() == 3


def test_progress_fragment_polls_while_running(org, staff_client, owner):
    upload = ClientImport.objects.create(
        organization=org,
        original_name="x.csv",
        status="running",
        total_rows=1000,
        processed_rows=250,
        created_by=owner,
    )
    page = staff_client.get(
        f"/clients/import/{upload.pk}/progress/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in page and "25%" in page


def test_command_speaks_one_language_with_plural_forms(org, tmp_path, ledger_calls):
    """The server's default language is Ukrainian; the report used to mix a Ukrainian
    summary into English lines. Now: English unless --language says otherwise, every line."""

    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    cyrillic = re.compile("[А-Яа-яІіЇїЄєҐґ]")
    out, err = StringIO(), StringIO()
    with translation.override("uk"):
        call_command(
            "import_clients", str(path), "--org", org.slug, "--dry-run", stdout=out, stderr=err
        )
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "DRY RUN — nothing written. 9 rows: 3 clients would be created, 0 would be updated, "
        "0 unchanged, 6 rows rejected."
    )
    assert "2 opening balances would be posted." in lines
    assert not [line for line in lines if cyrillic.search(line)]

    out = StringIO()
    call_command(
        "import_clients",
        str(path),
        "--org",
        org.slug,
        "--language",
        "uk",
        stdout=out,
        stderr=StringIO(),
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "9 рядків: створено 3 клієнтів, оновлено 0, без змін — 0, відхилено 6 рядків."
    )
    assert "Проведено 2 початкові баланси." in lines
    assert any(line.startswith("рядок 4: ім'я: ") for line in lines)
    assert Client.objects.count() == 3


@pytest.mark.parametrize(
    ("n", "uk"),
    [
        (1, "Додано тег 1 клієнтові."),
        (2, "Додано тег 2 клієнтам."),
        (5, "Додано тег 5 клієнтам."),
        (21, "Додано тег 21 клієнтові."),
    ],
)
def test_count_messages_use_ukrainian_plural_forms(n, uk):

    with translation.override("uk"):
        assert ngettext("Tagged %(n)s client.", "Tagged %(n)s clients.", n) % {"n": n} == uk
        rows = ngettext("%(n)s row", "%(n)s rows", n) % {"n": n}
    assert rows == {1: "1 рядок", 2: "2 рядки", 5: "5 рядків", 21: "21 рядок"}[n]
