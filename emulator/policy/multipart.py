"""multipart/form-data bodies (audio uploads, Sora's create call) as plain dicts.

Fields become strings, numbers or booleans as the route's request schema types them (a
form carries only text), repeated fields and `name[]` fields become lists, and each file
becomes an UploadedFile: a dict of its description, so the request schema can require it
and the request seed can hash it, with the bytes on `.data`.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from ..errors import InvalidRequest


class UploadedFile(dict[str, Any]):
    """{"filename", "content_type", "size", "digest"}, with the file's bytes on `.data`.

    Built with `of()`; a plain dict constructor stays valid so copies (the journal's
    dataclasses.asdict) work, and those copies carry no bytes."""

    data: bytes = b""

    @classmethod
    def of(cls, filename: str, content_type: str, data: bytes) -> UploadedFile:
        # The digest makes two different files of one name and size seed differently.
        upload = cls(filename=filename, content_type=content_type, size=len(data),
                     digest=hashlib.blake2b(data, digest_size=16).hexdigest())
        upload.data = data
        return upload

    @property
    def filename(self) -> str:
        return str(self["filename"])

    @property
    def extension(self) -> str:
        name = self.filename
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""


async def parse_multipart(headers: Mapping[str, str], raw: bytes,
                          schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """The form as a dict; InvalidRequest when it is not a readable multipart body."""
    content_type = headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data") \
            or "boundary=" not in content_type:
        raise InvalidRequest("This endpoint takes a multipart/form-data body (with a "
                             "boundary); send the fields and the file as a form.")

    async def stream() -> AsyncIterator[bytes]:
        yield raw

    parser = MultiPartParser(Headers(headers), stream(), max_files=16, max_fields=256)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidRequest(f"We could not parse the multipart body: {exc.message}") \
            from None
    properties = (schema or {}).get("properties", {})
    body: dict[str, Any] = {}
    for name, value in form.multi_items():
        key = name[:-2] if name.endswith("[]") else name
        if isinstance(value, UploadFile):
            item: Any = UploadedFile.of(value.filename or "", value.content_type or "",
                                        await value.read())
            await value.close()
        else:
            item = coerce_field(str(value), properties.get(key, {}))
        is_list = name.endswith("[]") or properties.get(key, {}).get("type") == "array"
        if is_list:
            body.setdefault(key, []).append(item)
        else:
            body[key] = item
    return body


def coerce_field(text: str, schema: Mapping[str, Any]) -> Any:
    """A form field's text as the type the schema gives it (text when it does not parse,
    so the schema names the field in its 400)."""
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "integer" in kinds or "number" in kinds:
        try:
            number = float(text)
        except ValueError:
            return text
        if "integer" in kinds and number.is_integer():
            return int(number)
        return number if "number" in kinds else text
    if "boolean" in kinds and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
