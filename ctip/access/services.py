"""Writes of the access app: loading agencies, creating users and memberships."""

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.reference.models import Country, Province

from .choices import AgencyKind, AgencyLevel, Role
from .models import Agency, Membership, User

AGENCIES_FILE = Path(__file__).resolve().parent.parent / "reference" / "data" / "agencies.csv"


def _agency_row_errors(row: dict[str, str], line: int, codes: set[str]) -> list[str]:
    errors = []
    if row["kind"] not in AgencyKind.values:
        errors.append(
            _("line %(line)d: kind %(value)r is not a known agency kind")
            % {"line": line, "value": row["kind"]}
        )
    if row["level"] not in AgencyLevel.values:
        errors.append(
            _("line %(line)d: level %(value)r is not national, province or foreign")
            % {"line": line, "value": row["level"]}
        )
    if row["parent"] and row["parent"] not in codes:
        errors.append(
            _("line %(line)d: parent %(value)r is not an agency code in the file")
            % {"line": line, "value": row["parent"]}
        )
    return errors


@transaction.atomic
def agencies_load(*, actor: Any = None, path: Path = AGENCIES_FILE) -> int:
    """Create or update agencies from the editable data file; all rows or none."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {row["code"] for row in rows}
    errors = [
        e for line, row in enumerate(rows, start=2) for e in _agency_row_errors(row, line, codes)
    ]
    provinces = {p.code: p for p in Province.objects.all()}
    countries = {c.alpha3: c for c in Country.objects.all()}
    for line, row in enumerate(rows, start=2):
        if row["province"] and row["province"] not in provinces:
            errors.append(
                _("line %(line)d: province %(value)r is unknown")
                % {"line": line, "value": row["province"]}
            )
        if row["country"] and row["country"] not in countries:
            errors.append(
                _("line %(line)d: country %(value)r is unknown")
                % {"line": line, "value": row["country"]}
            )
    if errors:
        raise ValidationError(errors)
    agencies = {}
    for row in rows:
        agencies[row["code"]], _created = Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_km": row["name_km"],
                "kind": row["kind"],
                "level": row["level"],
                "province": provinces.get(row["province"]),
                "country": countries.get(row["country"]),
            },
        )
    for row in rows:  # second pass: parents may appear after their children
        agency = agencies[row["code"]]
        parent = agencies.get(row["parent"]) if row["parent"] else None
        if agency.parent_id != (parent.pk if parent else None):
            agency.parent = parent
            agency.save(update_fields=["parent"])
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        object_type="access.agency",
        detail={"loaded": len(rows)},
    )
    return len(rows)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "en",
    is_superuser: bool = False,
) -> User:
    """Create a staff account with a validated password."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with this username already exists.")})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action=AuditAction.ADMIN, obj=user, changes={"created": {"username": username}}
    )
    return user


@transaction.atomic
def membership_create(*, actor: Any, user: User, agency: Agency, role: str) -> Membership:
    """Give a user a role in an agency."""
    if role not in Role.values:
        raise ValidationError({"role": _("%(role)r is not a role.") % {"role": role}})
    membership, created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=membership,
        changes={"membership": {"user": user.username, "agency": agency.code, "role": role}},
    )
    return membership
