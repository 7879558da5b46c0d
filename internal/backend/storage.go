package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// CreateBackendStorage queues the creation of the environment's S3 storage.
// Without a bucketName, a valid and unique one is derived from the resource.
func (s *Service) CreateBackendStorage(ctx context.Context, p Partition, in *ab.CreateBackendStorageRequest) (*ab.CreateBackendStorageResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	if err := checkNames("backendEnvironmentName", env, "resourceName", name); err != nil {
		return nil, err
	}
	if b := in.ResourceConfig.BucketName; b != nil {
		if err := checkBucketName("resourceConfig.bucketName", *b); err != nil {
			return nil, err
		}
	}
	cfg, err := recode[StorageConfig](in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.CreateBackendStorageResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpCreateBackendStorage, req: &createStorageJob{ResourceName: name, Config: cfg},
		check: func(tx Tx) error {
			if err := checkNoResource(tx, p, app, env, KindStorage); err != nil {
				return err
			}
			if b := in.ResourceConfig.BucketName; b != nil {
				return checkBucketFree(tx, p, *b)
			}
			return nil
		},
	}))
}

// createStorageJob is the request of a CreateBackendStorage job.
type createStorageJob struct {
	ResourceName string         `json:"resourceName"`
	Config       *StorageConfig `json:"resourceConfig,omitzero"`
}

var _ = registerJob(ab.OpCreateBackendStorage, func(s *Service, a *applying, in *createStorageJob) error {
	if err := requireEnvForJob(a.tx, a.p, a.job.AppID, a.env); err != nil {
		return err
	}
	cfg := *orEmpty(in.Config)
	if err := s.createOwnedBucket(a.tx, a.p, a.job.AppID, a.env, in.ResourceName, &cfg, in.Config != nil && in.Config.BucketName != nil); err != nil {
		return err
	}
	return s.putNew(a, KindStorage, in.ResourceName, &cfg, nil)
})

// createOwnedBucket records the bucket of a storage resource: the one cfg
// names when named, else a generated one, which cfg then names.
func (s *Service) createOwnedBucket(tx Tx, p Partition, app, env, resource string, cfg *StorageConfig, named bool) error {
	var name string
	if named {
		name = str(cfg.BucketName)
		if err := checkBucketFree(tx, p, name); err != nil {
			return failJob("%s", err.Error())
		}
	} else {
		var err error
		if name, err = uniqueBucketName(tx, p, app, env, resource); err != nil {
			return err
		}
	}
	if err := tx.PutBucket(p, &Bucket{Name: name, Created: s.now(), Owner: ownerOf(app, env)}); err != nil {
		return err
	}
	cfg.BucketName = &name
	return nil
}

func checkBucketFree(tx Tx, p Partition, name string) error {
	buckets, err := tx.Buckets(p)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		if b.Name == name {
			return badRequestf("Bucket %s already exists", name)
		}
	}
	return nil
}

// UpdateBackendStorage queues a replacement of the storage's permissions.
func (s *Service) UpdateBackendStorage(ctx context.Context, p Partition, in *ab.UpdateBackendStorageRequest) (*ab.UpdateBackendStorageResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	update, err := recode[StorageConfigUpdate](in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.UpdateBackendStorageResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpUpdateBackendStorage, req: &updateStorageJob{ResourceName: name, Config: update},
		check: func(tx Tx) error { return checkUpdatable(tx, p, app, env, KindStorage, name) },
	}))
}

// updateStorageJob is the request of an UpdateBackendStorage job: its
// permissions replace the stored ones.
type updateStorageJob struct {
	ResourceName string               `json:"resourceName"`
	Config       *StorageConfigUpdate `json:"resourceConfig,omitzero"`
}

var _ = registerJob(ab.OpUpdateBackendStorage, func(s *Service, a *applying, in *updateStorageJob) error {
	return s.edit(a, KindStorage, in.ResourceName, func(r *Resource) error {
		cfg, err := r.storageConfig()
		if err != nil {
			return err
		}
		cfg.Permissions = orEmpty(in.Config).Permissions
		return r.setConfig(cfg)
	})
})

// DeleteBackendStorage queues the removal of the storage resource; a bucket it
// created goes with it, an imported one stays.
func (s *Service) DeleteBackendStorage(ctx context.Context, p Partition, in *ab.DeleteBackendStorageRequest) (*ab.DeleteBackendStorageResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	return jobResponse[ab.DeleteBackendStorageResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpDeleteBackendStorage, req: &resourceJob{ResourceName: name},
		check: func(tx Tx) error {
			_, err := requireResource(tx, p, app, env, KindStorage, name)
			return err
		},
	}))
}

