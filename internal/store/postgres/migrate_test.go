package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/postgres"
	"github.com/amplifylite/amplifylite/internal/store/record"
	"github.com/amplifylite/amplifylite/internal/store/storetest"
)

// version1 returns the DSN of a new schema at version 1 holding two jobs
// storetest.Version1Jobs.
func version1(t *testing.T) (dsn, schema string) {
	t.Helper()
	ctx := context.Background()
	dsn, schema = createSchema(t)
	if err := postgres.MigrateWith(ctx, dsn, postgres.Migrations[:1]); err != nil {
		t.Fatal(err)
	}
	_, pool := testServer(t)
	for _, data := range storetest.Version1Jobs {
		var j backend.Job
		if err := json.Unmarshal([]byte(data), &j); err != nil {
			t.Fatal(err)
		}
		_, err := pool.Exec(ctx, `INSERT INTO `+schema+`.jobs (account, region, app_id, job_id, created, status, due, envs, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, p1.Account, p1.Region, j.AppID, j.ID, j.Created, j.Status, j.Due, j.Envs, data)
		if err != nil {
			t.Fatal(err)
		}
		_, err = pool.Exec(ctx, `INSERT INTO `+schema+`.job_envs (account, region, app_id, env, created, job_id, status, operation)
			SELECT $1, $2, $3, env, $5, $6, $7, $8 FROM unnest($4::text[]) AS env`, p1.Account, p1.Region, j.AppID, j.Envs, j.Created, j.ID, j.Status, j.Operation)
		if err != nil {
			t.Fatal(err)
		}
	}
	return dsn, schema
}

// scalar returns the text of the single value q selects ("" for NULL).
func scalar(t *testing.T, q string) string {
	t.Helper()
	_, pool := testServer(t)
	var v *string
	if err := pool.QueryRow(context.Background(), q).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		return ""
	}
	return *v
}

func TestMigrate_JobPayloadsMoveToTheirColumn(t *testing.T) {
	dsn, schema := version1(t)
	s := open(t, dsn)
	defer s.Close()
	if got := scalar(t, `SELECT max(version)::text FROM `+schema+`.schema_migrations`); got != "2" {
		t.Fatalf("schema version = %s, want 2", got)
	}
	if got := scalar(t, `SELECT count(*)::text FROM `+schema+`.jobs WHERE data::text LIKE '%"payload"%'`); got != "0" {
		t.Errorf("%s documents still hold a payload", got)
	}
	if got, want := scalar(t, `SELECT (updated AT TIME ZONE 'UTC')::text FROM `+schema+`.jobs WHERE job_id = 'j1'`), "2026-01-01 00:00:05.123"; got != want {
		t.Errorf("j1's updated column = %s, want %s", got, want)
	}
	storetest.CheckVersion1Jobs(t, s)
}

// failing is a migration whose last statement fails after the others
// changed the schema and the data.
var failing = record.Migration{
	`CREATE TABLE extra (x integer)`,
	`UPDATE jobs SET status = 'CHANGED'`,
	`INSERT INTO no_such_table VALUES (1)`,
}

func TestMigrate_FailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	ms := append(postgres.Migrations[:len(postgres.Migrations):len(postgres.Migrations)], failing)
	t.Run("FromTheLastVersion", func(t *testing.T) {
		dsn, schema := createSchema(t)
		s := open(t, dsn)
		job := &backend.Job{ID: "j", AppID: "a", Envs: []string{"dev"}, Kind: "Op", Operation: "Op", Status: "COMPLETED"}
		if err := s.Update(ctx, func(tx backend.Tx) error { return tx.PutJob(p1, job) }); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if err := postgres.MigrateWith(ctx, dsn, ms); err == nil || !strings.Contains(err.Error(), "no_such_table") {
			t.Fatalf("failing migration: %v", err)
		}
		if got := scalar(t, `SELECT max(version)::text FROM `+schema+`.schema_migrations`); got != "2" {
			t.Errorf("schema version = %s, want 2", got)
		}
		if got := scalar(t, `SELECT count(*)::text FROM pg_tables WHERE schemaname = '`+schema+`' AND tablename = 'extra'`); got != "0" {
			t.Error("the failed migration's table is there")
		}
		if got := scalar(t, `SELECT status FROM `+schema+`.jobs`); got != "COMPLETED" {
			t.Errorf("job status = %s, want COMPLETED", got)
		}
	})
	t.Run("SeveralPending", func(t *testing.T) {
		dsn, schema := version1(t)
		if err := postgres.MigrateWith(ctx, dsn, ms); err == nil {
			t.Fatal("a failing migration was applied")
		}
		if got := scalar(t, `SELECT max(version)::text FROM `+schema+`.schema_migrations`); got != "1" {
			t.Errorf("schema version = %s, want 1", got)
		}
		if got := scalar(t, `SELECT count(*)::text FROM `+schema+`.jobs WHERE data::text LIKE '%"payload"%'`); got != "2" {
			t.Errorf("%s of 2 documents hold their payload", got)
		}
	})
}
