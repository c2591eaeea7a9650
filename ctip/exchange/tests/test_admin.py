"""The admin's column mappings save through column_mapping_save: checked and audited."""

import pytest
from django.urls import reverse

from ctip.access.models import Agency
from ctip.access.testing import verified_login
from ctip.audit.models import AuditEvent
from ctip.exchange.models import ColumnMapping


@pytest.fixture
def admin_client(client, django_user_model, db):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    verified_login(client, root)
    return client


def post(client, url, **fields):
    data = {"sheet": "", "day_first": "on", **fields}
    return client.post(url, data)


@pytest.mark.django_db
def test_a_mapping_added_in_the_admin_is_checked_and_audited(admin_client):
    agency = Agency.objects.get(code="AHTJP")
    url = reverse("admin:exchange_columnmapping_add")
    refused = post(
        admin_client, url, name="Bad", agency=agency.pk, columns='{"no_such_column": "Name"}'
    )
    assert refused.status_code == 200  # the form again, not a server error
    assert "Unknown ctip columns: no_such_column." in refused.content.decode()
    assert not ColumnMapping.objects.exists()

    saved = post(
        admin_client,
        url,
        name="Province sheet",
        agency=agency.pk,
        columns='{"prs_FirstName": " Given name "}',
    )
    assert saved.status_code == 302
    mapping = ColumnMapping.objects.get()
    assert mapping.columns == {"prs_FirstName": "Given name"}  # cleaned by the service
    event = AuditEvent.objects.filter(object_type="exchange.columnmapping").get()
    assert event.action == "create" and event.object_id == str(mapping.pk)


@pytest.mark.django_db
def test_the_admin_neither_renames_nor_deletes_a_mapping(admin_client):
    agency = Agency.objects.get(code="AHTJP")
    post(
        admin_client,
        reverse("admin:exchange_columnmapping_add"),
        name="Kobo",
        agency=agency.pk,
        columns='{"prs_FirstName": "Name"}',
    )
    mapping = ColumnMapping.objects.get()
    change = reverse("admin:exchange_columnmapping_change", args=[mapping.pk])
    changed = post(
        admin_client, change, name="Renamed", agency=agency.pk, columns='{"prs_FirstName": "N"}'
    )
    assert changed.status_code == 302
    assert list(ColumnMapping.objects.values_list("name", "columns")) == [
        ("Kobo", {"prs_FirstName": "N"})
    ]
    assert AuditEvent.objects.filter(object_type="exchange.columnmapping").count() == 2
    delete = reverse("admin:exchange_columnmapping_delete", args=[mapping.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ColumnMapping.objects.count() == 1
