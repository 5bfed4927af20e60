"""The source registry: who outlets, bodies and people are, as documented facts with citations.

Records live in YAML files (``sayso/data/registry/*.yaml``, format in ``FORMAT.md`` there),
reviewed like code and validated on load. Users add or override records with their own files
(``--registry FILE`` or any ``*.yaml`` in ``$XDG_CONFIG_HOME/sayso/registry/``): a record whose
``id`` is already known replaces the earlier one.

Matching is by exact name after normalisation (case, accents, Cyrillic transliteration,
possessives, a leading "the"), and by web domain including subdomains. A name shared by several
records links to none of them and lists them as candidates: a wrong link is worse than none.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from sayso.errors import RegistryError

KINDS = frozenset(
    """news_agency broadcaster newspaper online_outlet magazine government_body military_body
    party ngo think_tank international_organisation company person""".split()
)
OWNERSHIP = frozenset(
    """state_owned state_funded_public_service party_owned private cooperative
    unknown""".split()
)
# Names and aliases are looked up in stretches of at most this many words.
MAX_NAME_WORDS = 6
# Kinds whose statements are official: a government, an army, a party (or their people).
OFFICIAL_KINDS = frozenset(("government_body", "military_body", "party"))
FIELDS = frozenset(
    """id name aliases domains country kind ownership owner wikidata sources checked role
    affiliation""".split()
)
# libyaml's loader when PyYAML was built with it (its wheels are): ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")

# Cyrillic letters (Russian, Ukrainian, Belarusian) to the Latin spelling news text uses.
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        (
            "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya "
            "i yi ye g u"
        ).split(),
        strict=True,
    )
)


def normalise_name(text: str) -> str:
    """The form names are compared in: "Ria Novosti's" and "РИА Новости" -> "ria novosti"."""
    text = text.replace("’", "'").strip()
    text = re.sub(r"'s?$", "", text)
    # Transliterate before decomposing: NFKD would split й into и and a breve.
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in text.casefold()).replace("_", "")
    decomposed = unicodedata.normalize("NFKD", latin)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    flat = re.sub(r"[^\w]+", " ", letters).strip()
    return re.sub(r"^the ", "", flat)


@dataclass(frozen=True)
class Entry:
    """One registry record: an outlet, a body or a person, with its cited facts."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    country: str | None = None
    ownership: str | None = None
    owner: str | None = None
    role: str | None = None
    affiliation: str | None = None
    wikidata: str | None = None
    sources: tuple[str, ...] = ()
    checked: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    origin: str = ""

    @property
    def is_state_owned(self) -> bool:
        return self.ownership == "state_owned"

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind}
        for key in ("country", "ownership", "owner", "role", "affiliation", "wikidata"):
            record[key] = getattr(self, key)
        record["aliases"] = list(self.aliases)
        record["domains"] = list(self.domains)
        record["sources"] = list(self.sources)
        record["checked"] = dict(self.checked)
        return record


@dataclass
class Match:
    """The result of a lookup: one entry, or the candidates when a name is ambiguous."""

    entry: Entry | None
    candidates: tuple[str, ...] = ()


