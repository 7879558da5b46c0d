// Command bigschema measures what a large transform schema costs a running
// amplifylite: how long its CreateBackendAPI and GenerateBackendAPIModels jobs
// take, and how long another app's writes wait meanwhile.
//
//	go run ./bench/bigschema -url http://127.0.0.1:4750 -types 500,1000,2000,4000
//	go run ./bench/bigschema -types 2000 -write big.graphql    # only write the schema
//
// Start the server with --job-duration 0 so that a job's time is its work.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:4750", "amplifylite's address")
	types := flag.String("types", "500,1000,2000", "schema sizes (number of @model types)")
	shape := flag.String("shape", "star", "star (every type joined to T0 by @manyToMany) or chain (Ti to Ti+1)")
	write := flag.String("write", "", "only write the schema of the first size in -types to this file (for bench/run.sh's model generation section)")
	flag.Parse()
	if *write != "" {
		n, err := strconv.Atoi(strings.Split(*types, ",")[0])
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*write, []byte(schemaOf(n, *shape)), 0o644); err != nil {
			log.Fatal(err)
		}
		return
	}
	fmt.Printf("| types | schema KiB | CreateBackendAPI job | GenerateBackendAPIModels job | other app's writes meanwhile: n, p50, max |\n|---|---|---|---|---|\n")
	for _, s := range strings.Split(*types, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			log.Fatal(err)
		}
		run(*url, n, *shape)
	}
}

func run(url string, n int, shape string) {
	schema := schemaOf(n, shape)
	app := fmt.Sprintf("big%d-%d", n, time.Now().UnixNano())
	job(url, app, "/backend", map[string]any{"appId": app, "appName": app, "backendEnvironmentName": "dev"})

	stop := make(chan struct{})
	var waits []time.Duration
	var wg sync.WaitGroup
	wg.Go(func() { // another app's writes: challenge tokens, one after another
		other := "other-" + app
		job(url, other, "/backend", map[string]any{"appId": other, "appName": other, "backendEnvironmentName": "dev"})
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			call(url, "POST", "/backend/"+other+"/challenge", nil)
			waits = append(waits, time.Since(start))
			time.Sleep(20 * time.Millisecond)
		}
	})
	create := job(url, app, "/backend/"+app+"/api", map[string]any{"backendEnvironmentName": "dev", "resourceName": "api",
		"resourceConfig": map[string]any{"apiName": "api", "transformSchema": schema}})
	gen := job(url, app, "/backend/"+app+"/api/dev/generateModels", map[string]any{"resourceName": "api"})
	close(stop)
	wg.Wait()
	slices.Sort(waits)
	var p50, worst time.Duration
	if len(waits) > 0 {
		p50, worst = waits[len(waits)/2], waits[len(waits)-1]
	}
	fmt.Printf("| %d | %d | %v | %v | %d, %v, %v |\n", n, len(schema)/1024, create.Round(time.Millisecond), gen.Round(time.Millisecond),
		len(waits), p50.Round(time.Millisecond), worst.Round(time.Millisecond))
}

// job starts a job and returns how long it took until it left RUNNING; it
// must end COMPLETED.
func job(url, app, path string, body map[string]any) time.Duration {
	start := time.Now()
	out := call(url, "POST", path, body)
	id, _ := out["jobId"].(string)
	for {
		got := call(url, "GET", "/backend/"+app+"/job/dev/"+id, nil)
		switch got["status"] {
		case "COMPLETED":
			return time.Since(start)
		case "FAILED":
			log.Fatalf("%s: job failed: %v", path, got["error"])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func call(url, method, path string, body map[string]any) map[string]any {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			log.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url+path, bytes.NewReader(raw))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 {
		log.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return out
}

// schemaOf returns n @model types joined by @manyToMany.
func schemaOf(n int, shape string) string {
	var b strings.Builder
	if shape == "chain" {
		for i := range n {
			fmt.Fprintf(&b, "type T%d @model {\n  id: ID!\n  name: String!\n", i)
			if i > 0 {
				fmt.Fprintf(&b, "  prev: [T%d] @manyToMany(relationName: \"R%d\")\n", i-1, i)
			}
			if i < n-1 {
				fmt.Fprintf(&b, "  next: [T%d] @manyToMany(relationName: \"R%d\")\n", i+1, i+1)
			}
			b.WriteString("}\n\n")
		}
		return b.String()
	}
	b.WriteString("type T0 @model {\n  id: ID!\n  name: String!\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  t%d: [T%d] @manyToMany(relationName: \"R%d\")\n", i, i, i)
	}
	b.WriteString("}\n\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "type T%d @model {\n  id: ID!\n  name: String!\n  hub: [T0] @manyToMany(relationName: \"R%d\")\n}\n\n", i, i)
	}
	return b.String()
}
