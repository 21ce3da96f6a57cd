"""The OpenAPI schema names its components by class name: two different schemas of one name
make one of them describe the other's responses (the metrics records were described as the
volunteering records that way)."""

from __future__ import annotations

import importlib
import pkgutil

from ninja import Schema

import qingyi.api


def test_no_two_different_api_schemas_share_a_name():
    seen: dict[str, type] = {}
    clashes = []
    for module in pkgutil.iter_modules(qingyi.api.__path__):
        namespace = vars(importlib.import_module(f"qingyi.api.{module.name}"))
        for obj in namespace.values():
            if not (
                isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__.startswith("qingyi.")
            ):
                continue
            other = seen.setdefault(obj.__name__, obj)
            if other is not obj and other.model_json_schema() != obj.model_json_schema():
                clashes.append(f"{obj.__name__}: {other.__module__} and {obj.__module__}")
    assert not clashes, clashes


def test_the_metrics_records_are_described_as_metric_records(client, personas):
    schema = client.get("/api/v1/openapi.json").json()
    records = schema["paths"]["/api/v1/metrics/{name}/records"]["get"]["responses"]["200"]
    ref = records["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    items = schema["components"]["schemas"][ref]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][items]["properties"]) == {"id", "text", "values"}
