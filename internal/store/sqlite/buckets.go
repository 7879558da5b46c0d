package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Buckets lists the partition's buckets and the shared ones by name; a
// partition's bucket hides a shared one of the same name.
func (t *tx) Buckets(p backend.Partition) ([]backend.Bucket, error) {
	bs, err := list[backend.Bucket](t, qBuckets, p.Account, p.Region)
	return bs, wrap("list buckets", err)
}

func (t *tx) PutBucket(p backend.Partition, b *backend.Bucket) error {
	data, err := encodeBucket(b)
	if err != nil {
		return fmt.Errorf("put bucket: %w", err)
	}
	return wrap("put bucket", t.exec(qPutBucket, p.Account, p.Region, b.Name, data))
}

// DeleteBucket removes the partition's bucket; shared buckets stay.
func (t *tx) DeleteBucket(p backend.Partition, name string) error {
	return wrap("delete bucket", t.exec(qDeleteBucket, p.Account, p.Region, name))
}

// EnsureSharedBucket records b unless a shared bucket of that name exists.
func (t *tx) EnsureSharedBucket(b *backend.Bucket) error {
	data, err := encodeBucket(b)
	if err != nil {
		return fmt.Errorf("ensure shared bucket: %w", err)
	}
	return wrap("ensure shared bucket", t.exec(qEnsureSharedBucket, b.Name, data))
}

func encodeBucket(b *backend.Bucket) ([]byte, error) {
	c := *b
	c.Created = c.Created.UTC()
	return json.Marshal(&c)
}

// Statements.
var (
	qBuckets = query(`SELECT data FROM (
			SELECT name, data FROM buckets WHERE account = ?1 AND region = ?2
			UNION ALL
			SELECT name, data FROM shared_buckets
			WHERE name NOT IN (SELECT name FROM buckets WHERE account = ?1 AND region = ?2)
		) ORDER BY name`)
	qPutBucket = query(`INSERT INTO buckets (account, region, name, data) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`)
	qDeleteBucket       = query(`DELETE FROM buckets WHERE account = ? AND region = ? AND name = ?`)
	qEnsureSharedBucket = query(`INSERT INTO shared_buckets (name, data) VALUES (?, ?)
		ON CONFLICT DO NOTHING`)
)
