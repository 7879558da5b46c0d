package modelgen

var defaultOperations = []any{"create", "update", "delete", "read"}

// processAuthDirectives is the visitor's processAuthDirectives.
func (r *run) processAuthDirectives() error {
	for _, m := range r.models.values() {
		ds, err := processAuth(m.directives)
		if err != nil {
			return err
		}
		m.directives = ds
		for _, f := range m.fields {
			ds, err := processAuth(f.directives)
			if err != nil {
				return err
			}
			f.directives = ds
		}
		m.idx = nil
	}
	return nil
}

// processAuth returns the directives with every @auth moved last and its
// rules filled in as processAuthDirective does.
func processAuth(ds []*directive) ([]*directive, error) {
	n := 0
	for _, d := range ds {
		if d.name == "auth" {
			n++
		}
	}
	if n == 0 {
		return ds, nil
	}
	out := make([]*directive, 0, len(ds))
	for _, d := range ds {
		if d.name != "auth" {
			out = append(out, d)
		}
	}
	for _, d := range ds {
		if d.name != "auth" {
			continue
		}
		p, err := processAuthDirective(d)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// prop is v[k] for an object v, undefined otherwise.
func prop(v any, k string) any {
	if o, ok := v.(*jsObject); ok {
		return o.get(k)
	}
	return undefinedValue
}

// processAuthDirective is process-auth's processAuthDirective for one @auth:
// its rules with the defaults filled in (operations; provider, claim and
// field of owner and groups rules), dynamic group rules (groupField) left out.
func processAuthDirective(d *directive) (*directive, error) {
	rulesV := or(d.args.get("rules"), []any{})
	rules, ok := rulesV.([]any)
	if !ok {
		return nil, errAt(d.pos, "rules of @auth must be a list")
	}
	processed := make([]any, 0, len(rules))
	for _, rule := range rules {
		if isNullish(rule) {
			return nil, errAt(d.pos, "an @auth rule is null")
		}
		allow := prop(rule, "allow")
		if strictEquals(allow, "groups") && truthy(prop(rule, "groupField")) {
			continue
		}
		ops := or(or(prop(rule, "operations"), prop(rule, "mutations")), defaultOperations)
		claim := or(or(prop(rule, "identityClaim"), prop(rule, "identityField")), "username")
		var o *jsObject
		switch {
		case strictEquals(allow, "owner"):
			o = newObject(6)
			o.set("provider", "userPools")
			if of := prop(rule, "ownerField"); truthy(of) {
				o.set("ownerField", of)
			} else {
				o.set("ownerField", "owner")
			}
			o.spreadInto(rule)
			if strictEquals(claim, "username") {
				claim = "cognito:username"
			}
			o.set("identityClaim", claim)
			o.set("operations", ops)
		case strictEquals(allow, "groups"):
			o = newObject(6)
			o.set("groupClaim", "cognito:groups")
			o.set("provider", "userPools")
			o.spreadInto(rule)
			if truthy(prop(rule, "groups")) {
				o.set("groupField", undefinedValue)
			} else {
				o.set("groupField", or(prop(rule, "groupField"), "groups"))
			}
			o.set("operations", ops)
		default:
			o = newObject(4)
			o.spreadInto(rule)
			o.set("operations", ops)
		}
		processed = append(processed, o)
	}
	args := d.args.clone()
	args.set("rules", processed)
	return &directive{name: d.name, args: args, fieldName: d.fieldName, stamped: d.stamped, pos: d.pos}, nil
}
