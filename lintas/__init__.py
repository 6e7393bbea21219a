"""Lintas: a static site generator and open-data publisher for immigration information at
Indonesia's borders. The pipeline: load -> validate -> model -> render + publish -> write."""

__version__ = "0.1.0"
