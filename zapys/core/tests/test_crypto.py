import pytest

from zapys.core.crypto import DecryptionError, decrypt_json, encrypt_json, mask_secret


def test_round_trip_and_ciphertext_hides_the_secret():
    token = encrypt_json({"private_key": "sandbox_secret_123"})
    assert "sandbox_secret_123" not in token
    assert decrypt_json(token) == {"private_key": "sandbox_secret_123"}


def test_other_key_cannot_decrypt(settings):
    token = encrypt_json({"k": "v"})
    settings.ZAPYS_ENCRYPTION_KEY = "another passphrase"
    with pytest.raises(DecryptionError):
        decrypt_json(token)


def test_mask_secret():
    assert mask_secret("abcdefgh1234") == "••••••••1234"
    assert mask_secret("") == ""
