"""URLs of the verification pages."""

from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("", views.verification_list, name="list"),
    path("new/", views.verification_create, name="create"),
    path("public/", views.public_summaries, name="public"),
    path("<int:pk>/", views.verification_detail, name="detail"),
    path("<int:pk>/plan/", views.plan_edit, name="plan"),
    path("<int:pk>/team/", views.team_add, name="team-add"),
    path("<int:pk>/team/<int:member>/remove/", views.team_remove, name="team-remove"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/findings/", views.finding_add, name="finding-add"),
    path("<int:pk>/findings/<int:finding>/remove/", views.finding_remove, name="finding-remove"),
    path("<int:pk>/persons/", views.person_add, name="person-add"),
    path("<int:pk>/persons/<int:person>/remove/", views.person_remove, name="person-remove"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign-off"),
    path("<int:pk>/open-case/", views.open_case, name="open-case"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
