"""Field tokens: AES-GCM under the newest key, older keys and first-release tokens still read."""

import pytest
from cryptography.fernet import Fernet

from ctip.registry import crypto


@pytest.fixture
def keys(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CTIP_FIELD_KEYS = [old]
    crypto.reset_keyring()
    yield old, new
    crypto.reset_keyring()


def test_round_trip_in_both_scripts(keys):
    for text in ("Sokha Chan", "ចាន់ សុខា", ""):
        assert crypto.decrypt(crypto.encrypt(text)) == text


def test_two_encryptions_of_one_name_differ(keys):
    assert crypto.encrypt("Sokha") != crypto.encrypt("Sokha")


# (The last characters of base64 can hold padding bits that decode the same; stay clear.)
@pytest.mark.parametrize("position", [0, 3, 10, 30, -8])
def test_any_altered_character_is_refused(keys, position):
    token = crypto.encrypt("Vuthy Heng")
    chars = list(token)
    chars[position] = "B" if chars[position] != "B" else "C"
    altered = "".join(chars)
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(altered)


def test_old_key_reads_until_rotation_and_rotation_moves_to_the_new_key(keys, settings):
    old, new = keys
    token = crypto.encrypt("Srey Mom")
    settings.CTIP_FIELD_KEYS = [new, old]
    crypto.reset_keyring()
    assert crypto.decrypt(token) == "Srey Mom"
    assert not crypto.is_current(token)
    rotated = crypto.rotate_token(token)
    assert crypto.is_current(rotated)
    settings.CTIP_FIELD_KEYS = [new]
    crypto.reset_keyring()
    assert crypto.decrypt(rotated) == "Srey Mom"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


def test_first_release_fernet_tokens_still_read_and_rotate(keys):
    old, _new = keys
    legacy = Fernet(old.encode()).encrypt(b"Dara").decode()
    assert crypto.decrypt(legacy) == "Dara"
    assert not crypto.is_current(legacy)
    assert crypto.decrypt(crypto.rotate_token(legacy)) == "Dara"
