// Command authorize is the Lambda function serving Latchkey's browser
// sign-in: the authorization endpoint, the login and consent pages and
// RP-initiated logout (see shared/httpapi's route table).
package main

import (
	"context"
	"log"
	"os"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/lambdahttp"
)

func main() {
	a, err := app.FromEnv(context.Background(), os.LookupEnv)
	if err != nil {
		log.Fatal(err) // an init error: Lambda reports it and retries the cold start
	}
	lambdahttp.Start(a.Handler(httpapi.FunctionAuthorize))
}
