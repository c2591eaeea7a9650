"""The `ctip` console script: Django's management commands, with dashes allowed in names.

`ctip demo-data --cases 100` runs the `demo_data` command; `ctip audit verify` runs `audit`
with its own sub-command. Settings default to the developer settings so that a newcomer's
`ctip` works without setting anything; production sets DJANGO_SETTINGS_MODULE. The commands
share one way of reporting refused input.
"""

import os
import sys

from django.core.exceptions import ValidationError


def main(argv: list[str] | None = None) -> None:
    """Run a management command named on the command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


def validation_message(error: ValidationError, *, options: bool = False) -> str:
    """A refusal as one line that names each field at fault: `period: ...; file: ...`.

    With `options`, fields are written as the command's options (`--batch-size`), for commands
    whose fields are its options.
    """
    if not hasattr(error, "message_dict"):
        return " ".join(error.messages)
    return "; ".join(
        f"{'--' + field.replace('_', '-') if options else field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


if __name__ == "__main__":
    main()
