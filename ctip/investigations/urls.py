"""URLs of the investigations pages, under /investigations/."""

from django.urls import path

from . import views
from .ads import views as ads
from .ftm import views as ftm
from .sanctions import views as sanctions

app_name = "investigations"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("uses/<int:pk>/remove/", views.use_remove, name="use-remove"),
    path("identifiers/<int:pk>/", views.identifier_detail, name="identifier"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("compounds/", views.compound_list, name="compounds"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound"),
    path("network/", views.network, name="network"),
    path("network/image.svg", views.network_image, name="network-image"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/read/", views.alert_read, name="alert-read"),
    path("sanctions/", sanctions.home, name="sanctions"),
    path("sanctions/hits/<int:pk>/", sanctions.hit_detail, name="sanctions-hit"),
    path("sanctions/lists/<int:pk>/screen/", sanctions.screen, name="sanctions-screen"),
    path("ads/", ads.ad_list, name="ads"),
    path("ads/<int:pk>/", ads.ad_detail, name="ad"),
    path("exchange/", ftm.exchange, name="ftm"),
    path("exchange/network.ftm.json", ftm.export, name="ftm-export"),
    path("exchange/partners/", ftm.package, name="ftm-package"),
    path("exchange/packages/", ftm.package_list, name="packages"),
]
