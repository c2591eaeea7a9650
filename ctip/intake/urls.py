"""Intake URLs: the public report pages under /report/, the intake team's under /intake/."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("report/", views.public_start, name="public-start"),
    path("report/<str:lang>/", views.public_report, name="public-report"),
    path("report/<str:lang>/follow-up/", views.public_follow_up, name="public-follow-up"),
    path("report/<str:lang>/about/", views.public_about, name="public-about"),
    path("intake/", views.queue, name="queue"),
    path("intake/record/", views.record, name="record"),
    path("intake/reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("intake/reports/<int:pk>/<slug:action>/", views.report_action, name="report-action"),
    path("intake/matters/", views.matter_list, name="matter-list"),
    path("intake/matters/<int:pk>/", views.matter_detail, name="matter-detail"),
    path("intake/matters/<int:pk>/<slug:action>/", views.matter_action, name="matter-action"),
]
