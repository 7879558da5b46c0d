package modelgen

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strconv"
)

// codegenVersion is the constant the plugin writes into the models output.
const codegenVersion = "3.4.4"

// keyedFields returns the fields as the keys of `acc[field.name] = ...`
// enumerate: a repeated name keeps its first position and its last field;
// array-index names come first.
func keyedFields(fs []*field) []*field {
	if len(fs) <= 32 {
		plain := true
		for i, f := range fs {
			if isArrayIndex(f.name) {
				plain = false
				break
			}
			for _, g := range fs[:i] {
				if g.name == f.name {
					plain = false
					break
				}
			}
		}
		if plain {
			return fs
		}
	}
	out := make([]*field, 0, len(fs))
	var pos map[string]int
	if len(fs) > 32 {
		pos = make(map[string]int, len(fs))
	}
	hasIndex := false
	for _, f := range fs {
		i := -1
		if pos != nil {
			if j, ok := pos[f.name]; ok {
				i = j
			}
		} else {
			for j, g := range out {
				if g.name == f.name {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			out[i] = f
			continue
		}
		if pos != nil {
			pos[f.name] = len(out)
		}
		out = append(out, f)
		if !hasIndex && isArrayIndex(f.name) {
			hasIndex = true
		}
	}
	if hasIndex {
		var ints, rest []*field
		for _, f := range out {
			if isArrayIndex(f.name) {
				ints = append(ints, f)
			} else {
				rest = append(rest, f)
			}
		}
		slices.SortStableFunc(ints, func(a, b *field) int {
			x, _ := strconv.ParseUint(a.name, 10, 64)
			y, _ := strconv.ParseUint(b.name, 10, 64)
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
		out = append(ints, rest...)
	}
	return out
}

// typeRef is the value of a field's "type" key: a scalar name (kind "")
// or {kind: name}.
type typeRef struct {
	kind string
	name string
}

// fieldType is getType. skip is true for the union and interface types the
// introspection visitor leaves out; ok is false for a type it rejects.
func (r *run) fieldType(typ string) (t typeRef, skip bool, ok bool) {
	if isObjectPrototypeKey(typ) {
		return t, false, false
	}
	if metadataScalars[typ] {
		return typeRef{"", typ}, false, true
	}
	if e, found := r.enumBy[typ]; found {
		return typeRef{"enum", e.name}, false, true
	}
	if _, found := r.nonModel.by[typ]; found {
		return typeRef{"nonModel", typ}, false, true
	}
	if _, found := r.models.by[typ]; found {
		return typeRef{"model", typ}, false, true
	}
	if r.target == targetIntrospection {
		if _, found := r.inputBy[typ]; found {
			return typeRef{"input", typ}, false, true
		}
		if r.unions[typ] || r.ifaces[typ] {
			return t, true, true
		}
	}
	return t, false, false
}

// writeTypeValue writes a field's "type" value.
func writeTypeValue(w *jsonWriter, t typeRef) {
	if t.kind == "" {
		writeJSONString(&w.buf, t.name)
		return
	}
	w.beginObject()
	first := true
	w.prop(&first, t.kind)
	writeJSONString(&w.buf, t.name)
	w.endObject(false)
}

func unknownType(f *field, typ string) error {
	if isObjectPrototypeKey(typ) {
		// `typ in {...}` finds Object.prototype.typ in the generator.
		return errAt(f.pos, "the generator cannot handle a field of a type named %s", typ)
	}
	return errAt(f.pos, "Unknown type %s", typ)
}

func (r *run) writeFields(w *jsonWriter, fs []*field) error {
	w.beginObject()
	first := true
	for _, f := range keyedFields(fs) {
		t, skip, ok := r.fieldType(f.typ)
		if !ok {
			return unknownType(f, f.typ)
		}
		if skip {
			continue
		}
		w.prop(&first, f.name)
		w.beginObject()
		ff := true
		w.propKey(&ff, "name")
		writeJSONString(&w.buf, f.name)
		w.propKey(&ff, "isArray")
		w.bool(f.isList)
		w.propKey(&ff, "type")
		writeTypeValue(w, t)
		w.propKey(&ff, "isRequired")
		w.bool(!f.isNullable)
		w.propKey(&ff, "attributes")
		w.buf.WriteString("[]")
		if f.listNullable != listNullableUnset {
			w.propKey(&ff, "isArrayNullable")
			w.bool(f.listNullable == listNullableTrue)
		}
		if f.isReadOnly {
			w.propKey(&ff, "isReadOnly")
			w.bool(true)
		}
		if f.conn != nil {
			a, err := r.association(f)
			if err != nil {
				return err
			}
			w.propKey(&ff, "association")
			w.value(a)
		}
		w.endObject(false)
	}
	w.endObject(first)
	return nil
}

func fieldNames(f *field, fs []*field) ([]any, error) {
	out := make([]any, 0, len(fs))
	for _, g := range fs {
		if g == nil {
			return nil, errAt(f.pos, "a field named by the relation on %s does not exist", f.name)
		}
		out = append(out, g.name)
	}
	return out, nil
}

// association is getFieldAssociation of the visitor being reproduced.
func (r *run) association(f *field) (*jsObject, error) {
	ci := f.conn
	a := newObject(3)
	a.set("connectionType", ci.kind.String())
	legacy := r.target == targetModels && !r.customPK()
	single := func(g *field) (any, error) {
		if g == nil {
			return nil, errAt(f.pos, "a field named by the relation on %s does not exist", f.name)
		}
		return g.name, nil
	}
	first := func(v []any) any {
		if len(v) == 0 {
			return undefinedValue
		}
		return v[0]
	}
	switch ci.kind {
	case hasMany:
		if legacy {
			n, err := single(ci.associatedWith)
			if err != nil {
				return nil, err
			}
			a.set("associatedWith", n)
		} else {
			n, err := fieldNames(f, ci.associatedWithFields)
			if err != nil {
				return nil, err
			}
			a.set("associatedWith", n)
		}
	case hasOne:
		if legacy {
			n, err := single(ci.associatedWith)
			if err != nil {
				return nil, err
			}
			a.set("associatedWith", n)
			a.set("targetName", first(ci.targetNames))
		} else {
			n, err := fieldNames(f, ci.associatedWithFields)
			if err != nil {
				return nil, err
			}
			a.set("associatedWith", n)
			switch {
			case ci.targetNames != nil:
				a.set("targetNames", ci.targetNames)
			case r.target == targetIntrospection:
				a.set("targetNames", []any{})
			}
		}
	default:
		if legacy {
			a.set("targetName", first(ci.targetNames))
		} else {
			a.set("targetNames", ci.targetNames)
		}
	}
	return a, nil
}

func (r *run) writeModel(w *jsonWriter, m *model) error {
	w.beginObject()
	first := true
	w.propKey(&first, "name")
	writeJSONString(&w.buf, m.name)
	w.propKey(&first, "fields")
	if err := r.writeFields(w, m.fields); err != nil {
		return err
	}
	w.propKey(&first, "syncable")
	w.bool(true)
	w.propKey(&first, "pluralName")
	writeJSONString(&w.buf, r.plural(m.name))
	w.propKey(&first, "attributes")
	if len(m.directives) == 0 {
		w.buf.WriteString("[]")
	} else {
		w.buf.WriteByte('[')
		w.depth++
		for i, d := range m.directives {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.newline()
			w.beginObject()
			ff := true
			w.propKey(&ff, "type")
			writeJSONString(&w.buf, d.name)
			w.propKey(&ff, "properties")
			w.object(d.args)
			w.endObject(false)
		}
		w.depth--
		w.newline()
		w.buf.WriteByte(']')
	}
	if r.target == targetIntrospection {
		var pkf *field
		for _, f := range m.fields {
			if f.pk != nil {
				pkf = f
				break
			}
		}
		if pkf == nil {
			return errAt(m.pos, "No primary key found for model %s", m.name)
		}
		names := make([]any, 0, len(pkf.pk.sortKeyFields))
		for i, s := range pkf.pk.sortKeyFields {
			if s == nil {
				return errAt(pkf.pos, "sort key field %s of %s does not exist", stringifyCompact(pkf.pk.sortKeyNames[i]), m.name)
			}
			names = append(names, s.name)
		}
		w.propKey(&first, "primaryKeyInfo")
		w.beginObject()
		ff := true
		w.propKey(&ff, "isCustomPrimaryKey")
		w.bool(pkf.pk.kind == pkCustom)
		w.propKey(&ff, "primaryKeyFieldName")
		writeJSONString(&w.buf, pkf.name)
		w.propKey(&ff, "sortKeyFieldNames")
		w.value(names)
		w.endObject(false)
	}
	w.endObject(false)
	return nil
}

func (r *run) writeNonModel(w *jsonWriter, m *model) error {
	w.beginObject()
	first := true
	w.propKey(&first, "name")
	writeJSONString(&w.buf, m.name)
	w.propKey(&first, "fields")
	if err := r.writeFields(w, m.fields); err != nil {
		return err
	}
	w.endObject(false)
	return nil
}

func (r *run) writeEnums(w *jsonWriter) {
	w.beginObject()
	first := true
	for _, e := range r.enums {
		w.prop(&first, e.name)
		w.beginObject()
		ff := true
		w.propKey(&ff, "name")
		writeJSONString(&w.buf, e.name)
		w.propKey(&ff, "values")
		vals := make([]any, 0, e.values.len())
		e.values.each(func(_ string, v any) { vals = append(vals, v) })
		w.value(vals)
		w.endObject(false)
	}
	w.endObject(first)
}

func (r *run) writeModelsAndNonModels(w *jsonWriter, first *bool, nonModelsFirst bool) error {
	writeModels := func() error {
		w.propKey(first, "models")
		w.beginObject()
		ff := true
		for _, m := range r.models.values() {
			w.prop(&ff, m.name)
			if err := r.writeModel(w, m); err != nil {
				return err
			}
		}
		w.endObject(ff)
		return nil
	}
	if err := writeModels(); err != nil {
		return err
	}
	w.propKey(first, "enums")
	r.writeEnums(w)
	w.propKey(first, "nonModels")
	w.beginObject()
	ff := true
	for _, m := range r.nonModel.values() {
		w.prop(&ff, m.name)
		if err := r.writeNonModel(w, m); err != nil {
			return err
		}
	}
	w.endObject(ff)
	return nil
}

// modelsJSON is the text of schema.js: the prefix, JSON.stringify(obj, null, 4) and `;`.
func (r *run) modelsJSON() (string, error) {
	version := r.computeVersion()
	w := &jsonWriter{indent: 4}
	w.buf.Grow(r.sizeHint)
	w.buf.WriteString(modelsPrefix)
	w.beginObject()
	first := true
	if err := r.writeModelsAndNonModels(w, &first, false); err != nil {
		return "", err
	}
	w.propKey(&first, "codegenVersion")
	writeJSONString(&w.buf, codegenVersion)
	w.propKey(&first, "version")
	writeJSONString(&w.buf, version)
	w.endObject(false)
	w.buf.WriteByte(';')
	return w.buf.String(), nil
}

// introspectionJSON is model-introspection.json.
func (r *run) introspectionJSON() (string, error) {
	w := &jsonWriter{indent: 4}
	w.buf.Grow(r.sizeHint)
	w.beginObject()
	first := true
	w.propKey(&first, "version")
	w.value(float64(1))
	if err := r.writeModelsAndNonModels(w, &first, false); err != nil {
		return "", err
	}
	for _, sec := range []struct {
		name string
		ops  []*field
	}{{"queries", r.queries}, {"mutations", r.mutation}, {"subscriptions", r.subs}} {
		if err := r.writeOperations(w, &first, sec.name, sec.ops); err != nil {
			return "", err
		}
	}
	if len(r.inputs) > 0 {
		w.propKey(&first, "inputs")
		w.beginObject()
		ff := true
		for _, in := range r.inputs {
			w.prop(&ff, in.name)
			w.beginObject()
			f2 := true
			w.propKey(&f2, "name")
			writeJSONString(&w.buf, in.name)
			w.propKey(&f2, "attributes")
			if err := r.writeArguments(w, in.fields); err != nil {
				return "", err
			}
			w.endObject(false)
		}
		w.endObject(ff)
	}
	w.endObject(false)
	return w.buf.String(), nil
}

func (r *run) writeOperations(w *jsonWriter, first *bool, section string, ops []*field) error {
	type op struct {
		f *field
		t typeRef
	}
	var list []op
	for _, f := range ops {
		t, skip, ok := r.fieldType(f.typ)
		if !ok {
			return unknownType(f, f.typ)
		}
		if skip {
			continue
		}
		list = append(list, op{f, t})
	}
	if len(list) == 0 {
		return nil
	}
	w.prop(first, section)
	w.beginObject()
	ff := true
	for _, o := range list {
		f := o.f
		w.prop(&ff, f.name)
		w.beginObject()
		f2 := true
		w.propKey(&f2, "name")
		writeJSONString(&w.buf, f.name)
		w.propKey(&f2, "isArray")
		w.bool(f.isList)
		w.propKey(&f2, "type")
		writeTypeValue(w, o.t)
		w.propKey(&f2, "isRequired")
		w.bool(!f.isNullable)
		if f.listNullable != listNullableUnset {
			w.propKey(&f2, "isArrayNullable")
			w.bool(f.listNullable == listNullableTrue)
		}
		if len(f.params) > 0 {
			w.propKey(&f2, "arguments")
			if err := r.writeArguments(w, f.params); err != nil {
				return err
			}
		}
		w.endObject(false)
	}
	w.endObject(ff)
	return nil
}

// writeArguments writes operation arguments and input attributes.
func (r *run) writeArguments(w *jsonWriter, params []*field) error {
	w.beginObject()
	first := true
	for _, p := range keyedFields(params) {
		t, skip, ok := r.fieldType(p.typ)
		if !ok || skip {
			return unknownType(p, p.typ)
		}
		w.prop(&first, p.name)
		w.beginObject()
		ff := true
		w.propKey(&ff, "name")
		writeJSONString(&w.buf, p.name)
		w.propKey(&ff, "isArray")
		w.bool(p.isList)
		w.propKey(&ff, "type")
		writeTypeValue(w, t)
		w.propKey(&ff, "isRequired")
		w.bool(!p.isNullable)
		if p.listNullable != listNullableUnset {
			w.propKey(&ff, "isArrayNullable")
			w.bool(p.listNullable == listNullableTrue)
		}
		w.endObject(false)
	}
	w.endObject(first)
	return nil
}

// ---- version ----

// computeVersion is the MD5 of the canonical summary of models and non-models.
func (r *run) computeVersion() string {
	type entry struct {
		name string
		m    *model
	}
	// Object.values({...modelMap, ...nonModelMap})
	var entries []entry
	pos := map[string]int{}
	for _, m := range r.models.values() {
		pos[m.name] = len(entries)
		entries = append(entries, entry{m.name, m})
	}
	for _, m := range r.nonModel.values() {
		if i, ok := pos[m.name]; ok {
			entries[i].m = m
			continue
		}
		pos[m.name] = len(entries)
		entries = append(entries, entry{m.name, m})
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return compareUTF16(a.m.name, b.m.name) })
	w := &jsonWriter{}
	w.buf.Grow(6*r.sizeHint/16 + 1024)
	w.buf.WriteByte('[')
	for i, e := range entries {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.buf.WriteString(`{"name":`)
		writeJSONString(&w.buf, e.m.name)
		w.buf.WriteString(`,"directives":[`)
		n := 0
		for _, d := range e.m.directives {
			if d.name == "primaryKey" || d.name == "index" {
				if n > 0 {
					w.buf.WriteByte(',')
				}
				n++
				writeDirectiveJSON(w, d)
			}
		}
		w.buf.WriteString(`],"fields":[`)
		fs := slices.Clone(e.m.fields)
		slices.SortStableFunc(fs, func(a, b *field) int { return compareUTF16(a.name, b.name) })
		for j, f := range fs {
			if j > 0 {
				w.buf.WriteByte(',')
			}
			w.buf.WriteString(`{"name":`)
			writeJSONString(&w.buf, f.name)
			w.buf.WriteString(`,"directives":[`)
			n := 0
			for _, d := range f.directives {
				switch d.name {
				case "hasOne", "belongsTo", "hasMany", "manyToMany":
					if n > 0 {
						w.buf.WriteByte(',')
					}
					n++
					writeDirectiveJSON(w, d)
				}
			}
			w.buf.WriteString(`],"type":`)
			writeJSONString(&w.buf, f.typ)
			w.buf.WriteString(`,"isNullable":`)
			w.bool(f.isNullable)
			w.buf.WriteString(`,"isList":`)
			w.bool(f.isList)
			if f.listNullable != listNullableUnset {
				w.buf.WriteString(`,"isListNullable":`)
				w.bool(f.listNullable == listNullableTrue)
			}
			w.buf.WriteByte('}')
		}
		w.buf.WriteString(`]}`)
	}
	w.buf.WriteByte(']')
	r.preimage = w.buf.String()
	sum := md5.Sum([]byte(r.preimage))
	return hex.EncodeToString(sum[:])
}

func writeDirectiveJSON(w *jsonWriter, d *directive) {
	w.buf.WriteString(`{"name":`)
	writeJSONString(&w.buf, d.name)
	w.buf.WriteString(`,"arguments":`)
	w.object(d.args)
	if d.stamped {
		w.buf.WriteString(`,"fieldName":`)
		writeJSONString(&w.buf, d.fieldName)
	}
	w.buf.WriteByte('}')
}
