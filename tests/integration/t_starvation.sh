#!/bin/sh
# A starvation flood against one server of a failover pair: the partner's
# share untouched, existing clients renewing, the drops counted (issue 12);
# see starvation_test.py.
exec python3 "$(dirname "$0")/starvation_test.py"
