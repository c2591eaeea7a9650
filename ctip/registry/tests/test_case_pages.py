"""The case list, case page, and the register / edit / close pages, as officers use them."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ctip.access.models import Agency
from ctip.api.pagination import CappedPaginator
from ctip.reference.models import Province
from ctip.registry.models import Case

from .conftest import make_case

pytestmark = pytest.mark.django_db


def references(response: Any) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


# --- the list ------------------------------------------------------------------------------


def test_case_list_shows_own_cases_only(client: Any, officer: Any, outsider: Any, case: Any):
    client.force_login(officer)
    response = client.get(reverse("registry:case-list"))
    assert response.status_code == 200
    assert case.reference in response.content.decode()

    client.force_login(outsider)
    response = client.get(reverse("registry:case-list"))
    assert response.status_code == 200
    assert case.reference not in response.content.decode()


def test_case_list_needs_sign_in(client: Any):
    response = client.get(reverse("registry:case-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_filters_narrow_the_list(client: Any, officer: Any):
    sihanouk = Province.objects.get(code="KH-18")
    labour = make_case(officer, kind="forced_labour", opened_on=datetime.date(2023, 1, 10))
    scam = make_case(officer, kind="forced_criminality", province=sihanouk)
    late = make_case(officer, opened_on=datetime.date(2025, 2, 1))
    client.force_login(officer)
    url = reverse("registry:case-list")

    assert references(client.get(url, {"kind": "forced_labour"})) == [labour.reference]
    assert references(client.get(url, {"province": sihanouk.pk})) == [scam.reference]
    period = {"opened_from": "2025-01-01", "opened_to": "2025-12-31"}
    assert references(client.get(url, period)) == [late.reference]
    assert references(client.get(url, {"reference": late.reference})) == [late.reference]
    assert len(references(client.get(url))) == 3


def test_filters_stay_in_the_links(client: Any, officer: Any):
    make_case(officer)
    client.force_login(officer)
    page = client.get(reverse("registry:case-list"), {"kind": "sexual_exploitation"})
    html = page.content.decode()
    # Sorting links keep the filter so a filtered, sorted view can be bookmarked.
    assert "kind=sexual_exploitation&amp;sort=reference" in html


def test_sorting_changes_the_order(client: Any, officer: Any):
    first = make_case(officer, opened_on=datetime.date(2022, 5, 1))
    second = make_case(officer, opened_on=datetime.date(2024, 5, 1))
    client.force_login(officer)
    url = reverse("registry:case-list")
    assert references(client.get(url, {"sort": "opened"})) == [first.reference, second.reference]
    assert references(client.get(url, {"sort": "-opened"})) == [second.reference, first.reference]
    assert references(client.get(url, {"sort": "-reference"}))[0] == max(
        first.reference, second.reference
    )


@pytest.mark.parametrize("column", ["kind", "status"])
def test_a_second_click_on_kind_or_status_reverses_the_order(
    client: Any, officer: Any, column: str
):
    forced_labour = make_case(officer, kind="forced_labour", status="follow_up")
    trafficking = make_case(officer, kind="trafficking", status="active")
    client.force_login(officer)
    url = reverse("registry:case-list")
    first_click = client.get(url, {"sort": column})
    assert f"sort=-{column}" in first_click.content.decode()  # the heading now offers reverse
    ascending = references(first_click)
    second_click = client.get(url, {"sort": f"-{column}"})
    assert "error" not in second_click.content.decode().lower()
    assert references(second_click) == ascending[::-1]
    if column == "kind":  # forced labour < trafficking
        assert ascending == [forced_labour.reference, trafficking.reference]
    else:  # active < follow-up
        assert ascending == [trafficking.reference, forced_labour.reference]


def test_a_period_that_ends_before_it_starts_is_named(client: Any, officer: Any):
    client.force_login(officer)
    response = client.get(
        reverse("registry:case-list"), {"opened_from": "2025-01-01", "opened_to": "2024-01-01"}
    )
    assert response.status_code == 200
    assert "Opened to" in response.content.decode()
    assert "before its start" in response.content.decode()


def test_pages_of_fifty(client: Any, officer: Any):
    for day in range(1, 53):
        make_case(officer, opened_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=day))
    client.force_login(officer)
    url = reverse("registry:case-list")
    assert len(references(client.get(url))) == 50
    second = client.get(url, {"page": 2})
    assert len(references(second)) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_capped_count_stops_counting(officer: Any):
    for _ in range(5):
        make_case(officer)
    paginator = CappedPaginator(Case.objects.order_by("id"), 2, cap=3)
    assert paginator.is_capped
    assert paginator.num_pages == 2
    assert len(paginator.page(2).object_list) == 2
    assert not CappedPaginator(Case.objects.order_by("id"), 2, cap=10).is_capped


def test_analyst_sees_no_rows(client: Any, make_member: Any, case: Any):
    analyst = make_member("analyst", "NCCT")
    client.force_login(analyst)
    listing = client.get(reverse("registry:case-list"))
    assert references(listing) == []
    assert reverse("registry:case-create") not in listing.content.decode()
    assert client.get(reverse("registry:case-create")).status_code == 403
    assert client.get(reverse("registry:case-detail", args=[case.pk])).status_code == 404


# --- the case page -------------------------------------------------------------------------


def test_case_page_tells_the_story(
    client: Any, officer: Any, case: Any, victim: Any, suspect: Any, make_member: Any
):
    from ctip.registry import services

    services.event_add(
        actor=officer, case=case, kind="exploitation", occurred_on=datetime.date(2024, 2, 1)
    )
    services.event_add(
        actor=officer, case=case, kind="recruitment", occurred_on=datetime.date(2024, 1, 3)
    )
    services.arrest_add(
        actor=officer,
        case=case,
        person=suspect.person,
        arrested_on=datetime.date(2024, 3, 6),
        agency=case.owning_agency,
        charges=["LSHTSE-15"],
    )
    client.force_login(officer)
    response = client.get(reverse("registry:case-detail", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Victims (1)" in html and "Suspects (1)" in html
    assert "Chan Sokha (ចាន់ សុខា)" in html
    assert "Actual victim of trafficking" in html and "Debt bondage" in html
    assert html.index("Recruitment") < html.index("Exploitation")
    assert "Art. 15" in html
    # The summary is the victims' story (testimony): masked for a case officer, clear for the
    # supervisor.
    assert "Two girls promised restaurant work" not in html and "•••" in html
    client.force_login(make_member("supervisor", "PAHT-12"))
    html = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert "Two girls promised restaurant work" in html


def test_case_page_is_not_found_for_another_agency(client: Any, outsider: Any, case: Any):
    client.force_login(outsider)
    assert client.get(reverse("registry:case-detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("registry:case-edit", args=[case.pk])).status_code == 404


def test_case_page_in_khmer_uses_khmer_labels(client: Any, officer: Any, case: Any, victim: Any):
    client.force_login(officer)
    client.cookies["django_language"] = "km"
    html = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert 'lang="km"' in html
    assert "ជនរងគ្រោះពិតប្រាកដនៃការជួញដូរ" in html  # trafficking status label
    assert "ការជាប់បំណុល" in html  # means of control label
    assert "ភ្នំពេញ" in html  # the province in Khmer


# --- registering, editing, closing ---------------------------------------------------------


def case_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "forced_labour",
        "source": "operation",
        "owning_agency": Agency.objects.get(code="PAHT-12").pk,
        "province": Province.objects.get(code="KH-12").pk,
        "opened_on": "2024-06-01",
        "status": "active",
        "summary": "Men held on a fishing boat.",
    }
    data.update(overrides)
    return data


def test_register_a_case(client: Any, officer: Any):
    client.force_login(officer)
    assert client.get(reverse("registry:case-create")).status_code == 200
    response = client.post(reverse("registry:case-create"), case_post())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:case-detail", args=[case.pk])
    assert case.kind == "forced_labour" and case.summary == "Men held on a fishing boat."


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("opened_on", "2999-01-01", "Opened on"),
        ("kind", "smuggling", "Kind of case"),
        ("owning_agency", "PAHT-1", "Owning agency"),
        ("status", "closed", "Status"),
    ],
)
def test_register_refuses_bad_input(client: Any, officer: Any, field: str, value: str, label: str):
    if value == "PAHT-1":  # an agency the officer does not work for
        value = str(Agency.objects.get(code="PAHT-1").pk)
    client.force_login(officer)
    response = client.post(reverse("registry:case-create"), case_post(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert label in response.content.decode()
    assert not Case.objects.exists()


def test_edit_a_case(client: Any, officer: Any, case: Any):
    client.force_login(officer)
    url = reverse("registry:case-edit", args=[case.pk])
    assert client.get(url).status_code == 200
    data = case_post(kind="trafficking", status="follow_up")
    del data["owning_agency"]
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.kind, case.status) == ("trafficking", "follow_up")


def test_edit_refuses_a_future_opening(client: Any, officer: Any, case: Any):
    client.force_login(officer)
    data = case_post(opened_on="2999-01-01")
    response = client.post(reverse("registry:case-edit", args=[case.pk]), data)
    assert response.status_code == 200
    assert "opened_on" in response.context["form"].errors
    case.refresh_from_db()
    assert case.opened_on == datetime.date(2024, 3, 5)


def test_only_a_supervisor_may_close(client: Any, officer: Any, case: Any):
    client.force_login(officer)
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert reverse("registry:case-close", args=[case.pk]) not in page
    assert client.get(reverse("registry:case-close", args=[case.pk])).status_code == 403
    post = {"status": "closed", "closed_on": "2024-04-01", "reason": "Done"}
    assert client.post(reverse("registry:case-close", args=[case.pk]), post).status_code == 403
    case.refresh_from_db()
    assert case.status == "active"


def test_supervisor_closes_and_reopens(client: Any, supervisor: Any, case: Any):
    client.force_login(supervisor)
    detail = reverse("registry:case-detail", args=[case.pk])
    assert reverse("registry:case-close", args=[case.pk]) in client.get(detail).content.decode()
    post = {"status": "closed_referred", "closed_on": "2024-04-01", "reason": "Sent to MOSVY"}
    response = client.post(reverse("registry:case-close", args=[case.pk]), post)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed_referred", datetime.date(2024, 4, 1))
    # A closed case offers no edits.
    assert reverse("registry:case-edit", args=[case.pk]) not in client.get(detail).content.decode()
    client.post(reverse("registry:case-reopen", args=[case.pk]))
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("follow_up", None)


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"status": "closed", "closed_on": "2024-01-01", "reason": "x"}, "closed_on"),
        ({"status": "closed", "closed_on": "2999-01-01", "reason": "x"}, "closed_on"),
        ({"status": "active", "closed_on": "2024-04-01", "reason": "x"}, "status"),
        ({"status": "closed", "closed_on": "2024-04-01", "reason": ""}, "reason"),
    ],
)
def test_close_refuses_bad_input(
    client: Any, supervisor: Any, case: Any, post: dict[str, str], field: str
):
    client.force_login(supervisor)
    response = client.post(reverse("registry:case-close", args=[case.pk]), post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    case.refresh_from_db()
    assert case.status == "active" and case.closed_on is None


def test_close_date_defaults_to_today(client: Any, supervisor: Any, case: Any):
    client.force_login(supervisor)
    response = client.get(reverse("registry:case-close", args=[case.pk]))
    assert timezone.localdate().isoformat() in response.content.decode()


def test_long_pick_lists_escape_and_keep_the_choice(client: Any, officer: Any):
    from ctip.registry.forms import CaseFilterForm

    agency = Agency.objects.get(code="PAHT-12")
    html = str(CaseFilterForm({"agency": agency.pk})["agency"])
    assert f'<option value="{agency.pk}" selected>PAHT-12' in html
    assert html.count(" selected") == 1
    assert 'id="id_agency"' in html and 'name="agency"' in html
    from ctip.registry.forms import FastSelect

    rendered = FastSelect(choices=[("a&b", "<b>bold</b>")]).render("n", None)
    assert '<option value="a&amp;b">&lt;b&gt;bold&lt;/b&gt;</option>' in rendered


def test_page_queries_do_not_grow_with_the_case(client: Any, officer: Any, case: Any, victim: Any):
    """The case page and the list read in a fixed number of queries, however big the case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ctip.registry import services

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.event_add(
        actor=officer, case=case, kind="recruitment", occurred_on=datetime.date(2024, 1, 1)
    )
    client.force_login(officer)
    detail, listing = reverse("registry:case-detail", args=[case.pk]), reverse("registry:case-list")
    queries(detail), queries(listing)  # warm: cached pick-lists, the session's first stamp
    before = queries(detail), queries(listing)
    for n in range(4):
        person = services.person_create(actor=officer, family_name_latin=f"Extra{n}")
        participant = services.participant_add(
            actor=officer, case=case, person=person, role="victim"
        )
        services.victim_profile_save(
            actor=officer, participant=participant, trafficking_status="PossibleVictimOfTrafficking"
        )
        services.event_add(
            actor=officer,
            case=case,
            kind="transit",
            occurred_on=datetime.date(2024, 2, 1),
            persons=[person],
        )
        make_case(officer)
    assert (queries(detail), queries(listing)) == before


