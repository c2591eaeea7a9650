"""Value lists of the linkage app: how a link was made, what a reviewer decided, run states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkSource(models.TextChoices):
    RUN = "run", _("accepted by a linkage run")
    REVIEW = "review", _("accepted by a reviewer")


class Decision(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    SAME = "same", _("the same person")
    DIFFERENT = "different", _("different persons")
    UNSURE = "unsure", _("not sure")
    SUPERSEDED = "superseded", _("replaced by a later run")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    SKIPPED = "skipped", _("skipped")
    FAILED = "failed", _("failed")
