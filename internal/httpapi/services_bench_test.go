package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/amplifylite/amplifylite/internal/awsproto"
)

// BenchmarkServiceFor is what the dispatch to other services adds to every
// AmplifyBackend request: a signed one and an unsigned one.
func BenchmarkServiceFor(b *testing.B) {
	opts := Options{Services: map[string]awsproto.Handler{"s3": nil, "sts": nil, "amplify": nil, "cloudformation": nil},
		Public: map[string]awsproto.Handler{"/AppState": nil, "/app/": nil}}
	s := &Server{opts: opts, public: publicServices(opts.Public)}
	signed := httptest.NewRequest("POST", "/backend/app1/details", nil)
	signed.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	unsigned := httptest.NewRequest("POST", "/backend/app1/details", nil)
	for name, r := range map[string]*http.Request{"signed": signed, "unsigned": unsigned} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, h := s.serviceFor(r); h != nil {
					b.Fatal("dispatched")
				}
			}
		})
	}
}
