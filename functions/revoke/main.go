// Command revoke is the Lambda function serving Latchkey's revoke routes
// (see shared/httpapi's route table).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/lambdahttp"
)

func main() {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(1)
	}
	lambdahttp.Start(a.Handler(httpapi.FunctionRevoke))
}
