package main

import (
	"fmt"
	"math"
	"strings"
)

// AWS list prices in us-east-1 (arm64 Lambda, HTTP API, DynamoDB
// on-demand after the November 2024 cut, CloudWatch Logs standard
// ingestion), as published; check the pricing pages before relying on them.
const (
	lambdaPerGBSecond    = 0.0000133334
	lambdaPerMillion     = 0.20
	httpAPIPerMillion    = 1.00
	readUnitPerMillion   = 0.125
	writeUnitPerMillion  = 0.625
	logsPerGB            = 0.50
	cognitoM2MPerMillion = 2250.0 // $2.25 per 1,000 machine-to-machine token requests
	// fullVCPUMemoryMB is where Lambda gives a function one whole vCPU; CPU
	// share scales with memory below it.
	fullVCPUMemoryMB = 1769
	// platformLogBytes approximates Lambda's START, END and REPORT lines
	// per invocation.
	platformLogBytes = 250
)

// cost is one endpoint's estimated AWS bill per million requests.
type cost struct {
	route                            string
	cpuMS, billedMS                  float64
	lambda, api, dynamo, logs, total float64
	readUnits, writeUnits            float64
}

// estimate prices one endpoint from its measured CPU at concurrency 1 (a
// Lambda container serves one request at a time) and its capacity row.
func estimate(r result, c capacityRow, o options) cost {
	calls := float64(countCalls(c.calls))
	cpu := r.cpuPerRequest() * fullVCPUMemoryMB / float64(o.lambdaMemoryMB)
	billed := math.Ceil(cpu + calls*o.dynamoMS)
	e := cost{route: r.sc.route, cpuMS: r.cpuPerRequest(), billedMS: billed,
		readUnits: c.usage.billedRead, writeUnits: c.usage.write + c.usage.indexWrite}
	e.lambda = billed/1000*float64(o.lambdaMemoryMB)/1024*lambdaPerGBSecond*1e6 + lambdaPerMillion
	e.api = httpAPIPerMillion
	e.dynamo = e.readUnits*readUnitPerMillion + e.writeUnits*writeUnitPerMillion
	e.logs = (r.logPerRequest() + platformLogBytes) * 1e6 / 1e9 * logsPerGB
	e.total = e.lambda + e.api + e.dynamo + e.logs
	return e
}

// writeCosts writes the cost table: one row per endpoint measured at
// concurrency 1 that has a capacity row.
func writeCosts(b *strings.Builder, results []result, capacity []capacityRow, o options) {
	fmt.Fprintf(b, "Estimated AWS cost per million requests (us-east-1 list prices; Lambda arm64 at %d MB, "+
		"duration = server CPU × %d/%d + %.0f ms per DynamoDB call, rounded up to the millisecond):\n\n",
		o.lambdaMemoryMB, fullVCPUMemoryMB, o.lambdaMemoryMB, o.dynamoMS)
	b.WriteString("| endpoint | CPU ms | billed Lambda ms | Lambda $ | HTTP API $ | DynamoDB $ (RRU, WRU) | logs $ | total $ per million | vs Cognito M2M ($2,250 per million tokens) |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		if r.concurrency != 1 {
			continue
		}
		for _, c := range capacity {
			if c.scenario != r.sc.key {
				continue
			}
			e := estimate(r, c, o)
			vs := "—"
			if r.sc.key == "token" {
				vs = fmt.Sprintf("%.0f× cheaper", cognitoM2MPerMillion/e.total)
			}
			fmt.Fprintf(b, "| %s | %.3f | %.0f | %.2f | %.2f | %.3f (%.1f, %.1f) | %.2f | **%.2f** | %s |\n",
				e.route, e.cpuMS, e.billedMS, e.lambda, e.api, e.dynamo, e.readUnits, e.writeUnits, e.logs, e.total, vs)
		}
	}
	b.WriteString("\n")
}
