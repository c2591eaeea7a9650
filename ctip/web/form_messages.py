"""Django's own form and validation messages, named here so that the web app's Khmer
catalogue keeps their translations: Django's Khmer catalogue lacks them, and a Khmer page
would otherwise show "Select a valid choice..." in English (#14: no English on Khmer pages).
Nothing calls this module's function; makemessages reads the strings from it."""

from django.utils.translation import gettext_noop, ngettext


def _for_makemessages() -> None:  # pragma: no cover - read by makemessages, never called
    gettext_noop("Enter a valid value.")
    gettext_noop("Enter a valid integer.")
    gettext_noop("Enter a valid email address.")
    gettext_noop("Enter a valid URL.")
    gettext_noop("Enter a number.")
    gettext_noop("Enter a valid date.")
    gettext_noop("Enter a valid time.")
    gettext_noop("Enter a valid date/time.")
    gettext_noop("Enter a valid duration.")
    gettext_noop("Enter a list of values.")
    gettext_noop("Enter a complete value.")
    gettext_noop("Enter a valid UUID.")
    gettext_noop("Enter a valid JSON.")
    gettext_noop("Null characters are not allowed.")
    gettext_noop("No file was submitted.")
    gettext_noop("This field cannot be blank.")
    gettext_noop("Value %(value)r is not a valid choice.")
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices.")
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s.")
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s.")
    gettext_noop("%(model_name)s with this %(field_label)s already exists.")
    ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        1,
    )
    ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        1,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        1,
    )
    ngettext(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        1,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        1,
    )
