"""Typed errors: every way an input can be refused, each with a message a user can act on.

The CLI turns these into one line on stderr and a non-zero exit; batch modes turn them
into a per-item error record; the API raises them as they are.
"""

from __future__ import annotations


class SaysoError(Exception):
    """Base class of every error sayso raises on purpose."""

    code = "error"
    exit_code = 1


class InputError(SaysoError):
    """The input cannot be analysed as it is."""

    code = "input_error"
    exit_code = 2


class EmptyInputError(InputError):
    code = "empty_input"


class BinaryInputError(InputError):
    code = "binary_input"


class InputTooLargeError(InputError):
    code = "input_too_large"


class DecodingError(InputError):
    code = "undecodable_input"


class NoMainTextError(InputError):
    code = "no_main_text"


class UnsupportedLanguageError(InputError):
    code = "unsupported_language"


class MalformedRecordError(InputError):
    code = "malformed_record"


class UnknownPlaceError(SaysoError):
    """A place the user names (an outlet's home) that the gazetteer does not know."""

    code = "unknown_place"


class GoldDataError(SaysoError):
    """Gold data for an evaluation is missing or unreadable."""

    code = "gold_data_error"
    exit_code = 2


class RegistryError(SaysoError):
    """A registry file is missing, unreadable or breaks the record format."""

    code = "registry_error"
    exit_code = 2


class StoreError(SaysoError):
    """The corpus store cannot be opened or written: not a sayso store, or unreadable."""

    code = "store_error"
    exit_code = 2


class StoreVersionError(StoreError):
    """The store was written by a newer sayso: it is refused and left untouched."""

    code = "store_too_new"
