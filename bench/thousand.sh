#!/usr/bin/env bash
# 1,000 databases in one pgferry: bench/overview.sh with 1,000 databases on 4 PostgreSQL 15
# sources, 100 of them streaming into one PostgreSQL 18 (what this 2-core machine, which also runs
# the five servers, holds: with 200 the copies crawl), the other 900 observed in plan mode.
#   bash bench/thousand.sh [--streaming=100] [--seconds=300] [--rows=50] [...overview.sh options]
set -euo pipefail
exec bash "$(dirname "$0")/overview.sh" --databases=1000 --sources=4 --streaming=100 --rows=50 "$@"
