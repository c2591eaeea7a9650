"""Admin of the screening app: nothing is registered.

Operations, persons found and interviews hold victims' identities and testimony; every read
goes through the selectors (scoped to the operation's case and audited) and every write
through the services (non-punishment rule, registry records), which the admin would bypass.
"""
