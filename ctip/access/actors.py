"""Actors that are not user accounts: the operator of a management command."""


class CommandLineActor:
    """The operator of a management command: holds the keys and the database, so sees all."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True

    def get_username(self) -> str:
        return "command-line"

    def __str__(self) -> str:
        return "command-line"


COMMAND_LINE = CommandLineActor()