def test_only_a_supervisor_may_reopen(client: Any, officer: Any, supervisor: Any, case: Any):
    from ctip.registry import services

    services.case_close(
        actor=supervisor, case=case, closed_on=datetime.date(2024, 4, 1), reason="Done"
    )
    client.force_login(officer)
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert reverse("registry:case-reopen", args=[case.pk]) not in page
    assert client.post(reverse("registry:case-reopen", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == "closed"


def test_cached_pick_lists_follow_the_language_and_an_edit(db: Any):
    from django.utils import translation
    from django.utils.html import escape

    from ctip.registry.forms import CaseFilterForm

    agency = Agency.objects.get(code="PAHT-12")
    with translation.override("en"):
        english = str(CaseFilterForm()["agency"])
    with translation.override("km"):
        khmer = str(CaseFilterForm()["agency"])
    assert escape(agency.name_en) in english and escape(agency.name_km) not in english
    assert escape(agency.name_km) in khmer
    agency.name_en = "Renamed bureau"
    agency.save()  # clears the cached pick-lists of this process at once
    with translation.override("en"):
        assert "PAHT-12 — Renamed bureau" in str(CaseFilterForm()["agency"])


def test_case_filters_are_folded_until_used(client, make_member):
    client.force_login(make_member("case_officer", "PAHT-12"))
    from django.urls import reverse

    folded = client.get(reverse("registry:case-list")).content.decode()
    assert '<details class="card filter-box">' in folded
    used = client.get(reverse("registry:case-list"), {"kind": "trafficking"}).content.decode()
    assert '<details class="card filter-box" open>' in used
