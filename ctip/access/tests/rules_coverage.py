"""`make lint`'s quick check that every URL has a rule in the access matrix.

The matrix itself (test_access_matrix.py) needs a database and minutes; this finds a URL with
no rule in seconds, so that whoever adds a page adds its access expectations with it.
"""

import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")
    django.setup()
    from .test_access_matrix import endpoints, rule_for

    # An app whose rules its own engineer is still writing may be named here meanwhile
    # (comma-separated namespaces); CI never sets it.
    pending = {p for p in os.environ.get("CTIP_PENDING_RULES", "").split(",") if p}
    missing = [
        e.key
        for e in endpoints()
        if rule_for(e.key) is None and e.key.split(":", 1)[0] not in pending
    ]
    if missing:
        print("No access-matrix rule for these URLs:", file=sys.stderr)
        for key in missing:
            print(f"  {key}", file=sys.stderr)
        print(
            "Add each app's rules (every role x relation) in "
            "ctip/access/tests/access_rules_<app>.py with a rules() function, following "
            "access_rules_linkage.py; the test world's objects for your app go in that module "
            "too. Run ctip/access/tests/test_access_matrix.py -k <app> to check them. Rules for "
            "another engineer's app are theirs to add: CTIP_PENDING_RULES=<app> make lint lets "
            "you land meanwhile.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
