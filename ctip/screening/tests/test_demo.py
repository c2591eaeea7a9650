"""`ctip demo-screening`: an operation whose persons found were entered by the lead agency and
by an agency taking part (decision 0781), screened, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from ctip.screening.models import FoundPerson

pytestmark = pytest.mark.django_db


def test_demo_screening_has_persons_entered_by_two_agencies():
    call_command("demo_accounts", stdout=StringIO())
    call_command("demo_screening", "--persons", "130", stdout=StringIO())
    by = set(FoundPerson.objects.values_list("person__registered_by__code", flat=True))
    assert by == {"AHTJP", "PAHT-18"}
    assert FoundPerson.objects.exclude(decision="pending").exists()
    call_command("demo_screening", stdout=StringIO())  # a second run adds nothing
    assert FoundPerson.objects.count() == 130
