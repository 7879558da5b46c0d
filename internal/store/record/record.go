// Package record is what the two SQL stores, internal/store/sqlite and
// internal/store/postgres, share: how the domain's records are kept in rows
// (one JSON document per record, times in UTC, a job's payload in a column
// of its own), the backend.Tx methods in which the stores differ only by
// their SQL text, and the bookkeeping of numbered migrations. An adapter
// supplies its Dialect (SQL text, how it binds times) and a DB that runs
// statements in its transaction; it keeps its concurrency strategy.
package record

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// DB runs one adapter's statements inside its current transaction.
type DB interface {
	// Exec runs a statement that writes.
	Exec(q string, args ...any) error
	// ExecCount runs a statement that writes and returns how many rows it
	// inserted, updated or deleted.
	ExecCount(q string, args ...any) (int64, error)
	// QueryRow runs a query for one row; its Scan returns an error that
	// matches sql.ErrNoRows when there is none.
	QueryRow(q string, args ...any) Row
	// Query runs a query for any number of rows.
	Query(q string, args ...any) (Rows, error)
}

// Row is the result of DB.QueryRow.
type Row interface {
	Scan(dest ...any) error
}

// Rows is the result of DB.Query.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// ErrReadOnly is returned by writes inside View.
var ErrReadOnly = errors.New("write in a read-only transaction")

// FailedRow is a Row whose Scan returns err, for a query that could not run.
func FailedRow(err error) Row { return failedRow{err} }

type failedRow struct{ err error }

func (r failedRow) Scan(...any) error { return r.err }

// Dialect is an adapter's SQL. Every statement takes the record's key
// columns in order, starting with (account, region), and a statement that
// stores a record takes its JSON document (data) last; a query that returns
// records returns their data column.
type Dialect struct {
	// Time is t as the value of an ordering column (created, due, updated).
	Time func(t time.Time) any
	// NoLimit is the LIMIT argument that means no limit.
	NoLimit any

	App, PutApp, DeleteApp string
	// AppExists returns a row (any) when the app exists, without its data.
	AppExists string
	// Envs lists an app's environments by (created, name); PutEnv takes
	// (account, region, app_id, name, created, data).
	Envs, Env, PutEnv string
	// EnvExists returns one row of two booleans (or 0/1): whether the app
	// (account, region, app_id) exists and whether the environment (the
	// same and name) does.
	EnvExists string
	// MarkPushed sets the "pushed" member of an environment's document; it
	// takes (account, region, app_id, name, pushed as RFC 3339 text).
	MarkPushed string
	// DeleteEnv removes an environment and its resources; each statement
	// takes (account, region, app_id, name).
	DeleteEnv []string
	// Resources lists an environment's by (kind, name); ResourceOfKind
	// returns the first of a kind by name.
	Resources, Resource, ResourceOfKind, PutResource, DeleteResource string
	Token, PutToken, DeleteToken                                     string
	// AddToken is PutToken's statement that writes only when the token's
	// app exists; it takes the same arguments.
	AddToken string
	// Buckets lists the partition's buckets and the shared ones (account,
	// region); EnsureSharedBucket takes (name, data).
	Buckets, PutBucket, DeleteBucket, EnsureSharedBucket string

	// Job and RunningJob return (data, payload); RunningJob takes
	// (account, region, app_id, env).
	Job, RunningJob string
	// Jobs is the listing query for each JobFilter: (account, region,
	// app_id, env), then the filters' values in JobFilter order (the
	// cursor as created, job_id), then the limit; it returns data only.
	Jobs [AllFilters]string
	// HasJobs returns whether any job is listed under (account, region,
	// app_id, env).
	HasJobs string
	// DueJobs returns (account, region, app_id, job_id) of RUNNING jobs due
	// at or before its first argument, soonest first, up to its second.
	DueJobs string
	// NextDue returns the data of the RUNNING job due first.
	NextDue string

	// Partitions returns (account, region) of every partition with a
	// record in any table but shared_buckets, ordered.
	Partitions string
	// AppIDs returns the app_id of every app of (account, region) with a
	// record in any table, ordered.
	AppIDs string
	// AppJobs returns (data, payload) of every job of (account, region,
	// app_id) by (created, job_id).
	AppJobs string
	// Tokens lists (account, region, app_id)'s tokens by session_id;
	// OwnedBuckets lists (account, region)'s own buckets by name.
	Tokens, OwnedBuckets string
	// DeleteRecords removes an app's records, in order; each statement
	// takes (account, region, app_id), where app_id '' means every app.
	DeleteRecords []Removal
}

// Removal deletes one table's rows of an app (DeleteRecords). Count, run
// first, counts them when Kind names a kind of record
// (backend.RecordCounts' JSON names); "" is not counted.
type Removal struct {
	Kind, Count, Delete string
}

// Records implements the backend.Tx methods both stores share, on DB.
// An adapter embeds it and adds the job writes.
type Records struct {
	DB      DB
	Dialect *Dialect
}

func (r Records) App(p backend.Partition, appID string) (*backend.App, error) {
	return get[backend.App](r, "get app", r.Dialect.App, p.Account, p.Region, appID)
}

