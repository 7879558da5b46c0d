package backend

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
)

// packGenerated compresses a model generation's two outputs into the form
// Resource.Generated stores: DEFLATE of models, a NUL, introspection (neither
// text holds a NUL: both are JavaScript/JSON text with escaped controls).
func packGenerated(models, introspection string) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	for _, s := range []string{models, "\x00", introspection} {
		if _, err := io.WriteString(w, s); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GeneratedModels returns the outputs of the resource's last model
// generation, from whichever form the record holds; ok is false when models
// were never generated.
func (r *Resource) GeneratedModels() (models, introspection string, ok bool, err error) {
	if len(r.Generated) == 0 {
		return r.Models, r.Introspection, r.Models != "", nil
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(r.Generated)))
	if err != nil {
		return "", "", false, fmt.Errorf("read generated models of %s %s: %w", r.Kind, r.Name, err)
	}
	models, introspection, found := strings.Cut(string(raw), "\x00")
	if !found {
		return "", "", false, fmt.Errorf("read generated models of %s %s: no separator", r.Kind, r.Name)
	}
	return models, introspection, true, nil
}

// setGenerated records a generation's outputs, compressed, and the hash of
// the schema they came from; with no outputs it forgets the last generation.
func (r *Resource) setGenerated(packed []byte, hash string) {
	r.Generated, r.ModelsSchemaHash = packed, hash
	r.Models, r.Introspection = "", ""
}
