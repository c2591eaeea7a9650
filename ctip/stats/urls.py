"""URLs of the statistics pages (mounted under /stats/)."""

from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/<str:kind>/<str:period>/", views.report_page, name="report"),
]
