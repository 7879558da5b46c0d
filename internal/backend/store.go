package backend

import (
	"context"
	"encoding/json"
	"time"
)

// Store keeps the state of every partition. Each call of Update runs fn in one
// serialisable read-write transaction that is durable when Update returns nil;
// when fn returns an error nothing it wrote is kept. View runs fn read-only.
// An Update's fn must be re-runnable: it acts only through the Tx, and a
// store may run it more than once for one Update (PostgreSQL after a
// serialization failure, SQLite to undo a failed neighbour in a group
// commit); only its last run counts. fn must not call the Store itself
// (that may deadlock). Times given to a
// Store have millisecond precision (the domain truncates them), which is what
// page cursors carry.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
	// Secret returns a random key created once per database, shared by
	// every server on it (it signs pagination tokens).
	Secret(ctx context.Context) ([]byte, error)
	// Name identifies the implementation ("sqlite", "memory", ...).
	Name() string
	Close() error
}

// Tx reads and writes records inside one transaction. Getters return
// (nil, nil) when the record does not exist.
type Tx interface {
	App(p Partition, appID string) (*App, error)
	// AppExists reports whether the app exists (cheaper than App).
	AppExists(p Partition, appID string) (bool, error)
	PutApp(p Partition, a *App) error
	DeleteApp(p Partition, appID string) error

	// Envs lists an app's environments, oldest first.
	Envs(p Partition, appID string) ([]Env, error)
	// Env returns one environment of an app.
	Env(p Partition, appID, env string) (*Env, error)
	// EnvExists reports whether the app exists and whether the environment
	// does, in one statement and without reading either.
	EnvExists(p Partition, appID, env string) (app, envFound bool, err error)
	PutEnv(p Partition, e *Env) error
	// MarkPushed sets an existing environment's Pushed time (one statement
	// instead of Env and PutEnv); a missing environment is left alone.
	MarkPushed(p Partition, appID, env string, at time.Time) error
	// DeleteEnv removes the environment and all of its resources.
	DeleteEnv(p Partition, appID, env string) error

	// Resources lists an environment's resources ordered by kind, then name.
	Resources(p Partition, appID, env string) ([]Resource, error)
	// Resource returns the environment's resource of the kind with the name;
	// with name "", the first resource of the kind by name.
	Resource(p Partition, appID, env string, kind ResourceKind, name string) (*Resource, error)
	PutResource(p Partition, r *Resource) error
	DeleteResource(p Partition, appID, env string, kind ResourceKind, name string) error

	Job(p Partition, appID, jobID string) (*Job, error)
	// PutJob inserts or updates a job; its Envs never change after insert.
	PutJob(p Partition, j *Job) error
	// AddJob inserts a job that does not exist yet (a new id): PutJob
	// without looking for an old version.
	AddJob(p Partition, j *Job) error
	// UpdateJob rewrites a job read in the same transaction, with its
	// creation time and Envs unchanged: PutJob without looking for the
	// old version's listing, which stays where it is.
	UpdateJob(p Partition, j *Job) error
	// RunningJob returns a RUNNING job listed under the environment, if any.
	RunningJob(p Partition, appID, env string) (*Job, error)
	// Jobs returns up to q.Limit jobs listed under (appID, env) that match
	// q's filters, ordered by (Created, ID), strictly after q.After when set.
	// Listed jobs have no Payload: only Job and RunningJob read it.
	Jobs(p Partition, appID, env string, q JobQuery) ([]Job, error)
	// HasJobs reports whether any job is listed under (appID, env).
	HasJobs(p Partition, appID, env string) (bool, error)
	// DueJobs returns up to limit RUNNING jobs of every partition whose Due
	// time is at or before now, soonest first.
	DueJobs(now time.Time, limit int) ([]JobRef, error)
	// NextDue returns the earliest Due time of any RUNNING job.
	NextDue() (time.Time, bool, error)
	// PurgeJobs deletes up to limit finished (COMPLETED or FAILED) jobs of
	// every partition whose Updated time is before the given one, least
	// recently updated first, with their listings, and returns how many.
	PurgeJobs(before time.Time, limit int) (int, error)

	Token(p Partition, appID, sessionID string) (*Token, error)
	PutToken(p Partition, t *Token) error
	// AddToken stores t if its app exists (one statement instead of
	// AppExists and PutToken) and reports whether it did.
	AddToken(p Partition, t *Token) (bool, error)
	DeleteToken(p Partition, appID, sessionID string) error

	// Buckets lists the partition's buckets and the shared ones, by name.
	Buckets(p Partition) ([]Bucket, error)
	PutBucket(p Partition, b *Bucket) error
	DeleteBucket(p Partition, name string) error
	// EnsureSharedBucket records a bucket visible in every partition,
	// keeping its first creation time.
	EnsureSharedBucket(b *Bucket) error

	// Partitions lists every partition that holds a record (shared
	// buckets aside), by account, then region.
	Partitions() ([]Partition, error)
	// AppIDs lists the IDs of the partition's apps and of every app that
	// still has environments, resources, jobs or tokens without its app
	// record (RemoveAllBackends with cleanAmplifyApp keeps its jobs), by ID.
	AppIDs(p Partition) ([]string, error)
	// AppJobs lists every job of an app, with its Payload, by (Created, ID).
	AppJobs(p Partition, appID string) ([]Job, error)
	// Tokens lists an app's challenge tokens by session ID.
	Tokens(p Partition, appID string) ([]Token, error)
	// OwnedBuckets lists the partition's own buckets by name, without the
	// shared ones.
	OwnedBuckets(p Partition) ([]Bucket, error)
	// DeleteRecords removes the app's records of the partition (with
	// appID "", every app's): the app, its environments, resources, jobs
	// with their listings and tokens; it returns how many of each it
	// removed. Buckets are left to DeleteBucket.
	DeleteRecords(p Partition, appID string) (RecordCounts, error)
}

