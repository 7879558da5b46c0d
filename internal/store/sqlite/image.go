package sqlite

import "encoding/binary"

// A new database of the latest schema is written from an image instead of
// being built with SQL: building it (SQLite parsing and running the
// schema's DDL, recording the versions and the secret, the switch to WAL)
// took ~4.8 M instructions, 40 % of a start with a new data directory;
// writing the image is a copy of ~70 kB. The image is the file that
// buildFile makes with imageSecret and imageTime (image_data.go, generated
// by TestImage_SameAsBuilt, which fails when a schema change or a new
// SQLite makes another file: `go test ./internal/store/sqlite -run
// TestImage -update` writes it again). newImage puts a database's own
// secret and time in their places, which gives the file buildFile would
// make with them: SQLite pages carry no checksums, and both values keep
// their sizes (a 32-byte blob; an integer stored in 8 bytes, SQLite's
// choice for any time after 1970-01-02).

// imageSecret and imageTime are the placeholders of the image: the secret
// and the time the versions were applied at.
var imageSecret = []byte("amplifylite image secret 7e5ec0d")

const imageTime int64 = 0x7e5ec0de_7e5ec0de

// newImage returns the file of a new database of the latest schema, in WAL
// mode, with secret and versions applied at now (Unix nanoseconds).
func newImage(secret []byte, now int64) []byte {
	b := make([]byte, imageSize)
	for _, r := range imageRuns {
		copy(b[r.at:], r.data)
	}
	copy(b[imageSecretAt:imageSecretAt+len(imageSecret)], secret)
	for _, at := range imageTimeAt {
		binary.BigEndian.PutUint64(b[at:], uint64(now))
	}
	return b
}

// imageRun is a run of an image's bytes; the bytes between runs are zero.
type imageRun struct {
	at   int
	data string
}
