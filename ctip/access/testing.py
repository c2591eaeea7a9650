"""Helpers for tests of any app: a signed-in session that has passed the one-time-code step."""

from typing import Any


def current_code(device: Any, offset: int = 0) -> str:
    """The code an authenticator app would show now for this TOTP device."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def otp_device(user: Any) -> Any:
    """The user's confirmed TOTP device, created if missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def verified_login(client: Any, user: Any) -> None:
    """force_login plus the one-time-code step, so pages behave as after a full sign-in."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = otp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
