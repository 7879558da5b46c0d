// Command bigdb fills an amplifylite database through the project's SQLite
// store until the file reaches a given size, to measure what the integrity
// check at Open costs on a large database (see internal/store/sqlite/check.go).
//
//	bigdb --db DIR/amplifylite.db --mb 1024 --shape mixed
//
// Shapes: "mixed" gives each app three environments, an API resource per
// environment with generated models (tens of KiB: overflow pages) and 60 jobs;
// "jobs" is only small job rows, the most b-tree cells per byte.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

func main() {
	db := flag.String("db", "", "database file to create or grow")
	mb := flag.Int64("mb", 1024, "stop once the file is at least this many MiB")
	shape := flag.String("shape", "mixed", "mixed or jobs")
	flag.Parse()
	if *db == "" || (*shape != "mixed" && *shape != "jobs") {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	payload := json.RawMessage(`{"appId":"app","backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"x","service":"AppSync","transformSchema":"type Todo @model { id: ID! name: String! description: String }"}}`)
	for i := 0; ; i++ {
		err := s.Update(ctx, func(tx backend.Tx) error {
			for a := range 20 {
				app := fmt.Sprintf("app%07d", i*20+a)
				created := base.Add(time.Duration(i*20+a) * time.Second)
				if err := tx.PutApp(p, &backend.App{ID: app, Name: app, Created: created}); err != nil {
					return err
				}
				envs := []string{"dev", "test", "prod"}
				for _, env := range envs {
					if err := tx.PutEnv(p, &backend.Env{AppID: app, Name: env, Created: created}); err != nil {
						return err
					}
					if *shape == "mixed" {
						r := &backend.Resource{AppID: app, Env: env, Kind: backend.KindAPI, Name: "api1",
							Config: json.RawMessage(`{"apiName":"x","service":"AppSync"}`), Created: created,
							Models: text(rng, 20_000+rng.IntN(40_000)), Introspection: text(rng, 20_000+rng.IntN(40_000))}
						if err := tx.PutResource(p, r); err != nil {
							return err
						}
					}
				}
				jobs := 60
				if *shape == "jobs" {
					jobs = 2000
				}
				for j := range jobs {
					t := created.Add(time.Duration(j) * time.Millisecond)
					job := &backend.Job{ID: fmt.Sprintf("%s-job-%05d", app, j), AppID: app, Envs: envs[j%3 : j%3+1],
						Kind: "create", Operation: "CreateBackendAPI", Status: backend.StatusCompleted,
						Created: t, Updated: t, Due: t, Payload: payload}
					if err := tx.PutJob(p, job); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
		fi, err := os.Stat(*db)
		if err != nil {
			log.Fatal(err)
		}
		if fi.Size() >= *mb<<20 {
			fmt.Printf("%d apps, %d MiB in %v\n", (i+1)*20, fi.Size()>>20, time.Since(start).Round(time.Second))
			break
		}
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
}

// text returns n bytes of code-like text that does not compress to nothing.
func text(rng *rand.Rand, n int) string {
	words := []string{"export", "const", "type", "Todo", "model", "field", "id", "name", "String", "ID", "{", "}", "\n", "@model", "schema", "init", "public"}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[rng.IntN(len(words))])
		b.WriteByte(' ')
		fmt.Fprintf(&b, "%x", rng.Uint32())
	}
	return b.String()
}
