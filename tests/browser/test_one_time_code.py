"""The browser tests' one-time code helper gives codes the server takes, twice in a row."""

from typing import Any

import pytest

from .helpers import one_time_code


@pytest.mark.django_db
def test_a_second_sign_in_within_one_step_gets_a_code_the_server_takes(make_member: Any) -> None:
    # django-otp refuses a code of a step already used (no replay): the verification browser
    # test signed one officer in twice and waited 40 s on the code page when both sign-ins
    # fell in one 30-second step.
    from ctip.access.testing import otp_device

    user = make_member("case_officer", "PAHT-12")
    for _ in range(3):
        code = one_time_code(user)
        device = otp_device(user)
        assert device.verify_token(code), "the code was refused"
