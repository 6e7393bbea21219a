"""The ordered stages: load -> validate -> model (-> render + publish -> write, in build())."""

from __future__ import annotations

from .config import BuildConfig
from .load import load_sources
from .model import Site, build_model
from .problems import Problem, has_errors, sort_problems
from .validate import validate_sources


def check(config: BuildConfig) -> tuple[Site | None, list[Problem]]:
    """Load and validate every source; the model only when there is no error."""
    sources, problems = load_sources(config.root)
    validated, found = validate_sources(sources, config.today)
    problems = sort_problems([*problems, *found])
    if has_errors(problems) or validated.settings is None:
        return None, problems
    return build_model(validated, config.today), problems
