"""A small client of the Checkbox API v1 (software cash register, ПРРО), from
docs/providers.md and research §3.3.

Why not the `checkbox-sdk` package: its helpers wait — `create_receipt(wait=True)` and
`create_shift`/`close_shift` poll in a loop with `time.sleep` — and it throttles on the
client side (15 requests / 10 s) by sleeping too, while our jobs must make one call, store
what came back and move on (the next tick polls), so that a slow Checkbox never holds a
worker. The few calls below are all we use; each returns the JSON or raises `CheckboxError`
with what a person can read (Checkbox's message, or the 422 field messages).

Idempotency is ours: a receipt's id is a UUID we persisted before the first call and send on
every retry (also as `X-Request-ID`); re-posting it answers 400 `receipt.already_exists`,
which `receipt_sell` reports as `already_exists=True` rather than an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_BASE_URL = "https://api.checkbox.ua/api/v1"
CLIENT_NAME = "Zapys"
CLIENT_VERSION = "1"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: The public page of a receipt (community code, research §3.3 "Outputs").
CHECK_PAGE = "https://check.checkbox.ua/{id}"


class CheckboxError(Exception):
    """A call failed. `status` is the HTTP status (0: no answer), `code` Checkbox's own error
    code when it sent one; `temporary` when trying again later may succeed (5xx, network)."""

    def __init__(self, message: str, *, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    @property
    def temporary(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.status == 429

    @property
    def credentials(self) -> bool:
        """The licence key or the cashier's login/password/PIN was refused."""
        return self.status in (401, 403)


@dataclass(frozen=True)
class Sold:
    """What `receipt_sell` got: the receipt's JSON, or that the id exists already."""

    receipt: dict[str, Any]
    already_exists: bool = False


def _message(response: httpx.Response) -> tuple[str, str]:
    """Checkbox's words: 422 `detail[{loc, msg}]`, other 4xx `message`; 5xx may be HTML."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", ""
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}", ""
    detail = body.get("detail")
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg")))
        return "; ".join(parts) or f"HTTP {response.status_code}", ""
    code = str(body.get("code") or "")
    message = body.get("message") or detail or f"HTTP {response.status_code}"
    return str(message), code


class CheckboxClient:
    def __init__(
        self,
        *,
        license_key: str,
        login: str = "",
        password: str = "",
        pin: str = "",
        base_url: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.license_key = license_key
        self.login, self.password, self.pin = login, password, pin
        self.token = ""
        self._http = httpx.Client(
            base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
            timeout=TIMEOUT,
            transport=transport,
            headers={
                "X-Client-Name": CLIENT_NAME,
                "X-Client-Version": CLIENT_VERSION,
                "X-License-Key": license_key,
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CheckboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise CheckboxError(f"Checkbox did not answer: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            message, code = _message(response)
            raise CheckboxError(message, status=response.status_code, code=code)
        try:
            return response.status_code, response.json() if response.content else {}
        except ValueError as exc:
            raise CheckboxError("Checkbox answered with no JSON", status=502) from exc

    # --- cashier ---------------------------------------------------------------------------

    def signin(self) -> str:
        """Sign the cashier in (login/password, or the PIN) and keep the token."""
        if self.pin:
            _, body = self._call("POST", "/cashier/signinPinCode", json={"pin_code": self.pin})
        else:
            _, body = self._call(
                "POST", "/cashier/signin", json={"login": self.login, "password": self.password}
            )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise CheckboxError("Checkbox gave no access token", status=502)
        self.token = str(token)
        return self.token

    def cash_register(self) -> dict[str, Any]:
        """The register of the licence key: fiscal number, `offline_mode`."""
        return self._call("GET", "/cash-registers/info")[1]

    # --- shifts ----------------------------------------------------------------------------

    def shift_open(self) -> dict[str, Any]:
        """Ask for a shift: 202, status CREATED; it opens asynchronously (poll `shift_get`)."""
        return self._call("POST", "/shifts")[1]

    def shift_get(self, shift_id: str) -> dict[str, Any]:
        return self._call("GET", f"/shifts/{shift_id}")[1]

    def shift_close(self) -> dict[str, Any]:
        """Close the cashier's shift: 202 CLOSING, then CLOSED with the Z-report."""
        return self._call("POST", "/shifts/close")[1]

    # --- receipts --------------------------------------------------------------------------

    def receipt_sell(self, body: dict[str, Any]) -> Sold:
        """POST a sale (or a return: goods with `is_return`). `body["id"]` is our UUID."""
        try:
            _, receipt = self._call(
                "POST", "/receipts/sell", json=body, headers={"X-Request-ID": str(body["id"])}
            )
        except CheckboxError as exc:
            if exc.code == "receipt.already_exists":
                return Sold({"id": body["id"]}, already_exists=True)
            raise
        return Sold(receipt)

    def receipt_get(self, receipt_id: str) -> dict[str, Any]:
        return self._call("GET", f"/receipts/{receipt_id}")[1]
