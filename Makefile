# Entry points; the work is in scripts/.
DDB_PORT ?= 8000

.PHONY: test dev sam-check ddb-start ddb-stop soak bench fuzz

# go vet, go test against a private DynamoDB Local, then sam-check (CI runs this).
test:
	scripts/test.sh

# DynamoDB Local on 8000, table, demo data, `latchkey serve` on 127.0.0.1:8080.
dev:
	scripts/dev.sh

# The SAM template lints clean and every function builds.
sam-check:
	scripts/sam.sh validate --lint
	scripts/sam.sh build

# Concurrency soak: 1,000 rounds on a private DynamoDB Local (make test runs 50);
# LATCHKEY_SOAK_ROUNDS=N make soak for another count.
soak:
	scripts/soak.sh

# Load benchmark (not part of test): DynamoDB Local + latchkey serve on free
# ports, every endpoint at concurrency 1, 8, 32 (BENCH_SECONDS each, default
# 10), Lambda sizes and start-up; prints the tables and updates docs/performance.md.
bench:
	scripts/bench.sh

# Every Go fuzz target for FUZZTIME each (default 60s; make test runs 2s each),
# one at a time, printing executions and result per target.
fuzz:
	scripts/fuzz.sh

ddb-start:
	scripts/dynamodb-local.sh start $(DDB_PORT)

ddb-stop:
	scripts/dynamodb-local.sh stop $(DDB_PORT)
