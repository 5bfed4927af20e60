"""The output contract: the JSON Schema of the record ``Analysis.to_dict()`` produces.

The schema ships with the package (``sayso/schema/analysis.schema.json``) and pins
``schema_version`` to ``sayso.model.SCHEMA_VERSION``. Validation needs the optional
``jsonschema`` package (a test dependency), imported only when a record is validated.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_PACKAGE = "sayso"
SCHEMA_RESOURCE = ("schema", "analysis.schema.json")
# At most this many violations are listed in an InvalidRecordError's message.
MAX_REPORTED_ERRORS = 5


class InvalidRecordError(ValueError):
    """A record does not match the analysis schema; ``errors`` lists every violation."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = "; ".join(errors[:MAX_REPORTED_ERRORS])
        more = len(errors) - MAX_REPORTED_ERRORS
        suffix = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"record does not match the analysis schema: {shown}{suffix}")


@cache
def _schema_text() -> str:
    resource = resources.files(SCHEMA_PACKAGE).joinpath(*SCHEMA_RESOURCE)
    return resource.read_text(encoding="utf-8")


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an analysis record, as a fresh dict."""
    return json.loads(_schema_text())


@cache
def _validator() -> Any:
    try:
        import jsonschema
    except ImportError as error:
        raise ImportError(
            "validating a record needs the jsonschema package: pip install jsonschema "
            "(or install sayso with its test extra, sayso[test])"
        ) from error
    schema = analysis_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_record(record: Any) -> None:
    """Raise InvalidRecordError unless ``record`` matches the analysis schema.

    ``record`` is a parsed JSON value, such as ``Analysis.to_dict()`` or the output of
    ``sayso analyze --format json``. Raises ImportError when jsonschema is missing.
    """
    validator = _validator()
    from jsonschema.exceptions import best_match

    # For a failed "null or span", best_match names the deepest fault inside the span.
    errors = sorted((best_match([error]) for error in validator.iter_errors(record)), key=_path)
    if errors:
        raise InvalidRecordError([_describe(error) for error in errors])


def _path(error: Any) -> list[tuple[int, int, str]]:
    """Sort key of a violation: where it is, array indexes in numeric order."""
    return [
        (0, part, "") if isinstance(part, int) else (1, 0, str(part))
        for part in error.absolute_path
    ]


def _describe(error: Any) -> str:
    """One violation as "at attributions/0/kind: 'said' is not one of [...]"."""
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    return f"at {where}: {error.message}"


__all__ = ["InvalidRecordError", "analysis_schema", "validate_record"]
