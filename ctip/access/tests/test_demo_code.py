"""Demo accounts come with an authenticator; demo-code prints its code, on a demo only."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctip.access.models import User

pytestmark = pytest.mark.django_db


def test_demo_accounts_have_a_device_whose_code_signs_in(settings):
    call_command("demo_accounts", stdout=StringIO())
    user = User.objects.get(username="ahtjp.officer")
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_code", "ahtjp.officer", stdout=out)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert device.verify_token(out.getvalue().strip())


def test_demo_code_is_refused_outside_development(settings):
    call_command("demo_accounts", stdout=StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development settings"):
        call_command("demo_code", "ahtjp.officer", stdout=StringIO())
