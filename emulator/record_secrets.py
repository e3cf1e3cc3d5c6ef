"""What a recording must not write: the key headers (journal.SECRET_HEADERS) and the
headers and body fields configured as secret (`--secret-header`, `--secret-field`), and
their values wherever the upstream echoed them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .fixtures_match import REDACTED
from .journal import SECRET_HEADERS

# Query parameters some gateways take a key in (`?key=`), redacted in `recorded.query`.
KEY_PARAMS = frozenset({"key", "api_key", "api-key", "apikey", "access_token"})
# Shorter values are not scrubbed wherever they appear: "1" or "yes" would eat the body.
MIN_SECRET = 6


@dataclass(frozen=True)
class Redactor:
    headers: frozenset[str]  # lower-case names whose values are secret
    fields: frozenset[str]  # lower-case body field names whose values are secret

    @classmethod
    def build(cls, headers: Iterable[str], fields: Iterable[str]) -> Redactor:
        return cls(SECRET_HEADERS | {h.lower() for h in headers},
                   frozenset(f.lower() for f in fields))

    def secrets_of(self, headers: Mapping[str, str], body: Any) -> list[str]:
        """The secret values one request carries, longest first (a whole `Bearer sk-..`
        goes before the key inside it)."""
        found: set[str] = set()
        for name, value in headers.items():
            if name in self.headers:
                found.add(value)
                found.add(value.split(" ", 1)[-1].strip())  # the key of `Bearer <key>`
        stack = [body]
        while stack:
            node = stack.pop()
            if isinstance(node, Mapping):
                for key, value in node.items():
                    if str(key).lower() in self.fields and isinstance(value, str | int):
                        found.add(str(value))
                    stack.append(value)
            elif isinstance(node, list):
                stack.extend(node)
        return sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True)

    def scrub_text(self, text: str, secrets: Sequence[str]) -> str:
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text

    def scrub_json(self, value: Any, secrets: Sequence[str]) -> Any:
        """`value` with secret fields redacted and secret values scrubbed from every
        string."""
        if isinstance(value, Mapping):
            return {k: (REDACTED if str(k).lower() in self.fields
                        else self.scrub_json(v, secrets)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(v, secrets) for v in value]
        return self.scrub_text(value, secrets) if isinstance(value, str) else value

    def response_headers(self, headers: Mapping[str, str],
                         secrets: Sequence[str]) -> dict[str, str]:
        return {k: (REDACTED if k in self.headers else self.scrub_text(v, secrets))
                for k, v in headers.items()}

    def query(self, query: str, secrets: Sequence[str]) -> str:
        pairs = [(k, REDACTED if k.lower() in KEY_PARAMS | self.fields else v)
                 for k, v in parse_qsl(query, keep_blank_values=True)]
        return self.scrub_text(urlencode(pairs, safe="<>"), secrets)
