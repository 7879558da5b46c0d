package modelgen

// processConnections is the visitor's processConnectionDirectivesV2: the
// many-to-many join models first, then every model's relations; without
// custom primary keys, the belongsTo target fields the plugin removes again.
func (r *run) processConnections() error {
	if err := r.processManyToMany(); err != nil {
		return err
	}
	custom := r.customPK()
	for _, m := range r.models.values() {
		if err := r.connectFields(m, custom); err != nil {
			return err
		}
		r.dropUnconnectedFields(m)
	}
	if !custom {
		for _, m := range r.models.values() {
			r.removeBelongsToTargets(m)
		}
	}
	return nil
}

// connectFields gives each field m has when it starts (those it adds are not
// visited, as with forEach) its relation, if any, and adds the fields that
// relation needs.
func (r *run) connectFields(m *model, custom bool) error {
	fs := m.fields
	n := len(fs)
	for i := 0; i < n; i++ {
		f := fs[i]
		ci, err := r.connection(f, m, custom)
		if err != nil {
			return err
		}
		if ci == nil {
			continue
		}
		switch ci.kind {
		case hasMany:
			err = addHasManyFields(f, m, ci, custom)
		case hasOne:
			err = addHasOneTargets(f, m, ci, custom)
		case belongsTo:
			err = addBelongsToTargets(f, m, ci, custom)
		}
		if err != nil {
			return err
		}
		f.conn = ci
	}
	return nil
}

// addHasManyFields adds the associated fields of a hasMany to the connected
// model, and the key of a hasMany that has an implicit one.
func addHasManyFields(f *field, m *model, ci *connectionInfo, custom bool) error {
	if custom {
		for _, af := range ci.associatedWithFields {
			if af == nil {
				return errAt(f.pos, "@hasMany on %s.%s: a referenced field does not exist in %s", m.name, f.name, ci.connected.name)
			}
			addFieldToModel(ci.connected, af)
		}
	} else {
		if ci.associatedWith == nil {
			return errAt(f.pos, "@hasMany on %s.%s: a referenced field does not exist in %s", m.name, f.name, ci.connected.name)
		}
		addFieldToModel(ci.connected, ci.associatedWith)
	}
	if hasManyHasImplicitKey(f, m, ci) {
		if err := addHasManyKey(f, m, ci); err != nil {
			return err
		}
	}
	return nil
}

// addHasOneTargets adds the target fields of a hasOne to m.
func addHasOneTargets(f *field, m *model, ci *connectionInfo, custom bool) error {
	if custom {
		comps := primaryKeyComponents(ci.connected)
		if len(comps) > 0 && ci.targetNames != nil {
			if err := addTargets(m, f, ci.targetNames, comps); err != nil {
				return err
			}
		}
	} else if len(ci.targetNames) > 0 && truthy(ci.targetNames[0]) {
		name, ok := ci.targetNames[0].(string)
		if !ok {
			return errAt(f.pos, "@hasOne on %s.%s: field names must be strings", m.name, f.name)
		}
		addFieldToModel(m, &field{name: name, typ: "ID", isNullable: f.isNullable})
	}
	return nil
}

// addBelongsToTargets adds the target fields of a belongsTo to m.
func addBelongsToTargets(f *field, m *model, ci *connectionInfo, custom bool) error {
	if custom {
		comps := primaryKeyComponents(ci.connected)
		if len(comps) > 0 {
			if err := addTargets(m, f, ci.targetNames, comps); err != nil {
				return err
			}
		}
	} else {
		var t any = undefinedValue
		if len(ci.targetNames) > 0 {
			t = ci.targetNames[0]
		}
		name, ok := t.(string)
		if !ok {
			return errAt(f.pos, "@belongsTo on %s.%s: field names must be strings", m.name, f.name)
		}
		addFieldToModel(m, &field{name: name, typ: "ID", isNullable: f.isNullable})
	}
	return nil
}

// dropUnconnectedFields drops m's fields of a model type without a relation.
func (r *run) dropUnconnectedFields(m *model) {
	kept := make([]*field, 0, len(m.fields))
	for _, f := range m.fields {
		if f.conn == nil && r.isModelName(f.typ) {
			continue
		}
		kept = append(kept, f)
	}
	m.setFields(kept)
}

// removeBelongsToTargets is the last step without custom primary keys: it
// removes from m the target field of each of its belongsTo relations, unless
// the target is id, comes from references, or (introspection only) is m's
// primary key.
func (r *run) removeBelongsToTargets(m *model) {
	comps := primaryKeyComponents(m)
	pkName := ""
	if len(comps) > 0 && comps[0] != nil {
		pkName = comps[0].name
	}
	var drop map[string]bool
	for _, f := range m.fields {
		ci := f.conn
		if ci == nil || ci.kind != belongsTo || len(ci.targetNames) == 0 {
			continue
		}
		t, ok := ci.targetNames[0].(string)
		if !ok || t == "" || t == "id" || ci.usingReferences {
			continue
		}
		if r.target == targetIntrospection && pkName != "" && pkName == t {
			continue
		}
		if drop == nil {
			drop = map[string]bool{}
		}
		drop[t] = true
	}
	if drop != nil {
		removeFieldsFromModel(m, drop)
	}
}

