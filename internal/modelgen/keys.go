package modelgen

import "github.com/vektah/gqlparser/v2/ast"

// primaryKeyComponents is getModelPrimaryKeyComponentFields: the primary key
// field and its sort key fields (nil for a sort key field that does not exist).
func primaryKeyComponents(m *model) []*field {
	for _, f := range m.fields {
		m.visits++
		if f.pk != nil {
			out := make([]*field, 0, 1+len(f.pk.sortKeyFields))
			out = append(out, f)
			return append(out, f.pk.sortKeyFields...)
		}
	}
	return nil
}

// ensureIDField is the visitor's ensureIdField.
func ensureIDField(m *model) {
	if id := findField(m, "id"); id != nil {
		id.isNullable = false
		return
	}
	m.setFields(append([]*field{{name: "id", typ: "ID"}}, m.fields...))
}

// ensurePrimaryKeyField is the visitor's ensurePrimaryKeyField: it gives m's
// primary key field its primaryKeyInfo.
func (r *run) ensurePrimaryKeyField(m *model) error {
	var withPK *field
	for _, f := range m.fields {
		if firstDirective(f, "primaryKey") != nil {
			withPK = f
			break
		}
	}
	if withPK == nil {
		ensureIDField(m)
		id := findField(m, "id")
		id.pk = &primaryKeyInfo{kind: pkManaged}
		return nil
	}
	pkf := findField(m, withPK.name)
	if pkf.isNullable {
		return errAt(pkf.pos, "The primary key on type '%s' must reference non-null fields.", m.name)
	}
	d := flattenFind(m, "primaryKey", anyDirective)
	names := d.args.get("sortKeyFields")
	info := &primaryKeyInfo{}
	if n, ok := jsLength(names); ok && n > 0 {
		arr, isArr := names.([]any)
		if !isArr {
			return errAt(d.pos, "sortKeyFields of @primaryKey on %s.%s must be a list", m.name, pkf.name)
		}
		for _, v := range arr {
			info.sortKeyFields = append(info.sortKeyFields, findFieldValue(m, v))
			info.sortKeyNames = append(info.sortKeyNames, v)
		}
	}
	info.kind = pkCustom
	if pkf.name == "id" && len(info.sortKeyFields) == 0 {
		info.kind = pkOptionallyManaged
	}
	pkf.pk = info
	return nil
}

// processPrimaryKey is process-primary-key's processPrimaryKey: m's
// @primaryKey becomes its primary 'key' directive.
func (r *run) processPrimaryKey(m *model) {
	for _, d := range m.directives {
		if d.name == "key" && isUndefined(d.args.get("name")) {
			return
		}
	}
	var pkf *field
	var pkd *directive
	for _, f := range m.fields {
		if d := firstDirective(f, "primaryKey"); d != nil {
			pkf, pkd = f, d
			break
		}
	}
	if pkf == nil {
		return
	}
	args := newObject(1)
	args.set("fields", jsConcat([]any{pkf.name}, nullishDefault(pkd.args.get("sortKeyFields"), []any{})))
	m.directives = append(m.directives, &directive{name: "key", args: args})
}

// nullishDefault is v ?? def.
func nullishDefault(v, def any) any {
	if isNullish(v) {
		return def
	}
	return v
}

// processIndex is process-index's processIndex: each @index of m's fields
// becomes a named 'key' directive of m.
func (r *run) processIndex(m *model) error {
	var keys []*directive
	// indexMap: field name -> that field's @index directives; a repeated
	// field name keeps its first position and its last field.
	fields := keyedFields(m.fields)
	for _, f := range fields {
		for _, d := range f.directives {
			if d.name != "index" {
				continue
			}
			sk := nullishDefault(d.args.get("sortKeyFields"), []any{})
			name := d.args.get("name")
			if isNullish(name) {
				n, err := r.defaultIndexName(m.name, jsConcat([]any{f.name}, sk), d.pos)
				if err != nil {
					return err
				}
				name = n
			}
			args := newObject(3)
			args.set("name", name)
			args.set("queryField", d.args.get("queryField"))
			args.set("fields", jsConcat([]any{f.name}, sk))
			keys = append(keys, &directive{name: "key", args: args})
		}
	}
	var existing []any
	for _, d := range m.directives {
		if d.name == "key" && truthy(d.args.get("name")) {
			existing = append(existing, d.args.get("name"))
		}
	}
	for _, k := range keys {
		dup := false
		for _, e := range existing {
			if strictEquals(e, k.args.get("name")) {
				dup = true
				break
			}
		}
		if !dup {
			m.directives = append(m.directives, k)
		}
	}
	return nil
}

// defaultIndexName is generateDefaultIndexName.
func (r *run) defaultIndexName(modelName string, fields []any, pos *ast.Position) (string, error) {
	b := indexPrefix(modelName) + "By"
	for i, f := range fields {
		s, ok := f.(string)
		if !ok {
			return "", errAt(pos, "@index field names on %s must be strings", modelName)
		}
		if i > 0 {
			b += "And"
		}
		b += ucfirst(s)
	}
	return b, nil
}
