"""The messaging-account API (API.md): create/list with `webhook_url`, register the webhook."""

from __future__ import annotations

from zapys.messaging.models import TransportAccount


def test_create_list_and_register(api, org, fake_telegram, settings):
    settings.ZAPYS_PUBLIC_URL = "https://crm.example.com"
    created = api.post(
        "/messaging-accounts",
        {
            "transport": "telegram",
            "credentials": {"token": fake_telegram.token},
            "base_url": fake_telegram.base_url,
        },
    )
    assert created.status == 201, created.body
    body = created.body
    assert body["transport"] == "telegram" and body["channel"] == "telegram"
    assert body["webhook_url"] == f"https://crm.example.com/bots/telegram/{body['id']}/"
    assert fake_telegram.token not in str(body)
    sms = api.post("/messaging-accounts", {"transport": "console", "channel": "sms"})
    assert sms.status == 201 and sms.body["webhook_url"] is None
    listed = api.get("/messaging-accounts")
    assert [item["id"] for item in listed.body["items"]] == [body["id"], sms.body["id"]]
    registered = api.post(f"/messaging-accounts/{body['id']}/webhook", {})
    assert registered.status == 200, registered.body
    assert registered.body == {"webhook_url": body["webhook_url"]}
    assert fake_telegram.webhook_url == body["webhook_url"] and fake_telegram.secret_token


def test_bad_input_is_a_field_error_and_creates_nothing(api, org):
    missing = api.post("/messaging-accounts", {"transport": "telegram", "credentials": {}})
    assert missing.status == 400 and missing.body["errors"][0]["field"] == "token"
    unknown = api.post("/messaging-accounts", {"transport": "pigeon"})
    assert unknown.status == 400 and unknown.body["errors"][0]["field"] == "transport"
    wrong_type = api.post("/messaging-accounts", {"transport": 5, "credentials": "x"})
    assert wrong_type.status == 422
    assert not TransportAccount.objects.exists()


def test_webhook_of_a_non_bot_or_refused_by_telegram(api, org, fake_telegram):
    sms = api.post("/messaging-accounts", {"transport": "console", "channel": "sms"}).body
    refused = api.post(f"/messaging-accounts/{sms['id']}/webhook", {})
    assert refused.status == 400 and refused.body["errors"][0]["field"] == "account"
    bot = api.post(
        "/messaging-accounts",
        {
            "transport": "telegram",
            "credentials": {"token": "1:wrong"},
            "base_url": fake_telegram.base_url,
        },
    ).body
    answer = api.post(f"/messaging-accounts/{bot['id']}/webhook", {})
    assert answer.status == 400 and "401" in answer.body["errors"][0]["message"]
    assert fake_telegram.webhook_url == ""
    assert api.post("/messaging-accounts/999999/webhook", {}).status == 404
