"""Thin Huey tasks of the payments app."""

from __future__ import annotations

import logging

import httpx
from huey.contrib.djhuey import db_task

logger = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=10)
def sandbox_deliver_callback(url: str, fields: dict[str, str]) -> int:
    """The sandbox provider POSTs its signed callback to Zapys over HTTP, as a real
    provider would; a non-2xx answer or a network error is retried."""
    from zapys.payments.providers.sandbox import http_post

    try:
        response = http_post(url, fields)
    except httpx.HTTPError:
        logger.warning("sandbox: callback to %s failed", url)
        raise
    if response.status_code >= 300:
        raise RuntimeError(f"sandbox callback answered HTTP {response.status_code}")
    return response.status_code
