"""Runtime conformance of a generated Python SDK against Prism, run by
tests/python/run-conformance.sh (which documents the environment):

- CONFORMANCE_PACKAGE: the generated package folder (holds pyproject.toml);
- CONFORMANCE_CALLS: the calls tests/node/synthesize-calls.mjs made;
- CONFORMANCE_BASE_URL: Prism, on 127.0.0.1.

Which method sends which operation, and under which argument names each
parameter and the body travel, is read from the generated package itself:
each method only hands an operation descriptor to its transport, so calling
it on a probe transport gives the descriptor (as synthesize-calls.mjs does
for TypeScript). The synthesised values arrive by their names in the spec
and as JSON; each is read into its declared type with the descriptor's own
codec (so a model argument is a model), and the call is made with keyword
arguments, once through `Client` and once through `AsyncClient`.

A call passes when: the status is < 400; Prism's `sl-violations` header (or
the problem+json body it sends for a status the spec does not declare)
holds no entry with severity "Error" whose location starts with "request";
a JSON response read into its declared type (the client's default,
tolerant reading) and written back (`encode_value`) is the JSON that came;
and, unless Prism itself reports that its mocked response breaks the
response schema (it mocks from the spec's examples, some of which do not
fit), the response also reads in the strict mode (`Client(strict=True)`)
without a `DecodeError`. Those calls are counted as such in the summary.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import httpx
import pytest

PACKAGE = Path(os.environ["CONFORMANCE_PACKAGE"])
CALLS = json.loads(Path(os.environ["CONFORMANCE_CALLS"]).read_text("utf-8"))
BASE_URL = os.environ["CONFORMANCE_BASE_URL"]

IMPORT_NAME = next(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
sys.path.insert(0, str(PACKAGE))
sdk = importlib.import_module(IMPORT_NAME)
client_module = importlib.import_module(f"{IMPORT_NAME}.client")
runtime = importlib.import_module(f"{IMPORT_NAME}._runtime")


class _Probe:
    """A transport that records the operation instead of sending it."""

    def __init__(self) -> None:
        self.operation: Any = None

    def request(self, op: Any, args: Any, options: Any) -> Any:
        self.operation = op
        return None


def _methods() -> Dict[str, Tuple[str, str, Any]]:
    """"METHOD /path" -> (client attribute, method name, descriptor)."""
    found: Dict[str, Tuple[str, str, Any]] = {}
    client = sdk.Client(base_url="http://127.0.0.1:1")
    for attribute, resource in vars(client).items():
        if attribute.startswith("_"):
            continue
        for name, function in inspect.getmembers(type(resource), inspect.isfunction):
            if name.startswith("_"):
                continue
            required = {
                p.name: None
                for p in inspect.signature(function).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
            }
            probe = _Probe()
            getattr(type(resource)(probe), name)(**required)
            op = probe.operation
            found[f"{op.method} {op.path}"] = (attribute, name, op)
    client.close()
    return found


METHODS = _methods()


def _revive(value: Any) -> Any:
    """The JSON markers of synthesize-calls.mjs as Python values."""
    if isinstance(value, list):
        return [_revive(v) for v in value]
    if isinstance(value, dict):
        if isinstance(value.get("$binary"), str):
            return value["$binary"].encode("utf-8")
        return {k: _revive(v) for k, v in value.items()}
    return value


def _typed(codec: Any, value: Any, where: str) -> Any:
    """A synthesised JSON value read into its declared type."""
    return codec.decode(_revive(value), where)


def _squash(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def _auth(call: Dict[str, Any]) -> Any:
    """The call's credentials (keyed by the TypeScript scheme names) as an
    `Auth`, matched to the Python scheme names as synthesize-calls.mjs
    matches spec keys."""
    schemes: Dict[str, Any] = client_module._SCHEMES
    fields: Dict[str, Any] = {}
    for key, value in (call.get("auth") or {}).items():
        ident = next((i for i in schemes if _squash(i) == _squash(key)), None)
        assert ident is not None, f"no Python security scheme for {key!r} in {list(schemes)}"
        if schemes[ident].kind == "basic":
            fields[ident] = runtime.BasicCredentials("user", "pass")
        elif isinstance(value, str):
            fields[ident] = value
        else:
            fields[ident] = "test-credential"
    return sdk.Auth(**fields)


def _arguments(call: Dict[str, Any], op: Any) -> Dict[str, Any]:
    by_name = {(p["in"], p["name"]): p["value"] for p in call.get("params", [])}
    kwargs: Dict[str, Any] = {}
    for p in op.params:
        if (p.location, p.name) in by_name:
            kwargs[p.key] = _typed(p.codec, by_name[(p.location, p.name)], f"{p.location} {p.name}")
    if op.body is not None and "body" in call:
        kwargs[op.body.key] = _typed(op.body.codec, call["body"], "body")
    return kwargs


class _Recorder:
    """Response hooks that keep what the client itself does not return."""

    def __init__(self) -> None:
        self.responses: List[Dict[str, Any]] = []

    def _record(self, response: httpx.Response) -> None:
        raw = response.headers.get("sl-violations")
        try:
            violations = json.loads(raw) if raw else []
        except ValueError:
            violations = [{"severity": "Error", "location": ["request"], "message": f"unparseable sl-violations: {raw}"}]
        self.responses.append(
            {
                "url": str(response.request.url),
                "status": response.status_code,
                "violations": violations if isinstance(violations, list) else [violations],
                "body": response.content,
                "type": response.headers.get("content-type", ""),
            }
        )

    def sync_hook(self, response: httpx.Response) -> None:
        response.read()
        self._record(response)

    async def async_hook(self, response: httpx.Response) -> None:
        await response.aread()
        self._record(response)


def _is_request_error(v: Any) -> bool:
    location = v.get("location") if isinstance(v, dict) else None
    first = location[0] if isinstance(location, list) and location else str(location or "")
    return isinstance(v, dict) and v.get("severity") == "Error" and str(first).startswith("request")


def _judge(
    op: Any, recorder: _Recorder, result: Any, error: Optional[BaseException], request: Any
) -> List[str]:
    assert recorder.responses, f"no response: {error!r}"
    last = recorder.responses[-1]
    problems: List[str] = []
    violations = list(last["violations"])
    if isinstance(error, runtime.ApiError) and isinstance(error.body, dict):
        # Without a declared response for the status, Prism answers with its
        # own problem+json body listing the findings (locations without the
        # "request" prefix).
        for v in error.body.get("validation") or []:
            violations.append({**v, "location": ["request", *([v.get("location")] if isinstance(v.get("location"), str) else v.get("location") or [])]})
    request_errors = [v for v in violations if _is_request_error(v)]
    if last["status"] >= 400:
        problems.append(f"status {last['status']}")
    if request_errors:
        problems.append(f"{len(request_errors)} request violation(s): {json.dumps(request_errors)[:800]}")
    if error is not None and last["status"] < 400:
        response_findings = [v for v in last["violations"] if not _is_request_error(v)]
        problems.append(f"client error on a {last['status']}: {error!r}; Prism's findings on its response: {response_findings}")
    if error is None and op.response == "json" and last["body"]:
        sent = json.loads(last["body"])
        back = runtime.encode_value(result)
        if back != sent:
            problems.append(f"the parsed response does not write back as it came: {json.dumps(back)[:300]} != {json.dumps(sent)[:300]}")
        response_errors = [v for v in last["violations"] if v.get("severity") == "Error" and not _is_request_error(v)]
        if response_errors:
            request.node.user_properties.append(("prism_flags_response", True))
        else:
            try:
                runtime.decode_as(op.decoder, sent, True)
            except runtime.DecodeError as e:
                problems.append(f"a response Prism finds valid does not read strictly: {e}")
    return problems


def _cases() -> List[Any]:
    cases = []
    for call in CALLS:
        for mode in ("sync", "async"):
            marks = [pytest.mark.skip(reason=call["skip"])] if call.get("skip") else []
            cases.append(pytest.param(call, mode, id=f"{mode}-{call['operation']}", marks=marks))
    return cases


@pytest.mark.parametrize(("call", "mode"), _cases())
def test_operation(call: Dict[str, Any], mode: str, request: Any) -> None:
    assert call["operation"] in METHODS, f"no Python method sends {call['operation']}"
    attribute, name, op = METHODS[call["operation"]]
    kwargs = _arguments(call, op)
    recorder = _Recorder()
    options = dict(base_url=BASE_URL, auth=_auth(call), retries=0, timeout=20.0)
    result: Any = None
    error: Optional[BaseException] = None
    if mode == "sync":
        http = httpx.Client(event_hooks={"response": [recorder.sync_hook]})
        with sdk.Client(http_client=http, **options) as client:
            try:
                result = getattr(getattr(client, attribute), name)(**kwargs)
            except (runtime.ApiError, runtime.DecodeError, httpx.HTTPError, ValueError) as e:
                error = e
        http.close()
    else:

        async def run() -> Any:
            http = httpx.AsyncClient(event_hooks={"response": [recorder.async_hook]})
            try:
                async with sdk.AsyncClient(http_client=http, **options) as client:
                    return await getattr(getattr(client, attribute), name)(**kwargs)
            finally:
                await http.aclose()

        try:
            result = asyncio.run(run())
        except (runtime.ApiError, runtime.DecodeError, httpx.HTTPError, ValueError) as e:
            error = e
    problems = _judge(op, recorder, result, error, request)
    assert not problems, f"{call['operation']} ({attribute}.{name}, {mode}): " + "; ".join(problems)
