package amplifylitetest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/amplifylitetest"
)

func Example() {
	s, err := amplifylitetest.Start(amplifylitetest.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	// Any AWS SDK works too: set its endpoint to s.URL.
	resp, err := http.Post(s.URL+"/backend", "application/json",
		strings.NewReader(`{"appId":"d1example","appName":"demo","backendEnvironmentName":"dev"}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(body), `"status":"RUNNING"`))
	// Output: 200 true
}

func TestNew_JobsCompleteAtOnce(t *testing.T) {
	s := amplifylitetest.New(t)
	post := func(path, body string) string {
		resp, err := http.Post(s.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	created := post("/backend", `{"appId":"a","appName":"n","backendEnvironmentName":"dev"}`)
	var job struct{ JobID string }
	if err := json.Unmarshal([]byte(created), &job); err != nil || job.JobID == "" {
		t.Fatalf("CreateBackend: %s", created)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		got := get(t, s.URL+"/backend/a/job/dev/"+job.JobID)
		if strings.Contains(got, `"status":"RUNNING"`) {
			time.Sleep(2 * time.Millisecond) // polling, as clients do
			continue
		}
		var j struct{ Status, CreateTime, UpdateTime string }
		if err := json.Unmarshal([]byte(got), &j); err != nil {
			t.Fatalf("GetBackendJob: %s", got)
		}
		created, _ := strconv.ParseInt(j.CreateTime, 10, 64)
		updated, _ := strconv.ParseInt(j.UpdateTime, 10, 64)
		// The job was due when it was created: it finished as soon as the
		// runner saw it, not after a job duration (the server's default is 1 s).
		if j.Status != "COMPLETED" || updated-created >= 1000 {
			t.Fatalf("job: %s", got)
		}
		if got := post("/backend/a/details", `{}`); !strings.Contains(got, `"backendEnvironmentList":["dev"]`) {
			t.Fatalf("GetBackend after the job: %s", got)
		}
		return
	}
	t.Fatal("job still RUNNING")
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
