"""URLs of the import and export pages."""

from django.urls import path

from . import openrosa, views

app_name = "exchange"

urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/report.csv", views.import_report_csv, name="import-report"),
    path("imports/<int:pk>/apply/", views.import_apply_view, name="import-apply"),
    path("mappings/", views.mapping_edit, name="mapping-new"),
    path("mappings/<str:name>/", views.mapping_edit, name="mapping-edit"),
    path("export/", views.export_view, name="export"),
    # OpenRosa (ODK Collect, KoboToolbox): server URL .../exchange/openrosa/
    path("openrosa/formList", openrosa.form_list, name="openrosa-form-list"),
    path("openrosa/forms/<str:form_id>.xml", openrosa.form_download, name="openrosa-form"),
    path("openrosa/submission", openrosa.submission, name="openrosa-submission"),
]
