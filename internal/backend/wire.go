package backend

import (
	"encoding/json"
	"fmt"
)

// recode converts between a structure of the API model and a record of the
// domain (records.go), which have the same JSON members: it is the one
// conversion in each direction, so that a newer API model changes this and
// the records' tests, never what is stored. Members the target lacks are
// dropped (e.g. a storage job's response has no operation).
func recode[T any](v any) (*T, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		return nil, fmt.Errorf("convert %T to %T: %w", v, out, err)
	}
	return out, nil
}
