package modelgen

// hasManyConnection is processHasManyConnection.
func (r *run) hasManyConnection(f *field, m *model, d *directive, custom bool) (*connectionInfo, error) {
	if !f.isList {
		return nil, errAt(d.pos, "A field with hasMany must be a list type")
	}
	other, err := r.relatedModel(f, m, d)
	if err != nil {
		return nil, err
	}
	refs := or(d.args.get("references"), []any{})
	if n, _ := jsLength(refs); n > 0 {
		if _, err := r.connectedFieldForReferences(f, m, other, "hasMany"); err != nil {
			return nil, err
		}
		var awf []*field
		for _, ref := range refs.([]any) {
			awf = append(awf, findFieldValue(other, ref))
		}
		ci := &connectionInfo{kind: hasMany, connected: other, associatedWithFields: awf}
		if len(awf) > 0 {
			ci.associatedWith = awf[0]
		}
		return ci, nil
	}
	var fields []*field
	if custom {
		fields, err = r.connectedFieldsForHasMany(f, m, other)
	} else {
		var g *field
		g, err = r.connectedFieldV2(f, m, other, "hasMany")
		fields = []*field{g}
	}
	if err != nil {
		return nil, err
	}
	ci := &connectionInfo{kind: hasMany, connected: other, associatedWithFields: fields}
	if len(fields) > 0 {
		ci.associatedWith = fields[0]
	}
	return ci, nil
}

// connectedFieldsForHasMany is getConnectedFieldsForHasMany.
func (r *run) connectedFieldsForHasMany(f *field, m *model, other *model) ([]*field, error) {
	hm := firstDirective(f, "hasMany")
	indexName := hm.args.get("indexName")
	if truthy(hm.args.get("fields")) {
		var od *directive
		if truthy(indexName) {
			od = flattenFindIndex(other, indexName)
			if od == nil {
				return nil, errAt(hm.pos, "Error processing @hasMany directive on %s.%s, @index directive with name %s was not found in connected model %s", m.name, f.name, displayValue(indexName), other.name)
			}
		} else {
			od = flattenFind(other, "primaryKey", anyDirective)
		}
		name := "id"
		if od != nil {
			name = od.fieldName
		} else if bt := otherSideBelongsToField(m.name, other); bt != nil {
			name = bt.name
		}
		for g := range fieldsOfType(other, m.name) {
			for _, d := range g.directives {
				if d.name == "belongsTo" && truthy(d.args.get("fields")) && strictEquals(jsIndex(d.args.get("fields"), 0), name) {
					return []*field{g}, nil
				}
			}
		}
		g := findField(other, name)
		if g == nil {
			return nil, errAt(hm.pos, "Can not find key field %s in %s", name, other.name)
		}
		return []*field{g}, nil
	}
	comps := primaryKeyComponents(m)
	out := make([]*field, 0, len(comps))
	for _, c := range comps {
		if c == nil {
			return nil, errAt(hm.pos, "a sort key field of %s does not exist", m.name)
		}
		fk := connectionAttributeName(m.name, f.name, c.name)
		if g := findField(other, fk); g != nil {
			out = append(out, g)
		} else {
			out = append(out, &field{name: fk, typ: c.typ, isNullable: true})
		}
	}
	return out, nil
}

// hasManyHasImplicitKey is the plugin's hasManyHasImplicitKey: true unless
// the connected model's first field of type m has @belongsTo or the @hasMany
// names an index.
func hasManyHasImplicitKey(f *field, m *model, ci *connectionInfo) bool {
	hasBelongsTo := false
	for g := range fieldsOfType(ci.connected, m.name) {
		hasBelongsTo = firstDirective(g, "belongsTo") != nil
		break
	}
	hasIndexName := false
	for _, d := range f.directives {
		if d.name == "hasMany" && truthy(d.args.get("indexName")) {
			hasIndexName = true
			break
		}
	}
	return !(hasBelongsTo || hasIndexName)
}

// addHasManyKey is the plugin's addHasManyKey: the 'gsi-Model.field' key of
// the connected model.
func addHasManyKey(f *field, m *model, ci *connectionInfo) error {
	fields := ci.associatedWithFields
	if len(fields) == 0 {
		fields = []*field{ci.associatedWith}
	}
	names := make([]any, 0, len(fields))
	for _, af := range fields {
		if af == nil {
			return errAt(f.pos, "@hasMany on %s.%s: a referenced field does not exist", m.name, f.name)
		}
		names = append(names, af.name)
	}
	args := newObject(2)
	args.set("name", "gsi-"+m.name+"."+f.name)
	args.set("fields", names)
	ci.connected.directives = append(ci.connected.directives, &directive{name: "key", args: args})
	return nil
}
