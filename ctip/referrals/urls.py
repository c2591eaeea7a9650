"""URLs of the referrals pages, under /referrals/."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/exchange/", views.exchange_create, name="exchange-create"),
    path("<int:pk>/tasks/new/", views.referral_task_create, name="referral-task-create"),
    path("<int:pk>/notes/", views.referral_note_add, name="referral-note-add"),
    path("<int:pk>/<str:transition>/", views.referral_transition, name="transition"),
    path("send/<int:participant_id>/", views.referral_send, name="send"),
    path("care-plan/<int:participant_id>/add/", views.care_plan_add, name="care-plan-add"),
    path("work/", views.work, name="work"),
    path("digest/", views.digest, name="digest"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/<int:case_id>/", views.task_create, name="task-create"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("pathway/<int:participant_id>/", views.pathway, name="pathway"),
    path("exchange/<int:pk>/", views.exchange_detail, name="exchange"),
    path("exchange/<int:pk>/record.json", views.exchange_json, name="exchange-json"),
    path("exchange/<int:pk>/summary.pdf", views.exchange_pdf, name="exchange-pdf"),
    path("coordination/", views.coordination, name="coordination"),
]