class Registry:
    """Entries by id, with indexes by normalised name and by domain."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            self.entries[entry.id] = entry
        self._names: dict[str, set[str]] = {}
        self._domains: dict[str, str] = {}
        for entry in self.entries.values():
            for name in (entry.name, *entry.aliases):
                key = normalise_name(name)
                if key:
                    self._names.setdefault(key, set()).add(entry.id)
            for domain in entry.domains:
                self._domains[domain] = entry.id

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def by_name(self, name: str) -> Match:
        """The entry a name stands for; several candidates when it is ambiguous."""
        ids = sorted(self._names.get(normalise_name(name), ()))
        if len(ids) == 1:
            return Match(self.entries[ids[0]])
        return Match(None, tuple(ids))

    def by_domain(self, url_or_host: str) -> Entry | None:
        """The entry whose domain serves a URL, its subdomains included."""
        host = _host(url_or_host)
        while host and "." in host:
            if host in self._domains:
                return self.entries[self._domains[host]]
            host = host.split(".", 1)[1]
        return None

    def lookup(self, query: str) -> Match:
        """A name or a domain/URL, as ``sayso registry lookup`` takes it."""
        match = self.by_name(query)
        if match.entry is None and not match.candidates and ("." in query or "/" in query):
            return Match(self.by_domain(query))
        return match


def _host(url_or_host: str) -> str:
    """The host of a URL or bare domain; "" for anything that is not one."""
    text = url_or_host.strip().lower()
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    except ValueError:  # "http://[unclosed" and other malformed addresses
        return ""
    return host.removeprefix("www.")


def _check_record(raw: Any, where: str) -> Entry:
    """One validated entry; every problem is named with the file and record."""
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: a record must be a mapping, not {type(raw).__name__}")
    unknown = set(raw) - FIELDS
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("id", "name", "kind"):
        if not isinstance(raw.get(required), str) or not raw[required].strip():
            raise RegistryError(f"{where}: '{required}' is required and must be text")
    entry_id, kind = raw["id"], raw["kind"]
    where = f"{where} ({entry_id})"
    if not _ID.match(entry_id):
        raise RegistryError(f"{where}: id must be lowercase letters, digits and hyphens")
    if kind not in KINDS:
        raise RegistryError(f"{where}: kind '{kind}' is not one of {', '.join(sorted(KINDS))}")
    ownership = raw.get("ownership")
    if ownership is not None and ownership not in OWNERSHIP:
        raise RegistryError(f"{where}: ownership '{ownership}' is not one of {sorted(OWNERSHIP)}")
    if ownership not in (None, "unknown") and not raw.get("sources"):
        raise RegistryError(f"{where}: an ownership fact needs a citation in 'sources'")
    country = raw.get("country")
    if isinstance(country, bool):
        raise RegistryError(f'{where}: country reads as yes/no: quote the code, as "NO"')
    if country is not None and not _COUNTRY.match(str(country)):
        raise RegistryError(f"{where}: country must be an ISO 3166-1 alpha-2 code like RU")
    wikidata = raw.get("wikidata")
    if wikidata is not None and not _WIKIDATA.match(str(wikidata)):
        raise RegistryError(f"{where}: wikidata must be a Q-id like Q12345")
    domains = _strings(raw.get("domains"), "domains", where)
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise RegistryError(f"{where}: domain '{domain}' must be a bare host like tass.com")
    sources = _strings(raw.get("sources"), "sources", where)
    for source in sources:
        if not source.startswith(("https://", "http://")):
            raise RegistryError(f"{where}: source '{source}' must be a URL")
    return Entry(
        id=entry_id,
        name=raw["name"].strip(),
        kind=kind,
        aliases=_strings(raw.get("aliases"), "aliases", where),
        domains=domains,
        country=country,
        ownership=ownership,
        owner=_text(raw.get("owner"), "owner", where),
        role=_text(raw.get("role"), "role", where),
        affiliation=_text(raw.get("affiliation"), "affiliation", where),
        wikidata=wikidata,
        sources=sources,
        checked=_checked(raw.get("checked"), where),
    )


def _strings(value: Any, name: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistryError(f"{where}: '{name}' must be a list of text")
    return tuple(v.strip() for v in value if v.strip())


def _text(value: Any, name: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RegistryError(f"{where}: '{name}' must be text")
    return value.strip() or None


def _checked(value: Any, where: str) -> dict[str, str]:
    """``checked: {date, how}``: when and how the facts were checked."""
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - {"date", "how"}:
        raise RegistryError(f"{where}: 'checked' must be a mapping with 'date' and 'how'")
    checked = {k: str(v) for k, v in value.items()}
    if "date" in value and not isinstance(value["date"], date):
        try:
            date.fromisoformat(checked["date"])
        except ValueError as error:
            raise RegistryError(f"{where}: checked date must be YYYY-MM-DD") from error
    return checked


def read_file(path: Path) -> list[Entry]:
    """Validated entries of one YAML file; a ``RegistryError`` naming the file, line and
    field for anything wrong, and then nothing from the file is loaded."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=_LOADER)
        lines = _record_lines(text)
    except OSError as error:
        raise RegistryError(f"cannot read registry file {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise RegistryError(f"{path}: not UTF-8 text ({error.reason})") from error
    except (yaml.YAMLError, ValueError) as error:
        raise RegistryError(f"{path}: not valid YAML: {error}") from error
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RegistryError(f"{path}: a registry file must be a list of records")
    entries = []
    seen: dict[str, int] = {}
    for number, record in enumerate(raw, start=1):
        line = lines[number - 1] if number <= len(lines) else 0
        where = f"{path.name}, line {line} (record {number})"
        entry = _check_record(record, where)
        if entry.id in seen:
            raise RegistryError(
                f"{where}: id '{entry.id}' is already used at line {seen[entry.id]}"
            )
        seen[entry.id] = line
        entries.append(Entry(**{**entry.__dict__, "origin": f"{path}:{line}"}))
    return entries


def _record_lines(text: str) -> list[int]:
    """The line on which each record of a YAML list starts (1-based)."""
    node = yaml.compose(text, Loader=_LOADER)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def validate(entries: Iterable[Entry]) -> list[str]:
    """Problems across files: affiliations that name no record."""
    entries = list(entries)
    ids = {e.id for e in entries}
    return [
        f"{e.id}: affiliation '{e.affiliation}' is not a registry id"
        for e in entries
        if e.affiliation and e.affiliation not in ids
    ]


def shared_names(entries: Iterable[Entry]) -> dict[str, list[str]]:
    """Names or aliases that several records use: lookups of them stay ambiguous."""
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for name in (entry.name, *entry.aliases):
            owners.setdefault(normalise_name(name), set()).add(entry.id)
    return {name: sorted(ids) for name, ids in sorted(owners.items()) if len(ids) > 1}


def stats(registry: Registry) -> dict[str, Any]:
    """Coverage of a registry: counts by kind, ownership and country, and citation shares."""
    entries = list(registry.entries.values())
    total = len(entries) or 1

    def count(values: Iterable[str | None]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for value in values:
            counts[value or "none"] = counts.get(value or "none", 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "entries": len(entries),
        "by_kind": count(e.kind for e in entries),
        "by_ownership": count(e.ownership for e in entries if e.kind != "person"),
        "by_country": count(e.country for e in entries),
        "with_citations": round(sum(bool(e.sources) for e in entries) / total, 3),
        "ownership_facts_cited": round(
            sum(bool(e.sources) for e in entries if e.ownership not in (None, "unknown"))
            / max(1, sum(e.ownership not in (None, "unknown") for e in entries)),
            3,
        ),
        "with_wikidata": round(sum(bool(e.wikidata) for e in entries) / total, 3),
        "shared_names": shared_names(entries),
    }


def builtin_files() -> Iterator[Path]:
    folder = resources.files("sayso").joinpath("data/registry")
    with resources.as_file(folder) as path:
        yield from sorted(Path(path).glob("*.yaml"))


def user_files() -> list[Path]:
    """``*.yaml`` in ``$XDG_CONFIG_HOME/sayso/registry`` (``~/.config`` by default)."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return sorted((base / "sayso" / "registry").glob("*.yaml"))


def load(extra: Iterable[str | Path] = (), include_user: bool = True) -> Registry:
    """The built-in registry, then the user's files, then ``extra``: a user's record replaces
    the built-in one with its id; within the built-in files an id may appear once only."""
    builtin: dict[str, Entry] = {}
    for path in builtin_files():
        for entry in read_file(path):
            if entry.id in builtin:
                raise RegistryError(
                    f"registry: id '{entry.id}' is used twice: {builtin[entry.id].origin} "
                    f"and {entry.origin}"
                )
            builtin[entry.id] = entry
    merged = dict(builtin)
    for path in [*(user_files() if include_user else []), *map(Path, extra)]:
        merged.update((e.id, e) for e in read_file(path))
    problems = validate(merged.values())
    if problems:
        raise RegistryError("registry: " + "; ".join(problems))
    return Registry(merged.values())


@cache
def default_registry() -> Registry:
    """The registry every analysis uses unless given another, loaded once per process."""
    return load()
