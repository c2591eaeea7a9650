"""Screening pages: operations, the grid and upload of persons found, interviews, embassy lists."""

from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.operation_list, name="operation-list"),
    path("new/", views.operation_new, name="operation-new"),
    path("<int:pk>/", views.operation_detail, name="operation-detail"),
    path("<int:pk>/grid/", views.found_grid, name="found-grid"),
    path("<int:pk>/upload/", views.found_upload, name="found-upload"),
    path("<int:pk>/embassy/<str:nationality>/", views.embassy_list, name="embassy-list"),
    path("found/<int:pk>/", views.found_detail, name="found-detail"),
    path("found/<int:pk>/repatriation/", views.repatriation, name="repatriation"),
    path("found/<int:pk>/suspect/", views.mark_suspect, name="mark-suspect"),
]
