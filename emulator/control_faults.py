"""Control API for fault rules (/_emulator/faults); the vocabulary is policy/faults.py's.

POST   /_emulator/faults        one rule or a list (tried in its order); all or nothing;
                                201 with their ids
GET    /_emulator/faults        the rules, newest first, with remaining counts and hits
DELETE /_emulator/faults        every rule;  DELETE /_emulator/faults/{id}: that one (404
                                if unknown)
Everything set here is undone by POST /_emulator/reset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .control_http import error_response, json_response, read_json
from .errors import InvalidRequest
from .policy.faults import parse_fault_rule

if TYPE_CHECKING:
    from .app import EmulatorApp


def fault_routes(app: EmulatorApp) -> list[Route]:
    store = app.state.faults

    async def list_faults(request: Request) -> Response:
        return json_response({"faults": store.listing()})

    async def add_faults(request: Request) -> Response:
        try:
            data = await read_json(request)
            items = data if isinstance(data, list) else [data]
            rules = [parse_fault_rule(item, f"faults[{i}]" if isinstance(data, list)
                                      else "fault") for i, item in enumerate(items)]
            for rule in rules:  # checked against this app's providers and routes first
                store.check(rule)
        except InvalidRequest as exc:
            return error_response(exc.message, param=exc.param)
        # Added last first, so a list keeps its order: its first rule is tried first.
        ids = [store.add(rule) for rule in reversed(rules)][::-1]
        return json_response({"ids": ids, "faults": store.listing()}, 201)

    async def clear_faults(request: Request) -> Response:
        removed = len(store.entries)
        store.clear()
        return json_response({"removed": removed})

    async def remove_fault(request: Request) -> Response:
        fault_id = request.path_params["fault_id"]
        if not store.remove(fault_id):
            return error_response(f"No fault rule {fault_id!r}.", 404, param="id",
                                  type="not_found")
        return json_response({"removed": 1})

    return [
        Route("/_emulator/faults", list_faults, methods=["GET"]),
        Route("/_emulator/faults", add_faults, methods=["POST"]),
        Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
        Route("/_emulator/faults/{fault_id}", remove_fault, methods=["DELETE"]),
    ]