// RecordCounts counts records by kind: those a reset removed, or a
// snapshot import wrote.
type RecordCounts struct {
	Apps         int `json:"apps"`
	Environments int `json:"environments"`
	Resources    int `json:"resources"`
	Jobs         int `json:"jobs"`
	Tokens       int `json:"tokens"`
	Buckets      int `json:"buckets"`
}

// Add adds o's counts to c.
func (c *RecordCounts) Add(o RecordCounts) {
	c.Apps += o.Apps
	c.Environments += o.Environments
	c.Resources += o.Resources
	c.Jobs += o.Jobs
	c.Tokens += o.Tokens
	c.Buckets += o.Buckets
}

// Partition is the unit of isolation: an AWS account in one region.
type Partition struct {
	Account string
	Region  string
}

// App is an Amplify app.
type App struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Created time.Time  `json:"created"`
	Config  *AppConfig `json:"config,omitempty"` // Admin UI config; nil when absent
	// Hosting holds what Amplify Hosting's CreateApp set; nil for an app the
	// Admin API created.
	Hosting *HostingApp `json:"hosting,omitempty"`
}

// HostingApp is the part of an app only Amplify Hosting reads and writes.
type HostingApp struct {
	Description              string            `json:"description,omitempty"`
	Repository               string            `json:"repository,omitempty"`
	Platform                 string            `json:"platform,omitempty"`
	IAMServiceRoleArn        string            `json:"iamServiceRoleArn,omitempty"`
	ComputeRoleArn           string            `json:"computeRoleArn,omitempty"`
	EnvironmentVariables     map[string]string `json:"environmentVariables,omitempty"`
	Tags                     map[string]string `json:"tags,omitempty"`
	EnableBranchAutoBuild    bool              `json:"enableBranchAutoBuild,omitempty"`
	EnableBranchAutoDeletion bool              `json:"enableBranchAutoDeletion,omitempty"`
	EnableBasicAuth          bool              `json:"enableBasicAuth,omitempty"`
	BuildSpec                string            `json:"buildSpec,omitempty"`
}

// AppConfig is an app's Admin UI (backend manager) configuration.
type AppConfig struct {
	BackendManagerAppID string          `json:"backendManagerAppId"`
	LoginAuthConfig     json.RawMessage `json:"loginAuthConfig,omitempty"`
}

