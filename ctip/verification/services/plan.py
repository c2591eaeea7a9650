"""Ordering a verification, changing its plan, and putting its team together."""

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.models import Agency, Membership
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.intake.choices import MatterStatus
from ctip.intake.models import Matter
from ctip.intake.services.triage import may_decide
from ctip.reference import gazetteer
from ctip.reference.models import Province
from ctip.registry.validation import Errors

from ..choices import TeamRole, VerificationStatus
from ..models import TeamMember, Verification
from ..selectors import TEAM_ROLES, VERIFYING_KINDS, staff_agencies
from .base import LONG_TEXT, SHORT_TEXT, check_words, denied, require_change

# Fields of the plan the team may change until the visit is submitted.
PLAN_FIELDS = (
    "allegation",
    "plan",
    "planned_for",
    "province",
    "place_code",
    "place_detail",
    "concerns_officials",
    "unit_concerned",
)


def _check_plan(errors: Errors, data: dict[str, Any]) -> dict[str, Any]:
    """Validate the plan's fields; returns them cleaned."""
    clean = dict(data)
    if "allegation" in data:
        clean["allegation"] = check_words(
            errors,
            "allegation",
            data["allegation"],
            required=True,
            message=_("Say what is alleged."),
        )
    if "plan" in data:
        clean["plan"] = check_words(
            errors,
            "plan",
            data["plan"],
            required=True,
            message=_("Say how the team will verify it: who goes where, when, and how."),
        )
    if "place_detail" in data:
        clean["place_detail"] = check_words(
            errors, "place_detail", data["place_detail"], limit=SHORT_TEXT
        )
    planned_for = data.get("planned_for")
    if planned_for is not None and not isinstance(planned_for, datetime.date):
        errors.add("planned_for", _("Enter a date."))
    province = data.get("province")
    if province is not None and not isinstance(province, Province):
        errors.add("province", _("Choose a province."))
    place_code = (data.get("place_code") or "").strip()
    if "place_code" in data:
        clean["place_code"] = place_code
        found = gazetteer.place(place_code[:10]) if place_code else None
        if place_code and found is None:
            errors.add(
                "place_code",
                _("%(code)s is not a place of the gazetteer.") % {"code": place_code[:10]},
            )
        elif (
            found is not None
            and isinstance(province, Province)
            and gazetteer.province_iso(found.code) != province.code
        ):
            errors.add(
                "place_code",
                _("%(place)s is not in %(province)s.")
                % {"place": found.label, "province": province.label},
            )
    if data.get("concerns_officials") and data.get("unit_concerned") is None:
        errors.add(
            "unit_concerned",
            _("Name the unit whose officials the allegation concerns."),
        )
    if not data.get("concerns_officials", True) and "unit_concerned" in data:
        clean["unit_concerned"] = None
    return clean


def _reference(pk: int, day: datetime.date) -> str:
    return f"VER-{day.year}-{pk:06d}"


@audited_atomic
def verification_create(
    *,
    actor: Any,
    lead_agency: Agency,
    allegation: str,
    plan: str,
    planned_for: datetime.date | None = None,
    province: Province | None = None,
    place_code: str = "",
    place_detail: str = "",
    concerns_officials: bool = False,
    unit_concerned: Agency | None = None,
) -> Verification:
    """Order a verification carried out by `lead_agency` (the actor's own agency)."""
    errors = Errors()
    clean = _check_plan(
        errors,
        {
            "allegation": allegation,
            "plan": plan,
            "planned_for": planned_for,
            "province": province,
            "place_code": place_code,
            "place_detail": place_detail,
            "concerns_officials": concerns_officials,
            "unit_concerned": unit_concerned,
        },
    )
    if lead_agency.kind not in VERIFYING_KINDS or not lead_agency.is_active:
        errors.add(
            "lead_agency",
            _(
                "%(agency)s does not verify allegations on site; choose a police unit, a "
                "province committee or a ministry."
            )
            % {"agency": lead_agency.code},
        )
    errors.raise_if_any()
    if not (getattr(actor, "is_superuser", False) or lead_agency.pk in staff_agencies(actor)):
        raise denied(
            actor,
            None,
            "verification_create",
            _("You may not order verifications for %(agency)s.") % {"agency": lead_agency.code},
        )
    return _create(actor=actor, lead_agency=lead_agency, clean=clean)


@audited_atomic
def verification_order(
    *,
    actor: Any,
    matter: Matter,
    plan: str,
    lead_agency: Agency | None = None,
    allegation: str = "",
    planned_for: datetime.date | None = None,
    place_detail: str = "",
    concerns_officials: bool = False,
    unit_concerned: Agency | None = None,
) -> Verification:
    """Start the verification that triage ordered for a matter: carried out by the agency the
    matter is assigned to (or another verifying agency the intake team names), at the
    matter's place, about what was reported unless the allegation is restated."""
    errors = Errors()
    if matter.status != MatterStatus.VERIFICATION_ORDERED:
        errors.add("matter", _("Triage has not ordered a verification of this matter."))
    under_way = matter.verifications.exclude(status=VerificationStatus.CLOSED).first()
    if under_way is not None:
        errors.add(
            "matter",
            _("Verification %(reference)s of this matter is under way.")
            % {"reference": under_way.reference},
        )
    lead_agency = lead_agency or matter.assigned_agency
    if lead_agency is None:
        errors.add("lead_agency", _("Choose the agency that verifies."))
    allegation = (allegation or "").strip() or matter_allegation(matter)
    clean = _check_plan(
        errors,
        {
            "allegation": allegation,
            "plan": plan,
            "planned_for": planned_for,
            "province": matter.province,
            "place_code": matter.place_code,
            "place_detail": place_detail,
            "concerns_officials": concerns_officials,
            "unit_concerned": unit_concerned,
        },
    )
    if lead_agency is not None and (
        lead_agency.kind not in VERIFYING_KINDS or not lead_agency.is_active
    ):
        errors.add(
            "lead_agency",
            _(
                "%(agency)s does not verify allegations on site; choose a police unit, a "
                "province committee or a ministry."
            )
            % {"agency": lead_agency.code},
        )
    errors.raise_if_any()
    assert lead_agency is not None  # errors raised above
    if not (may_decide(actor, matter) or lead_agency.pk in staff_agencies(actor)):
        raise denied(
            actor,
            None,
            "verification_order",
            _("Only the intake team or the agency the matter is assigned to may start this."),
        )
    return _create(actor=actor, lead_agency=lead_agency, clean=clean, matter=matter)


