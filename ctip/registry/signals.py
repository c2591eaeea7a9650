"""Signals the registry sends when it writes in bulk, bypassing the models' own signals."""

from django.dispatch import Signal

# Sent after rows of many cases were written with COPY or raw SQL (the demo-data generator, an
# import), inside the writing transaction. `cases` is a queryset of the cases written or
# changed, or their ids. Apps that keep figures derived from cases (stats) listen to it.
cases_written = Signal()
