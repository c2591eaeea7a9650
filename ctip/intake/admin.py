"""Admin pages of the intake app: none for reports and matters.

Reports and matters are read through the intake pages, which scope and audit every read; the
admin would show reporters' words and contact details unaudited. The rate windows and spent
challenges are counters with nothing in them worth administering.
"""
