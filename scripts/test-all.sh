#!/usr/bin/env bash
# `npm test`: every test the project has, in the order a failure is cheapest to find.
# The PostgreSQL pass runs when PG_TEST_URL names a server (.ci/run starts one and sets it).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "typecheck"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "unit, property, simulation and integration tests (PGlite, real validator processes)"; npm run --silent test:unit
if [ -n "${PG_TEST_URL:-}" ]; then
  step "server suites again on PostgreSQL ($PG_TEST_URL)"; npm run --silent test:pg
else
  step "PG_TEST_URL unset: skipping the PostgreSQL pass (CI runs it; see README)"
fi
step "end-to-end tests in Chromium"; npm run --silent test:e2e
