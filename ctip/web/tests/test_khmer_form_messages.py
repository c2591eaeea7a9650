"""Django's own form messages read in Khmer on a Khmer page (#14: no English words on the
statistics pages; Django's Khmer catalogue lacks them, ctip/web/form_messages.py adds them)."""

from typing import Any

import pytest
from django import forms
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_an_unknown_indicator_is_refused_in_khmer(client: Any, make_member: Any) -> None:
    from ctip.stats.tests.test_wording import _latin_words, _text

    client.force_login(make_member("analyst", "NCCT"))
    client.cookies.load({"django_language": "km"})
    answer = client.get("/stats/", {"indicator": "nope", "period": "2024H1"})
    text = _text(answer.content.decode())
    assert "សូមជ្រើសរើសជម្រើសដែលត្រឹមត្រូវ" in text
    assert _latin_words(text) <= {"nope"}, _latin_words(text)


class _Form(forms.Form):
    day = forms.DateField()
    count = forms.IntegerField(max_value=5)
    name = forms.CharField(max_length=3)
    pick = forms.ChoiceField(choices=[("a", "A")])


def test_the_common_field_messages_have_khmer() -> None:
    with translation.override("km"):
        form = _Form({"day": "x", "count": "9", "name": "long", "pick": "b"})
        assert not form.is_valid()
        messages = " ".join(str(m) for errors in form.errors.values() for m in errors)
    assert "Enter" not in messages and "Ensure" not in messages and "Select" not in messages
    assert "សូមបញ្ចូលកាលបរិច្ឆេទដែលត្រឹមត្រូវ" in messages
