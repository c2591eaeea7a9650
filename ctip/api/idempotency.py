"""`Idempotency-Key` on API POSTs: a client that retries after a crash or a lost answer gets
the first answer again instead of creating a second record.

The key is remembered with the answer in the same transaction as the view's writes: either
both are stored, or neither is (a crash before commit leaves nothing, and the retry runs
anew). A second request with the same key waits for the first (the unique index) and then
replays its answer, marked `Idempotent-Replayed: true`; the same key with a different body
is refused (422). Keys are kept for CTIP_IDEMPOTENCY_HOURS (24). See docs/api.md.
"""

import datetime
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.registry.crypto import decrypt, encrypt

from .models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _client(request: HttpRequest) -> str | None:
    """Who is asking, as a hash of their credentials; None for an anonymous request."""
    credentials = request.META.get("HTTP_AUTHORIZATION", "")
    if not credentials and getattr(request, "session", None) is not None:
        key = request.session.session_key
        credentials = f"session:{key}" if key else ""
    if not credentials:
        return None
    return hashlib.sha256(credentials.encode("utf-8")).hexdigest()


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        decrypt(record.body).encode("utf-8") if record.body else b"",
        status=record.status or 200,
        content_type=record.content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Applies to POSTs under /api/ that carry the header and some credentials."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        client = _client(request)
        if client is None:
            return self.get_response(request)
        if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
            return JsonResponse(
                {"detail": _("Idempotency-Key must be 1 to 255 printable ASCII characters.")},
                status=400,
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        client=client, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                existing = IdempotentRequest.objects.get(client=client, key=key)
                if existing.fingerprint != fingerprint:
                    return JsonResponse(
                        {
                            "detail": _(
                                "This Idempotency-Key was used for a different request; "
                                "use a new key for a new request."
                            )
                        },
                        status=422,
                    )
                return _replay(existing)
            response = self.get_response(request)
            if response.status_code >= 500 or response.streaming:
                # Nothing of a failed request is kept, the key included: a retry runs anew.
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = encrypt(response.content.decode("utf-8")) if response.content else ""
            record.save(update_fields=["status", "content_type", "body"])
            hours = int(getattr(settings, "CTIP_IDEMPOTENCY_HOURS", 24))
            IdempotentRequest.objects.filter(
                created_at__lt=timezone.now() - datetime.timedelta(hours=hours)
            ).delete()
        return response
