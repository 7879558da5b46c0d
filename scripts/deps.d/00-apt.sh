#!/usr/bin/env bash
# Debian packages: botocore's service model (drift test), boto3 and the AWS CLI (client suites).
set -euo pipefail
need=()
/usr/bin/python3 -c 'import boto3' 2>/dev/null || need+=(python3-boto3 python3-botocore)
[ -x /usr/bin/aws ] || need+=(awscli)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
