"""The client import in a real browser: upload → the page waits for the worker → preview →
confirm → the page follows the import → done; and a spreadsheet bomb refused on the page.

Huey is immediate in tests, so a queued task would run inside the request that queues it.
These tests hold the tasks back and run them from the test, the way a separate worker
would, so the page really has to poll for the worker's results.
"""

import io
import zipfile

import pytest
from openpyxl import Workbook
from selenium.webdriver.common.by import By

from tests.browser import click_and_load, login, screenshot, wait_attr, wait_for, wait_text
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_clients import make_client
from zapys.clients import importing
from zapys.clients.models import Client, ClientImport
from zapys.clients.tasks import client_import_check_task, client_import_task
from zapys.core.tenancy import org_scope, unscoped

pytestmark = [pytest.mark.browser]


CSV = (
    "ПІБ;Телефон;Email;Теги;Баланс\n"
    "Коваленко Олена;067 123 45 67;olena@example.com;VIP, йога;150,50\n"
    "Бондар Ігор;+380501112233;;йога;-200\n"
    "Старий Клієнт;0931112233;;VIP;\n"
    "Без телефону;;;;\n"
)


@pytest.fixture
def salon(transactional_db):
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        make_client(org, "Старий Клієнт", phone="+380931112233", tags=["VIP"])
    return org, user


@pytest.fixture
def worker(monkeypatch):
    """Queued tasks wait here until the test runs them (a worker that is not instant)."""
    queued = []
    monkeypatch.setattr(
        importing, "_enqueue_check", lambda *a: queued.append((client_import_check_task, a))
    )
    monkeypatch.setattr(
        importing, "_enqueue_run", lambda *a: queued.append((client_import_task, a))
    )

    def run_all():
        ran = len(queued)
        while queued:
            task, args = queued.pop(0)
            task(*args)
        return ran

    return run_all


def _choose_file(browser, path):
    browser.find_element(By.CSS_SELECTOR, "input[type=file][name=file]").send_keys(str(path))


def test_upload_preview_confirm_import(browser, live_server, salon, worker, tmp_path, private_root):
    org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/import/")
    wait_for(browser, "[data-testid=import-form]")
    screenshot(browser, "h1_1_upload_form")
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    _choose_file(browser, path)
    click_and_load(browser, "[data-testid=import-upload]")

    # The request only stored the file: the page says it is being checked and polls.
    wait_for(browser, "[data-testid=import-checking]")
    screenshot(browser, "h1_2_checking")
    with unscoped():
        upload = ClientImport.objects.get()
    assert upload.status == "checking"
    assert [p.name for p in private_root.rglob("*") if p.is_file()] == [upload.file.name[15:]]

    assert worker() == 1  # the worker checks the file and makes the dry-run report
    wait_for(browser, "[data-testid=dry-run-note]")
    preview = browser.find_element(By.CSS_SELECTOR, "[data-testid=preview-rows]").text
    assert "Коваленко Олена" in preview and "Бондар Ігор" in preview
    created = browser.find_element(By.CSS_SELECTOR, "[data-testid=count-created]")
    assert created.get_attribute("data-count") == "2"
    assert created.text == "Буде додано 2 нових клієнтів"
    rejected = browser.find_element(By.CSS_SELECTOR, "[data-testid=count-rejected]")
    assert rejected.get_attribute("data-count") == "1"
    assert rejected.text == "Буде пропущено 1 рядок (причини — нижче)"
    screenshot(browser, "h1_3_preview")
    with org_scope(org):
        assert Client.objects.count() == 1  # a dry run writes nothing

    click_and_load(browser, "[data-testid=import-confirm]")
    wait_attr(browser, "[data-testid=import-status]", "data-status", "queued")
    screenshot(browser, "h1_4_queued")
    assert worker() == 1  # the worker imports
    wait_for(browser, "[data-testid=import-done]")
    wait_text(browser, "[data-testid=count-created]", "2")
    screenshot(browser, "h1_5_done")
    with org_scope(org):
        olena = Client.objects.get(phone="+380671234567")
        assert sorted(olena.tags.values_list("name", flat=True)) == ["VIP", "йога"]
        assert Client.objects.count() == 3
    assert [p for p in private_root.rglob("*") if p.is_file()] == []  # the file is gone


def _bomb(path):
    wb = Workbook()
    wb.active.append(["name", "phone"])
    buf = io.BytesIO()
    wb.save(buf)
    source = zipfile.ZipFile(buf)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in source.infolist():
            z.writestr(info.filename, source.read(info.filename))
        z.writestr(
            "xl/sharedStrings.xml", b"<sst>" + b"<si><t>xxxxxxxxxx</t></si>" * 1_500_000 + b"</sst>"
        )


def test_a_spreadsheet_bomb_is_refused_on_the_page(
    browser, live_server, salon, worker, tmp_path, private_root
):
    org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/import/")
    wait_for(browser, "[data-testid=import-form]")
    path = tmp_path / "clients.xlsx"
    _bomb(path)
    assert path.stat().st_size < 200_000
    _choose_file(browser, path)
    click_and_load(browser, "[data-testid=import-upload]")
    wait_for(browser, "[data-testid=import-checking]")
    assert worker() == 1
    wait_for(browser, "[data-testid=import-refused]")
    text = browser.find_element(By.CSS_SELECTOR, "[data-testid=import-refused]").text
    assert "розпаковується у понад 32 МБ" in text and "Нічого не імпортовано." in text
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=import-confirm]")
    screenshot(browser, "h1_6_bomb_refused")
    with org_scope(org):
        assert Client.objects.count() == 1
    assert [p for p in private_root.rglob("*") if p.is_file()] == []
