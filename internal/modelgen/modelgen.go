package modelgen

import (
	"fmt"
)

// Options are the generator options that change these outputs; the zero
// value means the defaults of graphql-generator 0.5.4.
type Options struct {
	// RespectPrimaryKeyAttributesOnConnectionField: nil means true. False is
	// the format of projects created before custom primary keys.
	RespectPrimaryKeyAttributesOnConnectionField *bool
	// AddTimestampFields: nil means true. False leaves out the implicit
	// createdAt and updatedAt fields.
	AddTimestampFields *bool
}

// Result holds the two outputs as the API returns them.
type Result struct {
	// Models is "export const schema = {...};" exactly as the schema.js text
	// the official generator writes.
	Models string
	// ModelIntrospectionSchema is the model introspection schema, JSON text.
	ModelIntrospectionSchema string
}

// SchemaError is a schema the generator rejects. Line and Column (1-based)
// locate it in the schema text (the type, field or directive concerned).
type SchemaError struct {
	Line    int
	Column  int
	Message string
}

func (e *SchemaError) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

const modelsPrefix = "export const schema = "

// Generate returns both outputs for a transformer v2 schema. A schema the
// generator rejects gives a *SchemaError.
func Generate(schema string, opts Options) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			// Every input is meant to be handled by generate (FuzzGenerate
			// checks it); this keeps a bug from taking the server down.
			res, err = Result{}, &SchemaError{Message: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	return generate(schema, opts)
}

func generate(schema string, opts Options) (Result, error) {
	ro := resolvedOptions{respectPK: true, timestamps: true}
	if opts.RespectPrimaryKeyAttributesOnConnectionField != nil {
		ro.respectPK = *opts.RespectPrimaryKeyAttributesOnConnectionField
	}
	if opts.AddTimestampFields != nil {
		ro.timestamps = *opts.AddTimestampFields
	}
	doc, err := parseSchema(schema)
	if err != nil {
		return Result{}, err
	}
	protos, err := convertDocument(doc)
	if err != nil {
		return Result{}, err
	}
	modelProtos, err := protosForModels(doc, protos)
	if err != nil {
		return Result{}, err
	}
	if ro.respectPK && modelProtos == nil {
		// With custom primary keys on (the default) the two visitors
		// process the schema identically and differ only in what they
		// write: process once, write both.
		r := &run{opts: ro, target: targetModels, sizeHint: 16*doc.size + 4096}
		if err := r.load(doc, protos); err != nil {
			return Result{}, err
		}
		if err := r.process(); err != nil {
			return Result{}, err
		}
		// The two texts are written concurrently from the processed
		// (from now on read-only) schema.
		ri := *r
		ri.target = targetIntrospection
		var intro string
		var introErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() {
				if p := recover(); p != nil {
					introErr = &SchemaError{Message: fmt.Sprintf("internal error: %v", p)}
				}
			}()
			intro, introErr = ri.introspectionJSON()
		}()
		models, err := r.modelsJSON()
		<-done
		if err != nil {
			return Result{}, err
		}
		if introErr != nil {
			return Result{}, introErr
		}
		return Result{Models: models, ModelIntrospectionSchema: intro}, nil
	}
	if modelProtos == nil {
		modelProtos = protos
	}
	models, _, err := generateTarget(doc, modelProtos, ro, targetModels)
	if err != nil {
		return Result{}, err
	}
	intro, _, err := generateTarget(doc, protos, ro, targetIntrospection)
	if err != nil {
		return Result{}, err
	}
	return Result{Models: models, ModelIntrospectionSchema: intro}, nil
}

// protosForModels returns the definitions as schema.js sees them when they
// differ from protos (what model-introspection.json sees), nil otherwise:
// graphql-generator merges the parsed schema once for the introspection
// target but four times for the javascript one, and a merge can add to
// directive arguments again (merger.merge).
func protosForModels(doc *document, protos []*protoType) ([]*protoType, error) {
	if doc.merger == nil {
		return nil, nil
	}
	changed := false
	for range 3 {
		c, err := doc.merger.merge()
		if err != nil {
			return nil, err
		}
		changed = changed || c
	}
	if !changed {
		return nil, nil
	}
	return convertDocument(doc)
}

// generateTarget runs one visitor; it also returns the version preimage.
func generateTarget(doc *document, protos []*protoType, ro resolvedOptions, t target) (string, string, error) {
	r := &run{opts: ro, target: t, sizeHint: 16*doc.size + 4096}
	if err := r.load(doc, protos); err != nil {
		return "", "", err
	}
	if err := r.process(); err != nil {
		return "", "", err
	}
	if t == targetModels {
		s, err := r.modelsJSON()
		return s, r.preimage, err
	}
	s, err := r.introspectionJSON()
	return s, "", err
}