// isModelName reports whether some model in the map has that name.
func (r *run) isModelName(name string) bool {
	_, ok := r.models.by[name]
	return ok
}

// addTargets adds the foreign key fields a hasOne/belongsTo needs, typed like
// the connected model's key components.
func addTargets(m *model, f *field, targets []any, comps []*field) error {
	for i, t := range targets {
		if i >= len(comps) || comps[i] == nil {
			return errAt(f.pos, "relation on %s.%s names more fields than the related model's primary key has", m.name, f.name)
		}
		name, ok := t.(string)
		if !ok {
			return errAt(f.pos, "relation on %s.%s: field names must be strings", m.name, f.name)
		}
		addFieldToModel(m, &field{name: name, typ: comps[i].typ, isNullable: f.isNullable})
	}
	return nil
}

// connection is processConnectionsV2: f's relation, nil if it has none.
func (r *run) connection(f *field, m *model, custom bool) (*connectionInfo, error) {
	for _, d := range f.directives {
		switch d.name {
		case "hasOne":
			return r.hasOneConnection(f, m, d, custom)
		case "belongsTo":
			return r.belongsToConnection(f, m, d, custom)
		case "hasMany":
			return r.hasManyConnection(f, m, d, custom)
		}
	}
	return nil, nil
}

func (r *run) relatedModel(f *field, m *model, d *directive) (*model, error) {
	other := r.models.get(f.typ)
	if other == nil {
		if isObjectPrototypeKey(f.typ) {
			return nil, errAt(d.pos, "@%s on %s.%s: the generator cannot handle a type named %s", d.name, m.name, f.name, f.typ)
		}
		return nil, errAt(d.pos, "@%s on %s.%s: %s is not a model", d.name, m.name, f.name, f.typ)
	}
	return other, nil
}

// connectionAttributeName is makeConnectionAttributeName.
func connectionAttributeName(typ, fieldName, comp string) string {
	return toCamelCaseWords(typ, fieldName, comp)
}

// connectedFieldForReferences is getConnectedFieldForReferences.
func (r *run) connectedFieldForReferences(f *field, m *model, other *model, dirName string) (*field, error) {
	ci := firstDirective(f, dirName)
	refs := ci.args.get("references")
	if !truthy(refs) {
		return nil, errAt(ci.pos, "The %s on model %s does not have references.", f.name, m.name)
	}
	if truthy(ci.args.get("fields")) {
		return nil, errAt(ci.pos, "'fields' and 'references' cannot be used together.")
	}
	want := stringifyCompact(refs)
	if dirName == "belongsTo" {
		for _, g := range belongsToConnectedFields(m, other) {
			for _, d := range g.directives {
				if (d.name == "hasOne" || d.name == "hasMany") && truthy(d.args.get("references")) && stringifyCompact(d.args.get("references")) == want {
					return g, nil
				}
			}
		}
		return nil, errAt(ci.pos, "Error processing @belongsTo directive on %s.%s. @hasOne or @hasMany directive with references %s was not found in connected model %s", m.name, f.name, want, other.name)
	}
	d := flattenFind(other, "", func(d *directive) bool {
		return truthy(d.args.get("references")) && stringifyCompact(d.args.get("references")) == want
	})
	if d == nil {
		return nil, errAt(ci.pos, "Error processing @%s directive on %s.%s. @belongsTo directive with references %s was not found in connected model %s", dirName, m.name, f.name, want, other.name)
	}
	return findField(other, d.fieldName), nil
}

// connectedFieldV2 is the pre-custom-primary-key lookup of the other side's field.
func (r *run) connectedFieldV2(f *field, m *model, other *model, dirName string) (*field, error) {
	ci := firstDirective(f, dirName)
	if dirName == "belongsTo" {
		if c := belongsToConnectedFields(m, other); len(c) == 1 {
			return c[0], nil
		}
	}
	indexName := ci.args.get("indexName")
	if truthy(ci.args.get("fields")) || dirName == "hasOne" {
		var cd *directive
		if truthy(indexName) {
			cd = flattenFindIndex(other, indexName)
			if cd == nil {
				return nil, errAt(ci.pos, "Error processing @%s directive on %s.%s, @index directive with name %s was not found in connected model %s", ci.name, m.name, f.name, displayValue(indexName), other.name)
			}
		} else {
			cd = flattenFind(other, "primaryKey", anyDirective)
		}
		name := "id"
		if cd != nil {
			name = cd.fieldName
		} else if bt := otherSideBelongsToField(m.name, other); bt != nil {
			name = bt.name
		}
		for g := range fieldsOfType(other, m.name) {
			for _, d := range g.directives {
				if (d.name == "belongsTo" || d.name == "hasOne" || d.name == "hasMany") && truthy(d.args.get("fields")) && strictEquals(jsIndex(d.args.get("fields"), 0), name) {
					return g, nil
				}
			}
		}
		g := findField(other, name)
		if g == nil {
			return nil, errAt(ci.pos, "Can not find key field %s in %s", name, other.name)
		}
		return g, nil
	}
	name := connectionAttributeName(m.name, f.name, "id")
	if g := findField(other, name); g != nil {
		return g, nil
	}
	return &field{name: name, typ: "ID", isNullable: true}, nil
}

// displayValue is how a template literal shows v in the generator's messages.
func displayValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return stringifyCompact(v)
}
