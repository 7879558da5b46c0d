package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// CreateBackendAPI queues the creation of a GraphQL API. The schema is checked
// when the job runs: an invalid one fails the job, as in the real service.
func (s *Service) CreateBackendAPI(ctx context.Context, p Partition, in *ab.CreateBackendAPIRequest) (*ab.CreateBackendAPIResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	if err := checkNames("backendEnvironmentName", env, "resourceName", name); err != nil {
		return nil, err
	}
	cfg, err := recode[APIConfig](in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.CreateBackendAPIResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpCreateBackendAPI, req: &apiJob{ResourceName: name, Config: cfg},
		check: func(tx Tx) error {
			if err := requireEnv(tx, p, app, env); err != nil {
				return err
			}
			r, err := findResource(tx, p, app, env, KindAPI, name)
			if err != nil {
				return err
			}
			if r != nil {
				return badRequestf("API resource %s already exists in backend environment %s of app %s", name, env, app)
			}
			return nil
		},
	}))
}

// apiJob is the request of a CreateBackendAPI or UpdateBackendAPI job.
type apiJob struct {
	ResourceName string     `json:"resourceName"`
	Config       *APIConfig `json:"resourceConfig,omitzero"`
}

// A new API's schema is checked when the job completes (outside its
// transaction, see finish); an invalid one fails the job.
var _ = registerJob(ab.OpCreateBackendAPI, func(s *Service, a *applying, in *apiJob) error {
	cfg := orEmpty(in.Config)
	if err := a.work.check(str(cfg.TransformSchema)); err != nil {
		return err
	}
	return s.putNew(a, KindAPI, in.ResourceName, cfg, nil)
})

// UpdateBackendAPI queues a change of an API; members absent from the update
// keep their values.
func (s *Service) UpdateBackendAPI(ctx context.Context, p Partition, in *ab.UpdateBackendAPIRequest) (*ab.UpdateBackendAPIResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	update, err := recode[APIConfig](in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.UpdateBackendAPIResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpUpdateBackendAPI, req: &apiJob{ResourceName: name, Config: update},
		check: func(tx Tx) error { return checkUpdatable(tx, p, app, env, KindAPI, name) },
	}))
}

var _ = registerJob(ab.OpUpdateBackendAPI, func(s *Service, a *applying, in *apiJob) error {
	return s.edit(a, KindAPI, in.ResourceName, mergeInto((*Resource).apiConfig, in.Config), func(r *Resource) error {
		cfg, err := r.apiConfig()
		if err != nil {
			return err
		}
		return a.work.check(str(cfg.TransformSchema))
	})
})

// DeleteBackendAPI queues the removal of an API.
func (s *Service) DeleteBackendAPI(ctx context.Context, p Partition, in *ab.DeleteBackendAPIRequest) (*ab.DeleteBackendAPIResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	return jobResponse[ab.DeleteBackendAPIResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpDeleteBackendAPI, req: &resourceJob{ResourceName: name},
		check: func(tx Tx) error {
			_, err := requireResource(tx, p, app, env, KindAPI, name)
			return err
		},
	}))
}

var _ = registerJob(ab.OpDeleteBackendAPI, func(s *Service, a *applying, in *resourceJob) error {
	return s.remove(a, KindAPI, in.ResourceName)
})

// GetBackendAPI returns an API's configuration. A resourceConfig in the
// request is ignored.
func (s *Service) GetBackendAPI(ctx context.Context, p Partition, in *ab.GetBackendAPIRequest) (*ab.GetBackendAPIResponse, error) {
	r, err := s.resource(ctx, p, *in.AppId, *in.BackendEnvironmentName, KindAPI, *in.ResourceName)
	if err != nil {
		return nil, err
	}
	stored, err := r.apiConfig()
	if err != nil {
		return nil, err
	}
	cfg, err := recode[ab.BackendAPIResourceConfig](stored)
	if err != nil {
		return nil, err
	}
	return &ab.GetBackendAPIResponse{AppId: in.AppId, BackendEnvironmentName: in.BackendEnvironmentName,
		ResourceName: ab.String(r.Name), ResourceConfig: cfg}, nil
}

// GenerateBackendAPIModels queues the generation of an API's DataStore models
// and model introspection schema from its current transform schema.
func (s *Service) GenerateBackendAPIModels(ctx context.Context, p Partition, in *ab.GenerateBackendAPIModelsRequest) (*ab.GenerateBackendAPIModelsResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	return jobResponse[ab.GenerateBackendAPIModelsResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpGenerateBackendAPIModels, req: &resourceJob{ResourceName: name},
		check: func(tx Tx) error {
			_, err := requireResource(tx, p, app, env, KindAPI, name)
			return err
		},
	}))
}

