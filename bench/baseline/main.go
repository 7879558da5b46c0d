// Command baseline is the yardstick amplifylite is measured against: a bare
// net/http server that answers the routes the benchmarks use with fixed
// bodies and keeps no state. Whatever amplifylite costs beyond it is the price
// of routing, validation, the domain and the store.
//
//	baseline --listen 127.0.0.1:PORT [--bodies DIR]
//
// DIR holds one file per operation (GetBackend.json, ...): the bodies
// amplifylite answered for the same requests, so both send the same bytes.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// routes maps each ServeMux pattern to the operation whose body it answers.
var routes = map[string]string{
	"GET /_amplifylite/health":                        "Health",
	"POST /backend":                                   "CreateBackend",
	"POST /backend/{appId}/details":                   "GetBackend",
	"GET /backend/{appId}/job/{env}/{jobId}":          "GetBackendJob",
	"POST /backend/{appId}/job/{env}/{jobId}":         "UpdateBackendJob",
	"POST /backend/{appId}/job/{env}":                 "ListBackendJobs",
	"POST /backend/{appId}/challenge":                 "CreateToken",
	"POST /backend/{appId}/api":                       "CreateBackendAPI",
	"POST /backend/{appId}/auth":                      "CreateBackendAuth",
	"POST /backend/{appId}/storage":                   "CreateBackendStorage",
	"GET /backend/{appId}/challenge/{sessionId}":      "GetToken",
	"POST /backend/{appId}/api/{env}/details":         "GetBackendAPI",
	"POST /backend/{appId}/storage/{env}/details":     "GetBackendStorage",
	"POST /backend/{appId}/auth/{env}/details":        "GetBackendAuth",
	"POST /backend/{appId}/environments/{env}/remove": "DeleteBackend",
}

// fallback bodies, used when --bodies has no file for an operation.
const jobBody = `{"appId":"bench","backendEnvironmentName":"dev","jobId":"00000000-0000-4000-8000-000000000000","operation":"CreateBackendAPI","status":"RUNNING"}`

var fallback = map[string]string{
	"Health":          `{"status":"ok","store":"none","version":"baseline"}`,
	"GetBackend":      `{"appId":"bench","appName":"bench","backendEnvironmentList":["dev"],"backendEnvironmentName":"dev","amplifyMetaConfig":"{}","amplifyFeatureFlags":"{}"}`,
	"ListBackendJobs": `{"jobs":[]}`,
	"CreateToken":     `{"appId":"bench","challengeCode":"123456","sessionId":"00000000-0000-4000-8000-000000000000","ttl":"1800000000"}`,
}

func main() {
	listen := flag.String("listen", "127.0.0.1:4751", "address to listen on")
	bodies := flag.String("bodies", "", "directory of recorded response bodies, one OPERATION.json each")
	flag.Parse()

	mux := http.NewServeMux()
	for pattern, op := range routes {
		body := []byte(fallback[op])
		if len(body) == 0 {
			body = []byte(jobBody)
		}
		if *bodies != "" {
			if b, err := os.ReadFile(filepath.Join(*bodies, op+".json")); err == nil {
				body = b
			}
		}
		mux.HandleFunc(pattern, answer(body))
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "baseline listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// answer reads the request body, as a real handler must, and writes body.
func answer(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["x-amzn-RequestId"] = []string{"00000000-0000-4000-8000-000000000000"}
		w.Write(body)
	}
}
