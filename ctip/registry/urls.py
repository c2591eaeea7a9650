"""URLs of the case registry pages: cases under /cases/, persons under /persons/."""

from django.urls import path

from . import views
from .casework import views as casework_views
from .files import views as file_views

app_name = "registry"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/close/", views.case_close, name="case-close"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case-reopen"),
    path("cases/<int:pk>/persons/add/", views.participant_add, name="participant-add"),
    path(
        "cases/<int:pk>/victims/<int:participant_pk>/profile/",
        views.victim_profile,
        name="victim-profile",
    ),
    path("cases/<int:pk>/events/add/", views.event_add, name="event-add"),
    path("cases/<int:pk>/arrests/add/", views.arrest_add, name="arrest-add"),
    path("cases/<int:pk>/proceedings/add/", views.proceeding_add, name="proceeding-add"),
    path("cases/<int:pk>/files/add/", file_views.case_attachment_new, name="case-attach"),
    path("persons/<int:pk>/files/add/", file_views.person_attachment_new, name="person-attach"),
    path("files/<int:pk>/", file_views.file_download, name="file-download"),
    path("cases/<int:pk>/assign/", casework_views.case_assign, name="case-assign"),
    path("cases/<int:pk>/transfer/", casework_views.case_transfer, name="case-transfer"),
    path("cases/<int:pk>/notes/add/", casework_views.note_add, name="note-add"),
    path(
        "cases/<int:pk>/victims/<int:participant_pk>/assessment/",
        casework_views.assessment_add,
        name="assessment-add",
    ),
    path(
        "cases/<int:pk>/victims/<int:participant_pk>/assessments/",
        casework_views.assessment_list,
        name="assessment-list",
    ),
    path(
        "cases/<int:pk>/victims/<int:participant_pk>/child/",
        casework_views.child_steps,
        name="child-steps",
    ),
    path("cases/<int:pk>/follow-ups/add/", casework_views.follow_up_add, name="follow-up-add"),
    path(
        "cases/<int:pk>/follow-ups/<int:follow_up_pk>/",
        casework_views.follow_up_record,
        name="follow-up-record",
    ),
    path("persons/", views.person_search, name="person-search"),
    path("persons/<int:pk>/", views.person_detail, name="person-detail"),
]
