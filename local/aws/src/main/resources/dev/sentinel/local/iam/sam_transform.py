# Expands template.yaml to plain CloudFormation with the SAM translator, as `sam package` + `sam deploy` would:
# local CodeUris become S3 locations first, since the transform accepts nothing else.
# Usage: python3 sam_transform.py TEMPLATE  (prints JSON; needs AWS_DEFAULT_REGION)
import json
import sys

from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform


class NoManagedPolicyLookups:
    """The template names managed policies by ARN only, so the translator never needs IAM to look one up."""

    def load(self):
        return {}


def main(path):
    with open(path, encoding="utf-8") as source:
        template, problems = decode_str(source.read())
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://sentinel-artifacts/" + name + ".zip"
    json.dump(transform(template, {}, NoManagedPolicyLookups()), sys.stdout, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
