"""No token admin: tokens are issued by `ctip create-token` and the token endpoint
(api.services), which audit each one. DRF's authtoken app registers an admin page that would
create and show tokens unaudited; it is taken off the admin site here."""

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
