package sqlite

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// WAL file format (https://www.sqlite.org/fileformat2.html#walformat): a
// 32-byte header, then frames of a 24-byte header and one page. Every frame
// carries the header's salts and a checksum chained from the previous
// frame's; a frame with a commit size ends a transaction.
const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	walMagicLE         = 0x377f0682 // checksum words are little-endian
	walMagicBE         = 0x377f0683 // big-endian
)

// walDamage scans the WAL file at path for damage that opening the database
// would silently discard, and describes it ("" when there is none or no
// file). SQLite's recovery keeps the frames up to the last commit before the
// first frame that fails its checksum and drops the rest, which is right for
// a transaction torn by a crash. It is wrong when a later transaction
// committed after that frame: the store commits a transaction only once the
// previous commit is on disk (the group commit in commit.go fsyncs the WAL
// before it lets the next COMMIT run), so two commit frames
// found after the bad one, linked by checksums (the second transaction
// chained onto the first), prove the bad frame was once whole. A damaged WAL header cannot be
// told from one being rewritten when a crash struck, so it is not reported.
func walDamage(path string) (string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	hdr := make([]byte, walHeaderSize)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return "", ignoreShort(err)
	}
	magic := binary.BigEndian.Uint32(hdr)
	pageSize := binary.BigEndian.Uint32(hdr[8:])
	if magic != walMagicLE && magic != walMagicBE || pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return "", nil // SQLite ignores such a file
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if magic == walMagicBE {
		order = binary.BigEndian
	}
	s1, s2 := walChecksum(order, 0, 0, hdr[:24])
	if s1 != binary.BigEndian.Uint32(hdr[24:]) || s2 != binary.BigEndian.Uint32(hdr[28:]) {
		return "", nil
	}
	salts := hdr[16:24]
	frame := make([]byte, walFrameHeaderSize+int(pageSize))
	var (
		bad         int    // 1-based number of the first frame that fails, 0 while none has
		prev1       uint32 // stored checksum of the previous frame
		prev2       uint32
		afterCommit bool // after bad: a commit frame was seen and every frame since it is linked
	)
	for n := 1; ; n++ {
		if _, err := io.ReadFull(r, frame); err != nil {
			return "", ignoreShort(err)
		}
		stored1, stored2 := binary.BigEndian.Uint32(frame[16:]), binary.BigEndian.Uint32(frame[20:])
		seed1, seed2 := s1, s2 // the running chain until the first bad frame
		if bad != 0 {
			seed1, seed2 = prev1, prev2
		}
		c1, c2 := walChecksum(order, seed1, seed2, frame[:8])
		c1, c2 = walChecksum(order, c1, c2, frame[walFrameHeaderSize:])
		ok := string(frame[8:16]) == string(salts) && c1 == stored1 && c2 == stored2
		prev1, prev2 = stored1, stored2
		commit := binary.BigEndian.Uint32(frame[4:]) != 0
		switch {
		case bad == 0 && ok:
			s1, s2 = c1, c2
		case bad == 0:
			bad = n
		case !ok:
			afterCommit = false
		case commit && afterCommit:
			return fmt.Sprintf("WAL file %s: frame %d fails its checksum, and transactions committed after it follow (frame %d); opening would discard them", path, bad, n), nil
		case commit:
			afterCommit = true
		}
	}
}

// ignoreShort treats the end of the file, or a partial last frame, as the
// end of the scan.
func ignoreShort(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// walChecksum extends the checksum (s1, s2) over b, a multiple of 8 bytes
// read as 32-bit words in order.
func walChecksum(order binary.ByteOrder, s1, s2 uint32, b []byte) (uint32, uint32) {
	for i := 0; i+8 <= len(b); i += 8 {
		s1 += order.Uint32(b[i:]) + s2
		s2 += order.Uint32(b[i+4:]) + s1
	}
	return s1, s2
}