def matter_allegation(matter: Matter) -> str:
    """What was reported, as the allegation to verify: the matter's summary, else what its
    first report says (the team may restate it)."""
    if matter.title:
        return matter.title
    first = matter.reports.order_by("received_at", "id").first()
    return first.what[:LONG_TEXT] if first is not None else ""


def _create(
    *, actor: Any, lead_agency: Agency, clean: dict[str, Any], matter: Matter | None = None
) -> Verification:
    """Write a verification whose order was checked by the caller."""
    verification = Verification(
        reference=f"pending-{uuid.uuid4().hex[:12]}",
        matter=matter,
        lead_agency=lead_agency,
        created_by=actor if getattr(actor, "pk", None) else None,
        **clean,
    )
    verification.full_clean(exclude=["reference"])
    verification.save()
    verification.reference = _reference(verification.pk, timezone.localdate())
    verification.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=verification,
        changes={
            "reference": [None, verification.reference],
            "matter": [None, matter.reference if matter is not None else None],
            "lead_agency": [None, lead_agency.code],
            "concerns_officials": [None, verification.concerns_officials],
            "unit_concerned": [
                None,
                verification.unit_concerned.code if verification.unit_concerned else None,
            ],
            "province": [None, verification.province.code if verification.province else None],
            "place_code": [None, verification.place_code],
            "planned_for": [None, str(verification.planned_for or "")],
            # What is alleged and planned is not copied into the trail (it is encrypted here).
            "allegation": [None, "•••"],
            "plan": [None, "•••"],
        },
    )
    return verification


@audited_atomic
def verification_update_plan(
    *, actor: Any, verification: Verification, **changes: Any
) -> Verification:
    """Change the plan while the verification is open."""
    errors = Errors()
    for field in sorted(set(changes) - set(PLAN_FIELDS)):
        errors.add(field, _("Unknown field."))
    merged = {f: getattr(verification, f) for f in ("concerns_officials", "unit_concerned")}
    merged.update(changes)
    clean = _check_plan(errors, merged)
    errors.raise_if_any()
    require_change(actor, verification, "verification_update_plan")
    diff: dict[str, list[Any]] = {}
    for field in changes:
        before, after = getattr(verification, field), clean[field]
        if before != after:
            shown = "•••" if field in ("allegation", "plan", "place_detail") else None
            diff[field] = [shown or _plain(before), shown or _plain(after)]
            setattr(verification, field, after)
    if diff:
        verification.full_clean()
        verification.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=verification, changes=diff)
    return verification


def _plain(value: Any) -> Any:
    if isinstance(value, Agency | Province):
        return value.code
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@audited_atomic
def team_member_add(
    *,
    actor: Any,
    verification: Verification,
    user: Any,
    agency: Agency,
    role: str = TeamRole.MEMBER,
) -> TeamMember:
    """Put an officer on the team, for an agency they work for."""
    errors = Errors()
    if role not in TeamRole.values:
        errors.add("role", _("%(value)r is not an allowed value.") % {"value": role})
    works_there = Membership.objects.filter(
        user=user, agency=agency, role__in=TEAM_ROLES, is_active=True, agency__is_active=True
    ).exists()
    if not works_there:
        errors.add(
            "member",
            _("%(user)s does not work for %(agency)s as an officer.")
            % {"user": user.get_username(), "agency": agency.code},
        )
    if TeamMember.objects.filter(verification=verification, user=user).exists():
        errors.add("member", _("%(user)s is on the team already.") % {"user": user.get_username()})
    errors.raise_if_any()
    require_change(actor, verification, "team_member_add")
    member = TeamMember.objects.create(
        verification=verification, user=user, agency=agency, role=role
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        changes={
            "verification": [None, verification.reference],
            "user": [None, user.get_username()],
            "agency": [None, agency.code],
            "role": [None, role],
        },
    )
    return member


@audited_atomic
def team_member_remove(*, actor: Any, verification: Verification, member: TeamMember) -> None:
    """Take an officer off the team while the verification is open."""
    if member.verification_id != verification.pk:
        raise ValidationError({"member": [_("This officer is not on this team.")]})
    require_change(actor, verification, "team_member_remove")
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=member,
        changes={
            "verification": [verification.reference, None],
            "user": [member.user.get_username(), None],
            "agency": [member.agency.code, None],
        },
    )
    member.delete()
