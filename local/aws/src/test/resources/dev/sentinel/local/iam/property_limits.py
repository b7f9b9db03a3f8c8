# Prints, for the resource types named on stdin (a JSON array), the length and pattern limits CloudFormation's
# resource schemas put on their top-level string properties, as cfn-lint ships them: {type: {property: limits}}.
import json
import sys

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER


def limits_of(schema, prop):
    ref = prop.get("$ref", "")
    if ref.startswith("#/definitions/"):
        prop = schema.get("definitions", {}).get(ref[len("#/definitions/"):], {})
    return {k: prop[k] for k in ("maxLength", "minLength", "pattern") if k in prop}


def main():
    found = {}
    for type_name in json.load(sys.stdin):
        try:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", type_name).schema
        except Exception:  # a type cfn-lint has no schema for has no limits to check
            continue
        found[type_name] = {name: limits for name, prop in schema.get("properties", {}).items()
                            if (limits := limits_of(schema, prop))}
    json.dump(found, sys.stdout)


main()
