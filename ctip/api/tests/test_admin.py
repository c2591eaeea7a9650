"""API tokens are issued only by the audited service, never on the admin site."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token, TokenProxy

from ctip.access.testing import verified_login


@pytest.mark.django_db
def test_the_admin_site_offers_no_token_page(client, django_user_model):
    assert not admin.site.is_registered(TokenProxy)
    with pytest.raises(NoReverseMatch):
        reverse("admin:authtoken_tokenproxy_add")
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    verified_login(client, root)
    page = client.get("/admin/authtoken/tokenproxy/add/")
    assert page.status_code == 404
    assert client.post("/admin/authtoken/tokenproxy/add/", {"user": root.pk}).status_code == 404
    assert not Token.objects.exists()
