"""Public releases: prepared, signed off by a supervisor, published, never changed; privacy
budget; the public page and CSV without sign-in."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from ctip.stats import disclosure, services
from ctip.stats.models import PrivacyLedgerEntry, Release

from .builders import Registry


@pytest.fixture
def people(make_member):
    officer = make_member("case_officer", "AHTJP")
    reg = Registry(officer)
    case = reg.case(datetime.date(2024, 2, 1))
    for i in range(14):
        reg.victim(case, reg.person("female" if i < 12 else "male", 1990, name=f"V{i}"))
    for _i in range(3):
        reg.case(datetime.date(2024, 3, 1), kind="sexual_exploitation")
    return {
        "analyst": make_member("analyst", "NCCT"),
        "supervisor": make_member("supervisor", "NCCT"),
        "officer": officer,
    }


def table(release, table_id):
    return next(t for t in release.tables if t["id"] == table_id)


def test_suppression_release_hides_small_cells(people):
    release = services.release_create(
        actor=people["analyst"], period="2024H1", protection="suppression"
    )
    sex_age = table(release, "victims_identified_by_sex_and_age")
    # Rows and columns come from fixed domains, not from the data.
    assert sex_age["row_keys"] == ["female", "male", "other", "unknown", "total"]
    assert sex_age["column_keys"] == ["minor", "adult", "unknown", "total"]
    flat = [v for row in sex_age["values"] for v in row]
    assert not any(v is not None and 0 < v < 11 for v in flat)
    # The 2 men are hidden and the 12 women too, or the totals would give the men away.
    assert 2 not in flat and 12 not in flat
    assert sex_age["values"][-1][-1] == 14
    kinds = table(release, "cases_by_kind")["values"]
    assert [None] in kinds  # 3 sexual exploitation cases < 11


def test_release_lifecycle_and_immutability(people, client):
    analyst, supervisor = people["analyst"], people["supervisor"]
    release = services.release_create(actor=analyst, period="2024H1", protection="suppression")
    with pytest.raises(ValidationError):
        services.release_publish(actor=supervisor, release=release)  # not signed off yet
    with pytest.raises(PermissionDenied):
        services.release_sign_off(actor=analyst, release=release)  # analysts do not sign off
    services.release_sign_off(actor=supervisor, release=release)
    services.release_publish(actor=supervisor, release=release)
    release.refresh_from_db()
    assert release.status == "published"
    with pytest.raises(ValidationError):
        services.release_sign_off(actor=supervisor, release=release)
    # The public reads it without signing in, page and CSV.
    assert client.get("/stats/public/").status_code == 200
    page = client.get(f"/stats/public/{release.pk}/")
    assert page.status_code == 200 and "*" in page.content.decode()
    csv = client.get(f"/stats/public/{release.pk}.csv").content.decode("utf-8-sig")
    assert "victims_identified_by_sex_and_age,female,adult,*" in csv
    assert "victims_identified_by_sex_and_age,total,adult,14" in csv
    # Anyone tampering with the stored tables makes the release refuse to show.
    Release.objects.filter(pk=release.pk).update(tables=[])
    assert client.get(f"/stats/public/{release.pk}/").status_code == 403


def test_drafts_are_not_public(people, client):
    release = services.release_create(
        actor=people["analyst"], period="2024H1", protection="suppression"
    )
    assert client.get(f"/stats/public/{release.pk}/").status_code == 404


@override_settings(CTIP_DP_TOTAL_EPSILON=1.0)
def test_dp_release_spends_budget_and_refuses_beyond_it(people):
    analyst = people["analyst"]
    release = services.release_create(actor=analyst, period="2024H1", protection="dp", epsilon=0.6)
    assert PrivacyLedgerEntry.objects.get(release=release).epsilon == 0.6
    for t in release.tables:
        values = t["values"]
        has_row_totals = t["column_keys"][-1] == "total" and len(t["column_keys"]) > 1
        for row in values:
            assert all(isinstance(v, int) and v >= 0 for v in row)
            if has_row_totals:
                assert sum(row[:-1]) == row[-1]
        if len(values) > 1:
            assert [sum(col) for col in zip(*values[:-1], strict=True)] == values[-1]
    # Tables of one indicator are margins of one cube: estimated together, they agree.
    for indicator in ("cases", "victims_identified"):
        totals = {t["values"][-1][-1] for t in release.tables if t["indicator"] == indicator}
        assert len(totals) == 1, indicator
    with pytest.raises(ValidationError) as error:
        services.release_create(actor=analyst, period="2024H1", protection="dp", epsilon=0.5)
    assert "epsilon" in error.value.message_dict
    assert Release.objects.count() == 1 and PrivacyLedgerEntry.objects.count() == 1


def test_dp_release_measurements_spend_exactly_the_ledger_epsilon():
    sizes = []
    for _table_id, _indicator, rows, cols in services.PUBLIC_TABLES:
        sizes.append(3 * (4 if cols else 1) if rows != "province" else 25)
    spent = sum(m.map(1) for m in disclosure.release_measurements(sizes, 0.6))
    assert spent == pytest.approx(0.6, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"period": "2024H1", "protection": "dp", "epsilon": 0}, "epsilon"),
        ({"period": "2024H1", "protection": "dp", "epsilon": -1.0}, "epsilon"),
        ({"period": "2024H1", "protection": "dp"}, "epsilon"),
        ({"period": "2024X", "protection": "suppression"}, "period"),
        ({"period": "2024H1", "protection": "magic"}, "protection"),
    ],
)
def test_bad_release_input_spends_nothing(people, kwargs, field):
    with pytest.raises(ValidationError) as error:
        services.release_create(actor=people["analyst"], **kwargs)
    assert field in error.value.message_dict
    assert not Release.objects.exists() and not PrivacyLedgerEntry.objects.exists()


def test_only_aggregating_staff_prepare_releases(people):
    with pytest.raises(PermissionDenied):
        services.release_create(actor=people["officer"], period="2024H1", protection="suppression")


def test_staff_release_page(people, client):
    client.force_login(people["analyst"])
    response = client.post(
        "/stats/releases/",
        {"action": "create", "period": "2024H1", "protection": "dp", "epsilon": "abc"},
    )
    assert response.status_code == 400 and "epsilon" in response.content.decode()
    response = client.post(
        "/stats/releases/", {"action": "create", "period": "2024H1", "protection": "suppression"}
    )
    assert response.status_code == 302 and Release.objects.count() == 1
    assert "Privacy budget" in client.get("/stats/releases/").content.decode()


def test_public_api_lists_only_published_releases(people, client):
    release = services.release_create(
        actor=people["analyst"], period="2024H1", protection="suppression"
    )
    assert client.get("/stats/api/releases/").json() == []
    services.release_sign_off(actor=people["supervisor"], release=release)
    services.release_publish(actor=people["supervisor"], release=release)
    detail = client.get(f"/stats/api/releases/{release.pk}/").json()
    assert detail["digest"] == release.digest and detail["tables"]


def test_the_preparer_cannot_sign_off_their_own_release(people, make_member):
    preparer = people["supervisor"]  # a secretariat supervisor may both prepare and sign off
    release = services.release_create(actor=preparer, period="2024H1", protection="suppression")
    with pytest.raises(PermissionDenied, match="prepared a release cannot sign it off"):
        services.release_sign_off(actor=preparer, release=release)
    release.refresh_from_db()
    assert release.status == "draft" and release.signed_off_by is None
    second = make_member("supervisor", "NCCT")
    services.release_sign_off(actor=second, release=release)
    release.refresh_from_db()
    assert release.status == "signed_off" and release.signed_off_by == second
