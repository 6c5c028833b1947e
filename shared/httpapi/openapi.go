package httpapi

import (
	_ "embed"
	"slices"
)

// openAPI is the OpenAPI 3.1 document of every route in the route table;
// openapi_test.go holds the two equal, both ways.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the HTTP API (JSON). The
// local server serves it at GET /openapi.json; the deployed API does not,
// so the route table stays equal to template.yaml.
func OpenAPI() []byte { return slices.Clone(openAPI) }
