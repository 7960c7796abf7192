"""Screenshots of every page of the demo, for a person to look at (issue 17's acceptance walk).

Against a server started by `make run` (same database), in headless Chromium:

    .venv/bin/python scripts/tour_screens.py [--base http://127.0.0.1:8000] [--out /tmp/tour]

Signs in as the demo owner and opens the dashboard and every page it links to (one page of
each address shape, e.g. one client card), in Ukrainian and in English, at 1366 px; then the
public pages a client opens (booking, shop, payment, prepayment, invoice, cabinet, waiting-list
offer) at 1366 px and at phone width. Files are named <language>-<width>-<address shape>.png,
and `index.txt` lists what each file shows. The crawler test checks the words; this is for eyes.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
django.setup()

from django.apps import apps  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from tests.browser import DESKTOP, as_phone, click_and_load, make_driver  # noqa: E402
from tests.test_crawler import PUBLIC_PAGES, PUBLIC_PREFIXES, SKIP_PREFIXES, _pattern  # noqa: E402

OWNER = ("owner", "zapys-demo-2026")
MAX_STAFF_PAGES = 120
DEMO = "demo"  # the demo organization's slug


def _name(language: str, width: str, url: str) -> str:
    shape = _pattern(urlsplit(url).path).strip("/") or "dashboard"
    # one message template of each channel stands for all (there are ~60)
    shape = re.sub(r"^(settings/messaging/templates)/[^/]+/", r"\1/event/", shape)
    return f"{language}-{width}-" + re.sub(r"[^a-z0-9]+", "_", shape.lower()).strip("_")


def _save(driver, path: Path) -> None:
    """The whole page, not only the window (at most 6,000 px tall)."""
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), 6000)
    width = driver.execute_script("return window.innerWidth")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def _links(driver) -> list[str]:
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"
    )
    return [h.split("#")[0] for h in hrefs if h and h.startswith("/")]


def _public_urls() -> list[str]:
    urls = []
    for label, field, address in PUBLIC_PAGES:
        model = apps.get_model(label)
        # the demo's organization ("demo"), not one `demo --reset` archived
        rows = model._base_manager.exclude(**{field: ""})
        rows = rows.filter(
            **({"slug": DEMO} if label == "accounts.Organization" else {"organization__slug": DEMO})
        )
        value = rows.order_by("pk").values_list(field, flat=True).first()
        if value:
            urls.append(address.format(value))
    return urls


def staff_tour(
    base: str, out: Path, language: str, index: list[str], only: re.Pattern[str] | None = None
) -> None:
    driver = make_driver(DESKTOP, language)
    try:
        driver.get(f"{base}/login/")
        driver.find_element(By.NAME, "username").send_keys(OWNER[0])
        driver.find_element(By.NAME, "password").send_keys(OWNER[1])
        # each click loads a page: wait for it, or the next element found is the old page's
        click_and_load(driver, "[data-testid=login-submit]")
        # the top bar's UA/EN switch, as a person would
        click_and_load(driver, f"[data-testid=lang-switch] [value={language}]")
        queue, seen_shapes = ["/"], set()
        while queue and len(seen_shapes) < MAX_STAFF_PAGES:
            url = queue.pop(0)
            if url.startswith(SKIP_PREFIXES) or "export" in url or "lang=" in url:
                continue
            name = _name(language, "1366", url)
            if name in seen_shapes:
                continue
            seen_shapes.add(name)
            driver.get(base + url)
            if only is not None and not only.search(url):
                queue.extend(
                    link for link in _links(driver) if not link.startswith(PUBLIC_PREFIXES)
                )
                continue
            _save(driver, out / f"{name}.png")
            index.append(f"{name}.png  {url}  «{driver.title}»")
            queue.extend(link for link in _links(driver) if not link.startswith(PUBLIC_PREFIXES))
    finally:
        driver.quit()


def public_tour(base: str, out: Path, language: str, index: list[str]) -> None:
    for width in ("1366", "phone"):
        driver = make_driver(DESKTOP, language)
        try:
            driver.get(base + "/")
            driver.add_cookie({"name": "django_language", "value": language, "path": "/"})
            if width == "phone":
                as_phone(driver)
            for url in _public_urls():
                driver.get(base + url)
                name = _name(language, width, url)
                _save(driver, out / f"{name}.png")
                index.append(f"{name}.png  {url}  «{driver.title}»")
        finally:
            driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/tour")
    parser.add_argument("--languages", default="uk,en")
    parser.add_argument("--only", default="", help="a regex: only staff addresses matching it")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    index: list[str] = []
    for language in args.languages.split(","):
        staff_tour(args.base, out, language, index, re.compile(args.only) if args.only else None)
        public_tour(args.base, out, language, index)
    (out / "index.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"{len(index)} screenshots in {out}")


if __name__ == "__main__":
    main()
