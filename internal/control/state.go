package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Reset and snapshots (issue 11, items 1 and 2):
//
//	POST /_amplifylite/reset   remove everything, or {"account","region","appId"}; answers {"removed":{"apps":n,...}}
//	GET  /_amplifylite/state   export a snapshot (?account=&region=&appId= narrow it)
//	POST /_amplifylite/state   import one (?mode=merge|replace); answers {"mode":…,"imported":{"apps":n,...}}

const (
	resetPath = "/_amplifylite/reset"
	statePath = "/_amplifylite/state"
)

// MaxSnapshotBytes is the largest snapshot POST /_amplifylite/state reads.
const MaxSnapshotBytes = 1 << 30

// State is the domain's reset, export and import, which the server hands to
// the plane once the domain exists (SetState).
type State interface {
	Reset(ctx context.Context, sc backend.Scope) (backend.RecordCounts, error)
	Export(ctx context.Context, sc backend.Scope) (*backend.Snapshot, error)
	Import(ctx context.Context, snap *backend.Snapshot, mode backend.ImportMode) (backend.RecordCounts, error)
}

// SetState gives the plane the domain's state operations; until then their
// endpoints answer 503.
func (p *Plane) SetState(s State) { p.state = s }

func (p *Plane) stateControl() (State, error) {
	if p.state == nil {
		return nil, errorf(http.StatusServiceUnavailable, "ServiceUnavailableException", "State control is not available yet")
	}
	return p.state, nil
}

func (p *Plane) reset(w http.ResponseWriter, r *http.Request) error {
	st, err := p.stateControl()
	if err != nil {
		return err
	}
	var sc backend.Scope
	if r.ContentLength != 0 {
		raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
		if err != nil {
			return badRequest("The request body could not be read: %v", err)
		}
		if len(raw) > 0 {
			if err := decodeStrict(raw, &sc); err != nil {
				return badRequest("The request body is not valid JSON for this endpoint: %v", err)
			}
		}
	}
	removed, err := st.Reset(r.Context(), sc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Removed backend.RecordCounts `json:"removed"`
	}{removed})
	return nil
}

func (p *Plane) exportState(w http.ResponseWriter, r *http.Request) error {
	st, err := p.stateControl()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "account", "region", "appId":
		default:
			return badRequest("Unknown query parameter %q (account, region and appId narrow the export)", k)
		}
	}
	snap, err := st.Export(r.Context(), backend.Scope{Account: q.Get("account"), Region: q.Get("region"), AppID: q.Get("appId")})
	if err != nil {
		return err
	}
	snap.Amplifylite = p.build.Version
	writeJSON(w, http.StatusOK, snap)
	return nil
}

func (p *Plane) importState(w http.ResponseWriter, r *http.Request) error {
	st, err := p.stateControl()
	if err != nil {
		return err
	}
	mode := backend.ImportMode(r.URL.Query().Get("mode"))
	if mode == "" {
		mode = backend.ImportMerge
	}
	if mode != backend.ImportMerge && mode != backend.ImportReplace {
		return badRequest("mode must be merge or replace, not %q", mode)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxSnapshotBytes))
	if err != nil {
		return badRequest("The snapshot could not be read: %v", err)
	}
	snap, err := DecodeSnapshot(raw)
	if err != nil {
		return badRequest("%v", err)
	}
	n, err := st.Import(r.Context(), snap, mode)
	var se *backend.SnapshotError
	if errors.As(err, &se) {
		return badRequest("The snapshot cannot be imported: %s", se.Message)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Mode     backend.ImportMode   `json:"mode"`
		Imported backend.RecordCounts `json:"imported"`
	}{mode, n})
	return nil
}

// DecodeSnapshot reads a snapshot document: its format name and version
// first, so that a newer version is refused as such rather than for members
// this release does not know, then the whole document, strictly.
func DecodeSnapshot(raw []byte) (*backend.Snapshot, error) {
	var head struct {
		Format  *string `json:"format"`
		Version *int    `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, errors.New("The snapshot is not a JSON object: " + err.Error())
	}
	if head.Format == nil || head.Version == nil {
		return nil, errors.New(`The snapshot has no "format" or no "version": it is not an amplifylite state document`)
	}
	if err := backend.CheckSnapshotHeader(*head.Format, *head.Version); err != nil {
		return nil, err
	}
	snap := new(backend.Snapshot)
	if err := decodeStrict(raw, snap); err != nil {
		return nil, errors.New("The snapshot is not a valid document of its version: " + err.Error())
	}
	return snap, nil
}

// decodeStrict decodes one JSON value, refusing unknown members.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}