// Env is a backend environment of an app.
type Env struct {
	AppID   string    `json:"appId"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// StackName and DeploymentBucket are those Amplify Hosting's
	// CreateBackendEnvironment was given; empty: derived (stackPrefix).
	StackName        string `json:"stackName,omitempty"`
	DeploymentBucket string `json:"deploymentBucket,omitempty"`
	// Pushed is when a job last completed on the environment (the
	// lastPushTimeStamp of its deployment artifacts); zero: never.
	Pushed time.Time `json:"pushed,omitzero"`
}

// ResourceKind is a category of backend resource.
type ResourceKind string

// Resource kinds.
const (
	KindAuth    ResourceKind = "auth"
	KindAPI     ResourceKind = "api"
	KindStorage ResourceKind = "storage"
)

// Resource is an auth, API or storage resource of an environment.
type Resource struct {
	AppID    string       `json:"appId"`
	Env      string       `json:"env"`
	Kind     ResourceKind `json:"kind"`
	Name     string       `json:"name"`
	Imported bool         `json:"imported,omitempty"`
	// V is the record version of Config (records.go); 0 means 1.
	V int `json:"v,omitempty"`
	// Config is the resource's configuration (an AuthConfig, APIConfig or
	// StorageConfig), as JSON: read and written only through authConfig,
	// apiConfig, storageConfig and setConfig.
	Config json.RawMessage `json:"config"`
	// Source is the import request of an imported resource (AuthImport or
	// StorageImport), as JSON.
	Source json.RawMessage `json:"source,omitempty"`
	// Generated holds the outputs of the last model generation (API only),
	// generated from the schema whose hash is ModelsSchemaHash, compressed
	// (see packGenerated): they reach tens of MiB for large schemas, and
	// compress 20-fold. Records written before it hold them uncompressed in
	// Models and Introspection; GeneratedModels reads either form.
	Generated        []byte    `json:"generated,omitempty"`
	Models           string    `json:"models,omitempty"`
	Introspection    string    `json:"introspection,omitempty"`
	ModelsSchemaHash string    `json:"modelsSchemaHash,omitempty"`
	Created          time.Time `json:"created"`
}

// Job statuses.
const (
	StatusRunning   = "RUNNING"
	StatusCompleted = "COMPLETED"
	StatusFailed    = "FAILED"
)

// Job is an asynchronous operation on one or more environments.
type Job struct {
	ID    string   `json:"id"`
	AppID string   `json:"appId"`
	Envs  []string `json:"envs"` // every environment it is listed under; Envs[0] is the one returned
	// Kind is the operation that created the job and decides its effects;
	// Operation is what clients see (UpdateBackendJob may change it).
	Kind      string    `json:"kind"`
	Operation string    `json:"operation"`
	Status    string    `json:"status"`
	Error     string    `json:"error,omitempty"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	Due       time.Time `json:"due"`
	// V is the record version of Payload (records.go); 0 means 1.
	V int `json:"v,omitempty"`
	// Payload is the job's request, of the type its kind registers
	// (jobkinds.go), as JSON.
	Payload json.RawMessage `json:"payload"`
}

// JobRef addresses a job.
type JobRef struct {
	Partition Partition
	AppID     string
	JobID     string
}

// JobQuery filters and pages ListBackendJobs.
type JobQuery struct {
	JobID, Operation, Status string // exact-match filters; "" = any
	After                    *JobCursor
	Limit                    int
}

// JobCursor is the position after which a page starts.
type JobCursor struct {
	Created time.Time
	JobID   string
}

// Token is an Admin UI challenge token.
type Token struct {
	AppID     string    `json:"appId"`
	SessionID string    `json:"sessionId"`
	Code      string    `json:"code"`
	Expires   time.Time `json:"expires"`
}

// Bucket is an S3 bucket known to the partition.
type Bucket struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Owner is ownerOf(app, env) for a bucket a storage resource created; empty for
	// imported and configured buckets, which outlive their resources.
	Owner string `json:"owner,omitempty"`
}
