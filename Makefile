# Entry points; the work is in scripts/.
# Ports of make dev, make stop, ddb-start and ddb-stop: make dev PORT=9080 DDB_PORT=9000.
# PORT is read from the command line only (a PORT in the environment is often another program's).
PORT = 8080
DDB_PORT ?= 8000

.PHONY: test dev stop sam-check audit ddb-start ddb-stop soak bench fuzz walkthrough

# The whole check in timed phases (CI runs it): go vet, go test on a private
# DynamoDB Local (fuzz seed corpora included), the README walk-through,
# schemathesis, sam validate --lint and sam build; ends with one summary line.
test:
	scripts/test.sh

# DynamoDB Local on DDB_PORT, the table, the walk-through's clients and user,
# .cache/dev.env, .bin/latchkey, then every route on 127.0.0.1:PORT. Ctrl-C
# stops it and DynamoDB Local; KEEP=1 keeps DynamoDB Local (and its data).
dev:
	PORT=$(PORT) DDB_PORT=$(DDB_PORT) KEEP=$(KEEP) scripts/dev.sh

# Stops a running make dev and this checkout's DynamoDB Local.
stop:
	$(if $(filter-out file default,$(origin DDB_PORT)),DDB_PORT=$(DDB_PORT)) scripts/dev.sh stop

# The README walk-through, run as written against a fresh make dev stack on
# free ports (make test runs it).
walkthrough:
	scripts/walkthrough.sh

# The SAM template lints clean, so does the CloudFormation it translates to
# (cfn-lint, offline), and every function builds (functions/Makefile: one
# go build for all six, Go's build cache reused).
sam-check:
	scripts/sam.sh validate --lint
	scripts/cfn-lint.sh
	scripts/sam.sh build

# Security audit of template.yaml with checkov (pinned; not part of make test).
# The checks it skips are listed, each with its reason, in scripts/audit.sh.
audit:
	scripts/audit.sh

# Concurrency soak: 1,000 rounds on a private DynamoDB Local (make test runs 50);
# LATCHKEY_SOAK_ROUNDS=N make soak for another count.
soak:
	scripts/soak.sh

# Load benchmark (not part of test): DynamoDB Local + latchkey serve on free
# ports, every endpoint at concurrency 1, 8, 32 (BENCH_SECONDS each, default
# 10), Lambda sizes and start-up; prints the tables and updates docs/performance.md.
bench:
	scripts/bench.sh

# Every Go fuzz target for FUZZTIME each (default 60s), one at a time,
# printing executions and result per target. Not part of make test, whose
# go test runs every target's seed corpus.
fuzz:
	scripts/fuzz.sh

ddb-start:
	scripts/dynamodb-local.sh start $(DDB_PORT)

ddb-stop:
	scripts/dynamodb-local.sh stop $(DDB_PORT)
