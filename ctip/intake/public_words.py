"""The file store's refusals as the public form shows them: the registry translates them into
Khmer only, so they are listed here for makemessages to keep them in the public languages'
catalogues (Chinese, Vietnamese, Thai, Indonesian); Django merges catalogues, so the store's
own gettext calls find these translations. Keep in step with ctip/registry/files/content.py."""

from django.utils.translation import gettext_noop

FILE_STORE_REFUSALS = (
    gettext_noop("The file is empty."),
    gettext_noop("The file is larger than %(limit)s MB."),
    gettext_noop(
        "This kind of file is not accepted: send a photo (JPEG, PNG, WebP), a PDF or a text file."
    ),
    gettext_noop("The picture is not a JPEG, PNG or WebP image."),
    gettext_noop("The picture is too large: at most %(limit)s million pixels."),
    gettext_noop("The picture cannot be read: it is damaged or not a picture."),
    gettext_noop("The PDF is password-protected; send it without a password."),
    gettext_noop("The PDF has more than %(limit)s pages."),
    gettext_noop("The PDF cannot be read: it is damaged or not a PDF."),
)
