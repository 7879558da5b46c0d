package httpapi

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
)

// requestIDs hands out request ids shaped like AWS's (version-4 UUIDs): a
// random 64-bit prefix drawn once per process and a 64-bit counter, so that
// ids are unique across restarts without a random draw per request.
type requestIDs struct {
	prefix [8]byte
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	g := new(requestIDs)
	rand.Read(g.prefix[:])
	g.prefix[6] = g.prefix[6]&0x0f | 0x40 // version 4
	var start [8]byte
	rand.Read(start[:])
	g.n.Store(binary.BigEndian.Uint64(start[:]))
	return g
}

// next returns a new id.
func (g *requestIDs) next() string {
	var u [16]byte
	copy(u[:8], g.prefix[:])
	binary.BigEndian.PutUint64(u[8:], g.n.Add(1))
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}
