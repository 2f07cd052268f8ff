#!/usr/bin/env bash
# Lints infra/template.yaml offline with AWS's CloudFormation linter (the Python cfn-lint, 1.x), which
# expands the SAM transform itself and checks every resource against CloudFormation's schemas, IAM
# action names and references. Informational rules (I*) are on: the template is clean of them too.
#
# Not the npm package named cfn-lint: that is another, unmaintained project whose resource list stops
# around 2019 (no AWS::Serverless::HttpApi, no DynamoDB DeletionProtectionEnabled, no SES SnsDestination),
# so it rejects this template, and the table-only one before it, for properties CloudFormation accepts.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v cfn-lint >/dev/null 2>&1; then
    echo "cfn-lint not found: install AWS's linter with 'pip install cfn-lint' (it runs offline once installed)" >&2
    exit 2
fi

cfn-lint --include-checks I --regions us-east-1 eu-west-1 -- template.yaml
echo "$(cfn-lint --version): template.yaml has no error, warning or informational finding"
