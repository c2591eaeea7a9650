"""Field submissions: OpenRosa form list and submission, and ODK/Kobo exports, all checked."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctip.exchange.choices import BatchStatus, Layout
from ctip.exchange.models import ImportBatch
from ctip.exchange.services import import_apply, import_upload, import_validate
from ctip.registry.models import Case, Person

INSTANCE = """<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" id="htcds" version="v1">
  <start>2024-03-01T09:00:00.000+07:00</start><end>2024-03-01T09:30:00.000+07:00</end>
  <con_Consent>TRUE</con_Consent><prs_First_Name>Sreymom ស្រីមុំ</prs_First_Name>
  <prs_Second_Name>Keo</prs_Second_Name><prs_Birthdate>2001-02-03</prs_Birthdate>
  <prs_Gender>Feminine</prs_Gender><prs_Citizenship>KH</prs_Citizenship>
  <vic_TraffickingStatus>PossibleVictimOfTrafficking</vic_TraffickingStatus>
  <vic_Methods_of_Control>DebtBondage WithholdsDocuments</vic_Methods_of_Control>
  <cas_Status>Active</cas_Status>
  <meta><instanceID>uuid:5b0f2c1e-0000-4000-8000-000000000001</instanceID></meta>
</data>"""


def basic(password, user="officer"):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def province_officer(make_member):
    """A field officer with a device token for their phone (the secret kept on the object)."""
    from ctip.access.services import device_token_issue

    user = make_member("case_officer", "PCCT-12", username="officer")
    _token, user.device_secret = device_token_issue(actor=None, user=user, name="Phone 1")
    return user


@pytest.mark.django_db
def test_form_list_needs_credentials_and_speaks_openrosa(client, province_officer):
    response = client.get(reverse("exchange:openrosa-form-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert response["X-OpenRosa-Version"] == "1.0"
    response = client.get(
        reverse("exchange:openrosa-form-list"), **basic(province_officer.device_secret)
    )
    assert response.status_code == 200 and b"<formID>htcds</formID>" in response.content
    form = client.get(
        reverse("exchange:openrosa-form", args=["htcds"]), **basic(province_officer.device_secret)
    )
    assert b"prs_First_Name" in form.content
    wrong = client.get(reverse("exchange:openrosa-form-list"), **basic("wrong-one"))
    assert wrong.status_code == 401


@pytest.mark.django_db
def test_submission_lands_in_the_report_before_it_becomes_a_case(client, province_officer):
    head = client.head(
        reverse("exchange:openrosa-submission"), **basic(province_officer.device_secret)
    )
    assert head.status_code == 204 and head["X-OpenRosa-Accept-Content-Length"]
    upload = SimpleUploadedFile("submission.xml", INSTANCE.encode(), content_type="text/xml")
    response = client.post(
        reverse("exchange:openrosa-submission"),
        {"xml_submission_file": upload},
        **basic(province_officer.device_secret),
    )
    assert response.status_code == 201, response.content
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.VALIDATED
    assert list(batch.problems.all()) == []
    assert Case.objects.count() == 0  # waits for an officer
    import_apply(actor=province_officer, batch=batch)
    person = Person.objects.get()
    assert person.given_name_km == "ស្រីមុំ" and person.family_name_latin == "Keo"
    case = Case.objects.get()
    assert case.external_id == "kobo:uuid:5b0f2c1e-0000-4000-8000-000000000001"
    assert str(case.opened_on) == "2024-03-01"


@pytest.mark.django_db
def test_bad_xml_is_refused(client, province_officer):
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><data>&a;</data>'
    upload = SimpleUploadedFile("submission.xml", bomb, content_type="text/xml")
    response = client.post(
        reverse("exchange:openrosa-submission"),
        {"xml_submission_file": upload},
        **basic(province_officer.device_secret),
    )
    assert response.status_code == 400
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_kobo_json_export_imports_through_the_same_report(province_officer, tmp_path):
    from ctip.access.models import Agency

    records = [
        {
            "_uuid": f"k-{i}",
            "_submission_time": f"2024-05-0{i + 1}T10:00:00",
            "group_person/prs_First_Name": name,
            "group_victim/vic_TraffickingStatus": "ActualVictimOfTrafficking",
            "group_victim/vic_Methods_of_Control": "FalsePromises",
        }
        for i, name in enumerate(["Dara", "Vuthy", "ពិសី"])
    ]
    records.append(
        {
            "_uuid": "k-bad",
            "_submission_time": "2024-05-09T10:00:00",
            "group_person/prs_First_Name": "Nita",
            "group_victim/vic_TraffickingStatus": "Unsure",
        }
    )
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    agency = Agency.objects.get(code="PCCT-12")
    batch = import_upload(
        actor=province_officer, path=path, file_name=path.name, agency=agency, layout=Layout.KOBO
    )
    batch = import_validate(actor=province_officer, batch=batch)
    assert [(p.row, p.column, p.code) for p in batch.problems.all()] == [
        (4, "vic_TraffickingStatus", "unknown_code")
    ]
    import_apply(actor=province_officer, batch=batch, skip_rejected=True)
    assert Case.objects.count() == 3