var _ = registerJob(ab.OpDeleteBackendStorage, func(s *Service, a *applying, in *resourceJob) error {
	return s.remove(a, KindStorage, in.ResourceName)
})

// ImportBackendStorage queues the import of an existing bucket as the
// environment's storage, named after the bucket.
func (s *Service) ImportBackendStorage(ctx context.Context, p Partition, in *ab.ImportBackendStorageRequest) (*ab.ImportBackendStorageResponse, error) {
	app, env := *in.AppId, *in.BackendEnvironmentName
	if in.BucketName == nil {
		return nil, badRequestf("1 validation error detected: Value at 'bucketName' failed to satisfy constraint: Member must not be null")
	}
	if err := checkBucketName("bucketName", *in.BucketName); err != nil {
		return nil, err
	}
	src, err := recode[StorageImport](in)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.ImportBackendStorageResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpImportBackendStorage, req: src,
		check: func(tx Tx) error { return checkNoResource(tx, p, app, env, KindStorage) },
	}))
}

// An ImportBackendStorage job's request is the StorageImport it records as
// the resource's source; the bucket stays listed when the resource goes.
var _ = registerJob(ab.OpImportBackendStorage, func(s *Service, a *applying, in *StorageImport) error {
	bucket := str(in.BucketName)
	cfg := &StorageConfig{BucketName: in.BucketName, ServiceName: in.ServiceName}
	if err := s.putNew(a, KindStorage, bucket, cfg, in); err != nil {
		return err
	}
	buckets, err := a.tx.Buckets(a.p)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		if b.Name == bucket {
			return nil // already listed (configured, or imported before)
		}
	}
	return a.tx.PutBucket(a.p, &Bucket{Name: bucket, Created: s.now()})
})

// GetBackendStorage returns the storage resource's configuration.
func (s *Service) GetBackendStorage(ctx context.Context, p Partition, in *ab.GetBackendStorageRequest) (*ab.GetBackendStorageResponse, error) {
	r, err := s.resource(ctx, p, *in.AppId, *in.BackendEnvironmentName, KindStorage, *in.ResourceName)
	if err != nil {
		return nil, err
	}
	stored, err := r.storageConfig()
	if err != nil {
		return nil, err
	}
	cfg, err := recode[ab.GetBackendStorageResourceConfig](stored)
	if err != nil {
		return nil, err
	}
	cfg.Imported = ab.Bool(r.Imported)
	return &ab.GetBackendStorageResponse{AppId: in.AppId, BackendEnvironmentName: in.BackendEnvironmentName,
		ResourceName: ab.String(r.Name), ResourceConfig: cfg}, nil
}

// ListS3Buckets lists every bucket of the partition in one page.
func (s *Service) ListS3Buckets(ctx context.Context, p Partition, in *ab.ListS3BucketsRequest) (*ab.ListS3BucketsResponse, error) {
	var buckets []Bucket
	err := s.store.View(ctx, func(tx Tx) (err error) {
		buckets, err = tx.Buckets(p)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &ab.ListS3BucketsResponse{Buckets: make([]ab.S3BucketInfo, len(buckets))}
	for i, b := range buckets {
		out.Buckets[i] = ab.S3BucketInfo{Name: ab.String(b.Name), CreationDate: ab.String(b.Created.UTC().Format("2006-01-02T15:04:05.000Z"))}
	}
	return out, nil
}

// generatedBucketName derives a valid S3 bucket name from the resource and
// environment, stable for the same (partition, app, env, resource); attempt
// varies it when the first choice is taken.
func generatedBucketName(p Partition, app, env, resource string, attempt int) string {
	clean := func(s string, max int) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
			if b.Len() == max {
				break
			}
		}
		return b.String()
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{p.Account, p.Region, app, env, resource, strconv.Itoa(attempt)}, "\x00")))
	name := clean(resource, 30)
	if name == "" {
		name = "storage"
	}
	e := clean(env, 20)
	if e == "" {
		e = "env"
	}
	return name + hex.EncodeToString(sum[:4]) + "-" + e
}

// uniqueBucketName picks a generated bucket name no bucket of the partition has.
func uniqueBucketName(tx Tx, p Partition, app, env, resource string) (string, error) {
	for attempt := 0; ; attempt++ {
		name := generatedBucketName(p, app, env, resource, attempt)
		if err := checkBucketFree(tx, p, name); err == nil {
			return name, nil
		} else if _, ok := err.(*Error); !ok {
			return "", err
		}
	}
}
