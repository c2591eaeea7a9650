#!/usr/bin/env python
"""Django's command-line utility; `ctip` is the same thing installed as a console script."""

from ctip.cli import main

if __name__ == "__main__":
    main()
