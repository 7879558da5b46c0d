package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The data model view reads the model introspection schema the API's model
// generation produced (GetBackendAPIModels), keeping the order of its
// models and fields.

type dataModel struct {
	Models    []modelView
	Enums     []enumView
	NonModels []modelView
	Edges     []edge // every relationship, for the overview
}

type modelView struct {
	Name, Plural string
	PrimaryKey   string
	SortKeys     []string
	Fields       []fieldView
	Keys         []keyView
	Relations    []relView
	Auth         []string
}

type fieldView struct {
	Name, Type string
	Required   bool
	Array      bool
	ReadOnly   bool
	Key        bool   // part of the primary key
	Target     string // the model, enum or non-model type it refers to
	TargetKind string // model, enum, nonModel
	Relation   string // HAS_MANY, HAS_ONE, BELONGS_TO
}

type keyView struct {
	Name, QueryField string
	Fields           []string
}

type relView struct {
	Field, Kind, Target string
	Via                 []string
}

type enumView struct {
	Name   string
	Values []string
}

type edge struct {
	From, Kind, To, Field string
}

type rawModel struct {
	Name       string          `json:"name"`
	PluralName string          `json:"pluralName"`
	Fields     json.RawMessage `json:"fields"`
	Attributes []struct {
		Type       string `json:"type"`
		Properties struct {
			Name       string            `json:"name"`
			Fields     []string          `json:"fields"`
			QueryField string            `json:"queryField"`
			Rules      []json.RawMessage `json:"rules"`
		} `json:"properties"`
	} `json:"attributes"`
	PrimaryKeyInfo *struct {
		PrimaryKeyFieldName string   `json:"primaryKeyFieldName"`
		SortKeyFieldNames   []string `json:"sortKeyFieldNames"`
	} `json:"primaryKeyInfo"`
}

type rawField struct {
	Name        string          `json:"name"`
	IsArray     bool            `json:"isArray"`
	Type        json.RawMessage `json:"type"`
	IsRequired  bool            `json:"isRequired"`
	IsReadOnly  bool            `json:"isReadOnly"`
	Association *struct {
		ConnectionType string          `json:"connectionType"`
		TargetNames    json.RawMessage `json:"targetNames"`
		TargetName     json.RawMessage `json:"targetName"`
		AssociatedWith json.RawMessage `json:"associatedWith"`
	} `json:"association"`
}

// parseIntrospection reads a model introspection schema.
func parseIntrospection(text string) (*dataModel, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &top); err != nil {
		return nil, err
	}
	out := &dataModel{}
	models, err := ordered[rawModel](top["models"])
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	for _, m := range models {
		mv, err := modelOf(m)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
		out.Models = append(out.Models, mv)
		for _, r := range mv.Relations {
			out.Edges = append(out.Edges, edge{From: mv.Name, Kind: r.Kind, To: r.Target, Field: r.Field})
		}
	}
	nonModels, err := ordered[rawModel](top["nonModels"])
	if err != nil {
		return nil, fmt.Errorf("nonModels: %w", err)
	}
	for _, m := range nonModels {
		mv, err := modelOf(m)
		if err != nil {
			return nil, fmt.Errorf("type %s: %w", m.Name, err)
		}
		out.NonModels = append(out.NonModels, mv)
	}
	enums, err := ordered[enumView](top["enums"])
	if err != nil {
		return nil, fmt.Errorf("enums: %w", err)
	}
	out.Enums = enums
	return out, nil
}

func modelOf(m rawModel) (modelView, error) {
	mv := modelView{Name: m.Name, Plural: m.PluralName}
	if pk := m.PrimaryKeyInfo; pk != nil {
		mv.PrimaryKey, mv.SortKeys = pk.PrimaryKeyFieldName, pk.SortKeyFieldNames
	}
	for _, a := range m.Attributes {
		switch a.Type {
		case "key":
			k := keyView{Name: a.Properties.Name, QueryField: a.Properties.QueryField, Fields: a.Properties.Fields}
			if k.Name == "" && mv.PrimaryKey == "" && len(k.Fields) > 0 {
				mv.PrimaryKey, mv.SortKeys = k.Fields[0], k.Fields[1:]
				continue
			}
			if k.Name != "" {
				mv.Keys = append(mv.Keys, k)
			}
		case "auth":
			for _, r := range a.Properties.Rules {
				mv.Auth = append(mv.Auth, authRule(r))
			}
		}
	}
	if mv.PrimaryKey == "" && m.Fields != nil {
		mv.PrimaryKey = "id"
	}
	fields, err := ordered[rawField](m.Fields)
	if err != nil {
		return mv, err
	}
	for _, f := range fields {
		fv := fieldView{Name: f.Name, Array: f.IsArray, Required: f.IsRequired, ReadOnly: f.IsReadOnly,
			Key: f.Name == mv.PrimaryKey || slices.Contains(mv.SortKeys, f.Name)}
		var scalar string
		var ref map[string]string
		switch {
		case json.Unmarshal(f.Type, &scalar) == nil:
			fv.Type = scalar
		case json.Unmarshal(f.Type, &ref) == nil:
			for kind, name := range ref {
				fv.TargetKind, fv.Target, fv.Type = kind, name, name
			}
		default:
			fv.Type = string(f.Type)
		}
		if a := f.Association; a != nil {
			fv.Relation = a.ConnectionType
			via := names(a.TargetNames)
			via = append(via, names(a.TargetName)...)
			via = append(via, names(a.AssociatedWith)...)
			mv.Relations = append(mv.Relations, relView{Field: f.Name, Kind: a.ConnectionType, Target: fv.Target, Via: via})
		}
		mv.Fields = append(mv.Fields, fv)
	}
	return mv, nil
}

// names reads a string or a list of strings.
func names(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	var many []string
	json.Unmarshal(raw, &many)
	return many
}

// authRule summarises an @auth rule: who, and which operations.
func authRule(raw json.RawMessage) string {
	var r struct {
		Allow      string   `json:"allow"`
		Provider   string   `json:"provider"`
		Groups     []string `json:"groups"`
		Operations []string `json:"operations"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return string(raw)
	}
	s := r.Allow
	if len(r.Groups) > 0 {
		s += " (" + strings.Join(r.Groups, ", ") + ")"
	}
	if r.Provider != "" {
		s += " via " + r.Provider
	}
	if len(r.Operations) > 0 {
		s += ": " + strings.Join(r.Operations, ", ")
	}
	return s
}

// ordered decodes a JSON object's values in the order of its members.
func ordered[T any](raw json.RawMessage) ([]T, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var out []T
	for dec.More() {
		if _, err := dec.Token(); err != nil { // the member's name
			return nil, err
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