// A generation job stores the models of the API's schema as it is when the
// job completes (generated outside its transaction, see finish).
var _ = registerJob(ab.OpGenerateBackendAPIModels, func(s *Service, a *applying, in *resourceJob) error {
	r, err := requireResource(a.tx, a.p, a.job.AppID, a.env, KindAPI, in.ResourceName)
	if err != nil {
		return failJob("%s", err.Error())
	}
	schema, err := apiSchema(r)
	if err != nil {
		return err
	}
	switch {
	case schema == "":
		return failJob("API %s has no transformSchema to generate models from", in.ResourceName)
	case s.cfg.Models == nil:
		return failJob("Model generation is not available in this build of amplifylite")
	}
	res, ok := a.work[schema]
	switch {
	case !ok || res.genErr == nil && res.packed == nil:
		return &needSchema{schema: schema, pack: true}
	case res.genErr != nil:
		return failJob("Model generation failed: %v", res.genErr)
	}
	r.setGenerated(res.packed, schemaHash(schema))
	return a.tx.PutResource(a.p, r)
})

// GetBackendAPIModels returns the last generated models: LATEST when they
// were generated from the API's current schema, STALE otherwise (models
// omitted when none were ever generated).
func (s *Service) GetBackendAPIModels(ctx context.Context, p Partition, in *ab.GetBackendAPIModelsRequest) (*ab.GetBackendAPIModelsResponse, error) {
	r, err := s.resource(ctx, p, *in.AppId, *in.BackendEnvironmentName, KindAPI, *in.ResourceName)
	if err != nil {
		return nil, err
	}
	out := &ab.GetBackendAPIModelsResponse{Status: ab.StatusStale}
	models, introspection, ok, err := r.GeneratedModels()
	if err != nil || !ok {
		return out, err
	}
	out.Models, out.ModelIntrospectionSchema = ab.String(models), ab.String(introspection)
	schema, err := apiSchema(r)
	if err != nil {
		return nil, err
	}
	if r.ModelsSchemaHash == schemaHash(schema) {
		out.Status = ab.StatusLatest
	}
	return out, nil
}

// apiSchema is an API's transform schema.
func apiSchema(r *Resource) (string, error) {
	cfg, err := r.apiConfig()
	if err != nil {
		return "", err
	}
	return str(cfg.TransformSchema), nil
}

func schemaHash(schema string) string {
	sum := sha256.Sum256([]byte(schema))
	return hex.EncodeToString(sum[:])
}

// schemaResult is what processing a transform schema gave: the generated
// models, or why the schema is invalid.
type schemaResult struct {
	models, introspection string
	packed                []byte // the models compressed, when a generation job asked for them
	invalid               error  // why the schema is invalid, as a job's failure
	genErr                error  // the model generator's error, if it failed
}

// schemaWork holds the schemas processed for a job, outside its transaction.
type schemaWork map[string]schemaResult

// needSchema asks finish to process a schema outside the transaction and to
// run the transaction again; pack asks for the models compressed, as stored.
type needSchema struct {
	schema string
	pack   bool
}

func (e *needSchema) Error() string { return "transform schema not processed yet" }

// check fails the job when schema is invalid; a schema not processed yet
// makes the transaction stop and come back once it is.
func (w schemaWork) check(schema string) error {
	if schema == "" {
		return nil
	}
	res, ok := w[schema]
	if !ok {
		return &needSchema{schema: schema}
	}
	return res.invalid
}

// processSchema validates a transform schema: as GraphQL SDL, then with the
// model generator when one is configured (it knows Amplify's directives; its
// models are kept for a generation job). It is the expensive part of a job
// and runs outside any transaction.
func (s *Service) processSchema(schema string) schemaResult {
	return processSchema(schema, s.cfg.Models)
}

func processSchema(schema string, gen ModelGenerator) schemaResult {
	var res schemaResult
	if _, err := parser.ParseSchema(&ast.Source{Name: "transformSchema", Input: schema}); err != nil {
		res.invalid = failJob("Invalid transformSchema: %s", describeGQLError(err))
	}
	if gen == nil {
		return res
	}
	res.models, res.introspection, res.genErr = gen(schema)
	if res.genErr != nil && res.invalid == nil {
		res.invalid = failJob("Invalid transformSchema: %v", res.genErr)
	}
	return res
}

// GenerateModels is what a model generation job does with an API's
// transform schema, without a server: the models (schema.js) and the
// model introspection schema that GetBackendAPIModels would then answer,
// or the reason the job would fail.
func GenerateModels(schema string, gen ModelGenerator) (models, introspection string, err error) {
	res := processSchema(schema, gen)
	if res.invalid != nil {
		return "", "", res.invalid
	}
	return res.models, res.introspection, nil
}

// process does what need asks for, reusing what was done before for the
// same schema.
func (w schemaWork) process(s *Service, need *needSchema) {
	res, ok := w[need.schema]
	if !ok {
		res = s.processSchema(need.schema)
	}
	if need.pack && res.genErr == nil && res.packed == nil {
		if res.packed, res.genErr = packGenerated(res.models, res.introspection); res.genErr != nil {
			res.genErr = fmt.Errorf("compress the models: %w", res.genErr)
		}
	}
	w[need.schema] = res
}

// describeGQLError renders a parser error as "line L, column C: message".
func describeGQLError(err error) string {
	if ge, ok := err.(*gqlerror.Error); ok && len(ge.Locations) > 0 {
		return fmt.Sprintf("line %d, column %d: %s", ge.Locations[0].Line, ge.Locations[0].Column, ge.Message)
	}
	return err.Error()
}
