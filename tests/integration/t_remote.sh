#!/bin/sh
# Remote management over mutual TLS, roles, refusals and the audit log, in
# network namespaces (docs/REMOTE.md): see remote_test.py.
exec python3 "$(dirname "$0")/remote_test.py"
