package httpapi

import (
	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// table is the operation table: every operation of the API, bound to its
// domain method. Methods and paths come from the service model.
func table(b *backend.Service) []route {
	return []route{
		op(ab.OpCloneBackend, b.CloneBackend),
		op(ab.OpCreateBackend, b.CreateBackend),
		op(ab.OpCreateBackendAPI, b.CreateBackendAPI),
		op(ab.OpCreateBackendAuth, b.CreateBackendAuth),
		op(ab.OpCreateBackendConfig, b.CreateBackendConfig),
		op(ab.OpCreateBackendStorage, b.CreateBackendStorage),
		op(ab.OpCreateToken, b.CreateToken),
		op(ab.OpDeleteBackend, b.DeleteBackend),
		op(ab.OpDeleteBackendAPI, b.DeleteBackendAPI),
		op(ab.OpDeleteBackendAuth, b.DeleteBackendAuth),
		op(ab.OpDeleteBackendStorage, b.DeleteBackendStorage),
		op(ab.OpDeleteToken, b.DeleteToken),
		op(ab.OpGenerateBackendAPIModels, b.GenerateBackendAPIModels),
		memoized(ab.OpGetBackend, b.GetBackend), // answers from its read cache
		op(ab.OpGetBackendAPI, b.GetBackendAPI),
		op(ab.OpGetBackendAPIModels, b.GetBackendAPIModels),
		op(ab.OpGetBackendAuth, b.GetBackendAuth),
		memoized(ab.OpGetBackendJob, b.GetBackendJob), // answers from its read cache
		op(ab.OpGetBackendStorage, b.GetBackendStorage),
		op(ab.OpGetToken, b.GetToken),
		op(ab.OpImportBackendAuth, b.ImportBackendAuth),
		op(ab.OpImportBackendStorage, b.ImportBackendStorage),
		memoized(ab.OpListBackendJobs, b.ListBackendJobs), // answers from its read cache
		op(ab.OpListS3Buckets, b.ListS3Buckets),
		op(ab.OpRemoveAllBackends, b.RemoveAllBackends),
		op(ab.OpRemoveBackendConfig, b.RemoveBackendConfig),
		op(ab.OpUpdateBackendAPI, b.UpdateBackendAPI),
		op(ab.OpUpdateBackendAuth, b.UpdateBackendAuth),
		op(ab.OpUpdateBackendConfig, b.UpdateBackendConfig),
		op(ab.OpUpdateBackendJob, b.UpdateBackendJob),
		op(ab.OpUpdateBackendStorage, b.UpdateBackendStorage),
	}
}

// Routes lists the table's operations with their HTTP bindings, for tests that
// compare the table with the service model.
func Routes() []ab.Operation {
	rows := table(nil)
	ops := make([]ab.Operation, len(rows))
	for i, r := range rows {
		ops[i] = r.op
	}
	return ops
}
