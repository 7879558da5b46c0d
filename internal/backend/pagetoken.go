package backend

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Page tokens are opaque to clients: base64url(JSON cursor) "." base64url(MAC).
// The MAC, keyed with the database's secret, binds the cursor to the
// partition, app, environment and filters, so a forged, altered or foreign
// token is refused. A random nonce makes every token unique.

type pageCursor struct {
	Created int64  `json:"c"` // UnixMilli
	JobID   string `json:"j"`
	Nonce   []byte `json:"n"`
}

func (s *Service) pageMAC(p Partition, app, env string, q JobQuery, payload []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	for _, part := range []string{"ListBackendJobs", p.Account, p.Region, app, env, q.JobID, q.Operation, q.Status} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	m.Write(payload)
	return m.Sum(nil)
}

func (s *Service) encodePageToken(p Partition, app, env string, q JobQuery, c JobCursor) string {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	payload, _ := json.Marshal(pageCursor{Created: c.Created.UnixMilli(), JobID: c.JobID, Nonce: nonce})
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.pageMAC(p, app, env, q, payload))
}

func (s *Service) decodePageToken(tok string, p Partition, app, env string, q JobQuery) (*JobCursor, error) {
	invalid := badRequestf("The nextToken is invalid: it was not issued for this appId, backendEnvironmentName and filters")
	enc := base64.RawURLEncoding
	a, b, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, invalid
	}
	payload, err1 := enc.DecodeString(a)
	mac, err2 := enc.DecodeString(b)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.pageMAC(p, app, env, q, payload)) {
		return nil, invalid
	}
	var c pageCursor
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, invalid
	}
	return &JobCursor{Created: time.UnixMilli(c.Created).UTC(), JobID: c.JobID}, nil
}
