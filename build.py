#!/usr/bin/env python3
"""Lintas entry point: `python build.py` builds site/; see `python build.py --help`."""

import sys

from lintas.cli import main

if __name__ == "__main__":
    sys.exit(main())
