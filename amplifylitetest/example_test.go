package amplifylitetest_test

import (
	"fmt"
	"io"
	"net/http"
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
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post("/backend", `{"appId":"a","appName":"n","backendEnvironmentName":"dev"}`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := post("/backend/a/details", `{}`); strings.Contains(got, `"backendEnvironmentList":["dev"]`) {
			return
		}
		time.Sleep(2 * time.Millisecond) // polling, as clients do; the job itself has no delay
	}
	t.Fatal("environment never appeared")
}
