"""Docs/openapi.yaml against `corridor serve`: the description is valid OpenAPI 3.1, each
documented request's example is valid for its schema and gets a 200 whose body matches
the documented schema, and errors have the documented shape. Uses the release binary."""
import json
import os
import re
import subprocess
import urllib.error
import urllib.request

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELEASE = os.path.join(ROOT, ".build", "release", "corridor")

with open(os.path.join(ROOT, "Docs", "openapi.yaml")) as file:
    SPEC = yaml.safe_load(file)


def schema(reference):
    """A schema whose `$ref`s resolve against the whole description."""
    return {**reference, "components": SPEC["components"]}


@pytest.fixture(scope="module")
def server():
    process = subprocess.Popen([RELEASE, "serve", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
    assert match, "corridor serve did not start"
    yield f"http://127.0.0.1:{match.group(1)}"
    process.terminate()
    assert process.wait(timeout=30) == 0


def call(server, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.headers.get("Content-Type"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read().decode()


def test_the_description_is_valid_openapi():
    validate(SPEC)


@pytest.mark.parametrize("path", sorted(SPEC["paths"]))
def test_each_documented_route_answers_as_described(server, path):
    for method, operation in SPEC["paths"][path].items():
        body = None
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]["application/json"]
            body = content["example"]
            jsonschema.validate(body, schema(content["schema"]), cls=jsonschema.Draft202012Validator)
        status, content_type, text = call(server, method.upper(), path, body)
        assert status == 200, f"{method} {path}: {status} {text[:300]}"
        documented = operation["responses"]["200"]["content"]
        kind = content_type.split(";")[0]
        assert kind in documented, f"{path}: {content_type} not in {list(documented)}"
        if kind == "application/json":
            jsonschema.validate(json.loads(text), schema(documented[kind]["schema"]), cls=jsonschema.Draft202012Validator)


def test_errors_have_the_documented_shape(server):
    status, _, text = call(server, "POST", "/api/run", {"scenario": "baseline", "levers": {"judgesAdded": -5}})
    assert status == 400
    error = json.loads(text)
    jsonschema.validate(error, schema({"$ref": "#/components/schemas/Error"}), cls=jsonschema.Draft202012Validator)
    assert "lies outside its range" in error["error"]["message"]
    bad = {"scenario": "baseline", "memberz": 3}
    with pytest.raises(jsonschema.ValidationError):  # the description refuses unknown keys too
        jsonschema.validate(bad, schema({"$ref": "#/components/schemas/RunRequest"}), cls=jsonschema.Draft202012Validator)
    assert call(server, "POST", "/api/run", bad)[0] == 400
