#!/bin/sh
# Operator actions on a failover pair and a partner that stops answering its
# clients, with real clients in namespaces: see operator_test.py.
exec python3 "$(dirname "$0")/operator_test.py"