// AppExists reports whether the app exists, without decoding it.
func (r Records) AppExists(p backend.Partition, appID string) (bool, error) {
	var one int
	err := r.DB.QueryRow(r.Dialect.AppExists, p.Account, p.Region, appID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, Wrap("get app", err)
	}
	return true, nil
}

func (r Records) PutApp(p backend.Partition, a *backend.App) error {
	c := *a
	c.Created = c.Created.UTC()
	return r.put("put app", r.Dialect.PutApp, &c, p.Account, p.Region, c.ID)
}

func (r Records) DeleteApp(p backend.Partition, appID string) error {
	return Wrap("delete app", r.DB.Exec(r.Dialect.DeleteApp, p.Account, p.Region, appID))
}

func (r Records) Envs(p backend.Partition, appID string) ([]backend.Env, error) {
	return list[backend.Env](r, "list environments", r.Dialect.Envs, p.Account, p.Region, appID)
}

func (r Records) Env(p backend.Partition, appID, env string) (*backend.Env, error) {
	return get[backend.Env](r, "get environment", r.Dialect.Env, p.Account, p.Region, appID, env)
}

// EnvExists reports whether the app and the environment exist, without
// decoding either.
func (r Records) EnvExists(p backend.Partition, appID, env string) (app, envFound bool, err error) {
	err = r.DB.QueryRow(r.Dialect.EnvExists, p.Account, p.Region, appID, env).Scan(&app, &envFound)
	return app, envFound, Wrap("get environment", err)
}

// MarkPushed sets an environment's Pushed time in its stored document, as
// PutEnv would have written it (UTC, RFC 3339 with nanoseconds, the encoding
// of time.Time).
func (r Records) MarkPushed(p backend.Partition, appID, env string, at time.Time) error {
	return Wrap("put environment", r.DB.Exec(r.Dialect.MarkPushed, p.Account, p.Region, appID, env, at.UTC().Format(time.RFC3339Nano)))
}

func (r Records) PutEnv(p backend.Partition, e *backend.Env) error {
	c := *e
	c.Created, c.Pushed = c.Created.UTC(), c.Pushed.UTC()
	return r.put("put environment", r.Dialect.PutEnv, &c, p.Account, p.Region, c.AppID, c.Name, r.Dialect.Time(c.Created))
}

func (r Records) DeleteEnv(p backend.Partition, appID, env string) error {
	for _, q := range r.Dialect.DeleteEnv {
		if err := r.DB.Exec(q, p.Account, p.Region, appID, env); err != nil {
			return Wrap("delete environment", err)
		}
	}
	return nil
}

func (r Records) Resources(p backend.Partition, appID, env string) ([]backend.Resource, error) {
	rs, err := list[backend.Resource](r, "list resources", r.Dialect.Resources, p.Account, p.Region, appID, env)
	for i := range rs {
		rs[i].Config = nullRaw(rs[i].Config)
	}
	return rs, err
}

func (r Records) Resource(p backend.Partition, appID, env string, kind backend.ResourceKind, name string) (*backend.Resource, error) {
	q, args := r.Dialect.Resource, []any{p.Account, p.Region, appID, env, string(kind), name}
	if name == "" {
		q, args = r.Dialect.ResourceOfKind, args[:5]
	}
	res, err := get[backend.Resource](r, "get resource", q, args...)
	if res != nil {
		res.Config = nullRaw(res.Config)
	}
	return res, err
}

func (r Records) PutResource(p backend.Partition, res *backend.Resource) error {
	c := *res
	c.Created = c.Created.UTC()
	return r.put("put resource", r.Dialect.PutResource, &c, p.Account, p.Region, c.AppID, c.Env, string(c.Kind), c.Name)
}

func (r Records) DeleteResource(p backend.Partition, appID, env string, kind backend.ResourceKind, name string) error {
	return Wrap("delete resource", r.DB.Exec(r.Dialect.DeleteResource, p.Account, p.Region, appID, env, string(kind), name))
}

func (r Records) Token(p backend.Partition, appID, sessionID string) (*backend.Token, error) {
	return get[backend.Token](r, "get token", r.Dialect.Token, p.Account, p.Region, appID, sessionID)
}

func (r Records) PutToken(p backend.Partition, tok *backend.Token) error {
	c := *tok
	c.Expires = c.Expires.UTC()
	return r.put("put token", r.Dialect.PutToken, &c, p.Account, p.Region, c.AppID, c.SessionID)
}

// AddToken stores tok if its app exists, in one statement, and reports
// whether it did.
func (r Records) AddToken(p backend.Partition, tok *backend.Token) (bool, error) {
	c := *tok
	c.Expires = c.Expires.UTC()
	data, err := json.Marshal(&c)
	if err != nil {
		return false, Wrap("add token", err)
	}
	n, err := r.DB.ExecCount(r.Dialect.AddToken, p.Account, p.Region, c.AppID, c.SessionID, data)
	return n > 0, Wrap("add token", err)
}

func (r Records) DeleteToken(p backend.Partition, appID, sessionID string) error {
	return Wrap("delete token", r.DB.Exec(r.Dialect.DeleteToken, p.Account, p.Region, appID, sessionID))
}

