"""The console script's shared helper: refusals name the field at fault."""

from django.core.exceptions import ValidationError

from ctip.cli import validation_message


def test_a_refusal_names_each_field_and_its_messages():
    error = ValidationError({"period": ["Unknown period."], "file": ["Empty.", "No rows."]})
    assert validation_message(error) == "period: Unknown period.; file: Empty. No rows."


def test_fields_can_be_written_as_the_command_options():
    error = ValidationError({"batch_size": ["Too small."]})
    assert validation_message(error, options=True) == "--batch-size: Too small."


def test_a_refusal_without_fields_is_its_messages():
    assert validation_message(ValidationError("Nothing to do.")) == "Nothing to do."
