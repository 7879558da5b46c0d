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
	prefix [19]byte // the prefix's text: "xxxxxxxx-xxxx-4xxx-"
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	g := new(requestIDs)
	var prefix [8]byte
	rand.Read(prefix[:])
	prefix[6] = prefix[6]&0x0f | 0x40 // version 4
	hex.Encode(g.prefix[0:8], prefix[0:4])
	g.prefix[8] = '-'
	hex.Encode(g.prefix[9:13], prefix[4:6])
	g.prefix[13] = '-'
	hex.Encode(g.prefix[14:18], prefix[6:8])
	g.prefix[18] = '-'
	var start [8]byte
	rand.Read(start[:])
	g.n.Store(binary.BigEndian.Uint64(start[:]))
	return g
}

// next returns a new id.
func (g *requestIDs) next() string {
	var u [8]byte
	binary.BigEndian.PutUint64(u[:], g.n.Add(1))
	u[0] = u[0]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	copy(s[:19], g.prefix[:])
	hex.Encode(s[19:23], u[0:2])
	s[23] = '-'
	hex.Encode(s[24:], u[2:])
	return string(s[:])
}