// Buckets lists the partition's buckets and the shared ones by name; a
// partition's bucket hides a shared one of the same name.
func (r Records) Buckets(p backend.Partition) ([]backend.Bucket, error) {
	return list[backend.Bucket](r, "list buckets", r.Dialect.Buckets, p.Account, p.Region)
}

func (r Records) PutBucket(p backend.Partition, b *backend.Bucket) error {
	c := *b
	c.Created = c.Created.UTC()
	return r.put("put bucket", r.Dialect.PutBucket, &c, p.Account, p.Region, c.Name)
}

// DeleteBucket removes the partition's bucket; shared buckets stay.
func (r Records) DeleteBucket(p backend.Partition, name string) error {
	return Wrap("delete bucket", r.DB.Exec(r.Dialect.DeleteBucket, p.Account, p.Region, name))
}

// EnsureSharedBucket records b unless a shared bucket of that name exists.
func (r Records) EnsureSharedBucket(b *backend.Bucket) error {
	c := *b
	c.Created = c.Created.UTC()
	return r.put("ensure shared bucket", r.Dialect.EnsureSharedBucket, &c, c.Name)
}

// put runs q with args followed by v's JSON document.
func (r Records) put(op, q string, v any, args ...any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return Wrap(op, err)
	}
	return Wrap(op, r.DB.Exec(q, append(args, data)...))
}

// get decodes the data column of the single row q returns; nil when none.
func get[T any](r Records, op, q string, args ...any) (*T, error) {
	var data []byte
	err := r.DB.QueryRow(q, args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, Wrap(op, err)
	}
	v := new(T)
	if err := decode(data, v); err != nil {
		return nil, Wrap(op, err)
	}
	return v, nil
}

// decode decodes a record's JSON document into v.
func decode[T any](data []byte, v *T) error {
	if j, ok := any(v).(*backend.Job); ok {
		return decodeJob(data, j)
	}
	return json.Unmarshal(data, v)
}

// list decodes the data column of every row q returns.
func list[T any](r Records, op, q string, args ...any) ([]T, error) {
	rows, err := r.DB.Query(q, args...)
	if err != nil {
		return nil, Wrap(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, Wrap(op, err)
		}
		var v T
		if err := decode(data, &v); err != nil {
			return nil, Wrap(op, err)
		}
		out = append(out, v)
	}
	return out, Wrap(op, rows.Err())
}

// nullRaw maps the JSON null a nil RawMessage is stored as back to nil.
func nullRaw(m json.RawMessage) json.RawMessage {
	if string(m) == "null" {
		return nil
	}
	return m
}

// Wrap prefixes a non-nil err with op, the operation that failed.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Partitions lists every partition holding a record, shared buckets aside.
func (r Records) Partitions() ([]backend.Partition, error) {
	rows, err := r.DB.Query(r.Dialect.Partitions)
	if err != nil {
		return nil, Wrap("list partitions", err)
	}
	defer rows.Close()
	var out []backend.Partition
	for rows.Next() {
		var p backend.Partition
		if err := rows.Scan(&p.Account, &p.Region); err != nil {
			return nil, Wrap("list partitions", err)
		}
		out = append(out, p)
	}
	return out, Wrap("list partitions", rows.Err())
}

// AppIDs lists the IDs of every app of the partition that has a record of
// any kind.
func (r Records) AppIDs(p backend.Partition) ([]string, error) {
	rows, err := r.DB.Query(r.Dialect.AppIDs, p.Account, p.Region)
	if err != nil {
		return nil, Wrap("list app IDs", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, Wrap("list app IDs", err)
		}
		out = append(out, id)
	}
	return out, Wrap("list app IDs", rows.Err())
}

func (r Records) Tokens(p backend.Partition, appID string) ([]backend.Token, error) {
	return list[backend.Token](r, "list tokens", r.Dialect.Tokens, p.Account, p.Region, appID)
}

func (r Records) OwnedBuckets(p backend.Partition) ([]backend.Bucket, error) {
	return list[backend.Bucket](r, "list owned buckets", r.Dialect.OwnedBuckets, p.Account, p.Region)
}

// DeleteRecords counts, then deletes, each kind of the app's records (every
// app's with appID "").
func (r Records) DeleteRecords(p backend.Partition, appID string) (backend.RecordCounts, error) {
	var c backend.RecordCounts
	counts := map[string]*int{"apps": &c.Apps, "environments": &c.Environments, "resources": &c.Resources,
		"jobs": &c.Jobs, "tokens": &c.Tokens}
	for _, rm := range r.Dialect.DeleteRecords {
		if n := counts[rm.Kind]; n != nil {
			if err := r.DB.QueryRow(rm.Count, p.Account, p.Region, appID).Scan(n); err != nil {
				return c, Wrap("delete records: count "+rm.Kind, err)
			}
		}
		if err := r.DB.Exec(rm.Delete, p.Account, p.Region, appID); err != nil {
			return c, Wrap("delete records: "+rm.Kind, err)
		}
	}
	return c, nil
}
