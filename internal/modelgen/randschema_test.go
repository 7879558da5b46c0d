package modelgen

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// A random schema, kept structured so a failing one can be shrunk.
type rSchema struct {
	types []*rType
}

type rType struct {
	keyword    string // "type", "enum", "input"
	ext        bool   // an extension: "extend type ..."
	name       string
	directives []string
	fields     []*rField
	values     []string // enum values
	raw        string   // when set, the whole definition as written
}

type rField struct {
	name       string
	args       []string
	typ        string
	directives []string
}

func (s *rSchema) String() string {
	var b strings.Builder
	for _, t := range s.types {
		if t.raw != "" {
			b.WriteString(t.raw + "\n\n")
			continue
		}
		if t.ext {
			b.WriteString("extend ")
		}
		b.WriteString(t.keyword + " " + t.name)
		for _, d := range t.directives {
			b.WriteString(" " + d)
		}
		if t.ext && len(t.fields) == 0 && len(t.values) == 0 {
			b.WriteString("\n\n")
			continue
		}
		b.WriteString(" {\n")
		if t.keyword == "enum" {
			for _, v := range t.values {
				b.WriteString("  " + v + "\n")
			}
		}
		for _, f := range t.fields {
			b.WriteString("  " + f.name)
			if len(f.args) > 0 {
				b.WriteString("(" + strings.Join(f.args, ", ") + ")")
			}
			b.WriteString(": " + f.typ)
			for _, d := range f.directives {
				b.WriteString(" " + d)
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n\n")
	}
	return b.String()
}

func (s *rSchema) clone() *rSchema {
	c := &rSchema{}
	for _, t := range s.types {
		tc := *t
		tc.directives = slices.Clone(t.directives)
		tc.values = slices.Clone(t.values)
		tc.fields = nil
		for _, f := range t.fields {
			fc := *f
			fc.args = slices.Clone(f.args)
			fc.directives = slices.Clone(f.directives)
			tc.fields = append(tc.fields, &fc)
		}
		c.types = append(c.types, &tc)
	}
	return c
}

// shrinkCandidates lists every schema one step simpler than s.
func (s *rSchema) shrinkCandidates() []*rSchema {
	var out []*rSchema
	for i := range s.types {
		c := s.clone()
		c.types = slices.Delete(c.types, i, i+1)
		out = append(out, c)
	}
	for i, t := range s.types {
		for j := range t.fields {
			c := s.clone()
			c.types[i].fields = slices.Delete(c.types[i].fields, j, j+1)
			out = append(out, c)
		}
		for j := range t.directives {
			c := s.clone()
			c.types[i].directives = slices.Delete(c.types[i].directives, j, j+1)
			out = append(out, c)
		}
		for j := range t.values {
			if len(t.values) > 1 {
				c := s.clone()
				c.types[i].values = slices.Delete(c.types[i].values, j, j+1)
				out = append(out, c)
			}
		}
		for j, f := range t.fields {
			for k := range f.directives {
				c := s.clone()
				c.types[i].fields[j].directives = slices.Delete(c.types[i].fields[j].directives, k, k+1)
				out = append(out, c)
			}
			for k := range f.args {
				c := s.clone()
				c.types[i].fields[j].args = slices.Delete(c.types[i].fields[j].args, k, k+1)
				out = append(out, c)
			}
		}
	}
	return out
}

// ---- generator ----

var (
	rModelNames = []string{
		"Todo", "Post", "Comment", "Blog", "Person", "SalesPerson", "Child", "Category", "Status", "Analysis",
		"Quiz", "Leaf", "Datum", "Sheep", "Mouse", "Address", "Box", "Company", "Media", "Octopus", "Hero",
		"Settings", "API", "A", "OrderLine", "LineItem", "HTTPRequest", "V2Model", "Item_Type", "Man", "Index",
	}
	rEnumNames    = []string{"Color", "Priority", "Kind", "Level", "Mood"}
	rNonModels    = []string{"Geo", "Money", "Window", "Stamp", "Dim"}
	rInputs       = []string{"FilterInput", "PageInput", "SortInput"}
	rScalars      = []string{"ID", "String", "Int", "Float", "Boolean", "AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress"}
	rKeyScalars   = []string{"ID", "String", "AWSEmail", "Int", "AWSDateTime"}
	rEnumValues   = []string{"RED", "GREEN", "blue", "darkBlue", "IN_PROGRESS", "DONE", "low", "High", "_1", "V2", "fooBar", "FOO_BAR", "x"}
	rFieldNames   = []string{"title", "name", "body", "count", "score", "active", "dueOn", "at", "email", "meta", "url", "phone", "ip", "tags", "ratio", "notes", "rank", "createdOn", "createdAt", "updatedAt", "owner"}
	rAuthProvider = []string{"apiKey", "iam", "oidc", "userPools", "identityPool", "function"}
	rOps          = []string{"create", "update", "delete", "read", "list", "get", "sync", "listen", "search"}
)

type rGen struct {
	rnd    *rand.Rand
	s      *rSchema
	models []*rModel
	enums  []string
	nonMod []string
	inputs []string
}

type rModel struct {
	t      *rType
	pk     string   // primary key field name
	pkType string   // its base type
	sort   []string // sort key fields
	used   map[string]bool
}

func (g *rGen) pick(xs []string) string { return xs[g.rnd.Intn(len(xs))] }
func (g *rGen) chance(p float64) bool   { return g.rnd.Float64() < p }

// wrap applies random nullability and list modifiers to a base type.
func (g *rGen) wrap(base string) string {
	switch g.rnd.Intn(8) {
	case 0, 1, 2:
		return base
	case 3, 4:
		return base + "!"
	case 5:
		return "[" + base + "]"
	case 6:
		return "[" + base + "!]!"
	default:
		return g.pick([]string{"[" + base + "!]", "[" + base + "]!", "[[" + base + "]]"})
	}
}

func (m *rModel) addField(f *rField) bool {
	if m.used[f.name] {
		return false
	}
	m.used[f.name] = true
	m.t.fields = append(m.t.fields, f)
	return true
}

func (m *rModel) fresh(base string) string {
	name := base
	for i := 2; m.used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

// randomSchema builds a schema from seed: mostly valid, sometimes not.
func randomSchema(seed int64) *rSchema {
	g := &rGen{rnd: rand.New(rand.NewSource(seed)), s: &rSchema{}}
	// enums
	for _, name := range g.rnd.Perm(len(rEnumNames))[:g.rnd.Intn(3)] {
		t := &rType{keyword: "enum", name: rEnumNames[name]}
		for _, v := range g.rnd.Perm(len(rEnumValues))[:1+g.rnd.Intn(4)] {
			t.values = append(t.values, rEnumValues[v])
		}
		g.enums = append(g.enums, t.name)
		g.s.types = append(g.s.types, t)
	}
	// non-models
	for _, i := range g.rnd.Perm(len(rNonModels))[:g.rnd.Intn(3)] {
		g.nonMod = append(g.nonMod, rNonModels[i])
	}
	for i, name := range g.nonMod {
		t := &rType{keyword: "type", name: name}
		used := map[string]bool{}
		for k := 0; k < 1+g.rnd.Intn(3); k++ {
			fn := g.pick(rFieldNames)
			if used[fn] {
				continue
			}
			used[fn] = true
			base := g.pick(rScalars)
			if len(g.enums) > 0 && g.chance(0.2) {
				base = g.pick(g.enums)
			} else if i+1 < len(g.nonMod) && g.chance(0.3) {
				base = g.nonMod[i+1]
			}
			t.fields = append(t.fields, &rField{name: fn, typ: g.wrap(base)})
		}
		g.s.types = append(g.s.types, t)
	}
	// models
	nModels := 1 + g.rnd.Intn(7)
	for _, i := range g.rnd.Perm(len(rModelNames))[:nModels] {
		name := rModelNames[i]
		t := &rType{keyword: "type", name: name, directives: []string{g.modelDirective()}}
		m := &rModel{t: t, used: map[string]bool{}}
		switch g.rnd.Intn(6) {
		case 0: // implicit id
			m.pk, m.pkType = "id", "ID"
		case 1: // declared nullable id
			m.pk, m.pkType = "id", "ID"
			m.addField(&rField{name: "id", typ: "ID"})
		case 2: // custom key
			m.pk, m.pkType = "code", g.pick(rKeyScalars)
			m.addField(&rField{name: "code", typ: m.pkType + "!", directives: []string{"@primaryKey"}})
		case 3: // composite key
			m.pk, m.pkType = "code", g.pick(rKeyScalars)
			m.sort = []string{"part"}
			if g.chance(0.4) {
				m.sort = append(m.sort, "seq")
			}
			m.addField(&rField{name: "code", typ: m.pkType + "!", directives: []string{fmt.Sprintf("@primaryKey(sortKeyFields: [%s])", quoteList(m.sort))}})
			m.addField(&rField{name: "part", typ: g.pick(rKeyScalars) + "!"})
			if len(m.sort) > 1 {
				m.addField(&rField{name: "seq", typ: "Int!"})
			}
		case 4: // id as explicit primary key
			m.pk, m.pkType = "id", "ID"
			m.addField(&rField{name: "id", typ: "ID!", directives: []string{"@primaryKey"}})
		default:
			m.pk, m.pkType = "id", "ID"
			m.addField(&rField{name: "id", typ: "ID!"})
		}
		for k := 0; k < g.rnd.Intn(5); k++ {
			base := g.pick(rScalars)
			switch {
			case len(g.enums) > 0 && g.chance(0.2):
				base = g.pick(g.enums)
			case len(g.nonMod) > 0 && g.chance(0.15):
				base = g.pick(g.nonMod)
			}
			f := &rField{name: g.pick(rFieldNames), typ: g.wrap(base)}
			if g.chance(0.1) {
				f.directives = append(f.directives, `@default(value: "x")`)
			}
			if g.chance(0.1) {
				f.directives = append(f.directives, "@auth(rules: [{allow: owner}])")
			}
			m.addField(f)
		}
		if len(t.fields) == 0 {
			m.addField(&rField{name: "label", typ: g.wrap("String")})
		}
		if g.chance(0.6) {
			t.directives = append(t.directives, g.authDirective())
		}
		if g.chance(0.1) {
			t.directives = append(t.directives, g.pick([]string{"@searchable", "@aws_iam", "@aws_api_key", `@aws_cognito_user_pools(cognito_groups: ["Admin"])`, `@mapsTo(name: "Old` + name + `")`}))
		}
		g.models = append(g.models, m)
		g.s.types = append(g.s.types, t)
	}
	// indexes
	for _, m := range g.models {
		if !g.chance(0.4) {
			continue
		}
		f := m.t.fields[g.rnd.Intn(len(m.t.fields))]
		if strings.HasPrefix(f.typ, "[") {
			continue
		}
		var args []string
		if g.chance(0.5) {
			args = append(args, fmt.Sprintf(`name: "by%s"`, ucfirst(f.name)))
		}
		if g.chance(0.5) {
			other := m.t.fields[g.rnd.Intn(len(m.t.fields))].name
			if g.chance(0.3) {
				other = "createdAt"
			}
			args = append(args, fmt.Sprintf(`sortKeyFields: ["%s"]`, other))
		}
		if g.chance(0.4) {
			args = append(args, fmt.Sprintf(`queryField: "%sBy%s"`, lcfirst(m.t.name), ucfirst(f.name)))
		} else if g.chance(0.1) {
			args = append(args, "queryField: null")
		}
		if len(args) == 0 && g.chance(0.1) {
			args = append(args, "name: null")
		}
		d := "@index"
		if len(args) > 0 {
			d += "(" + strings.Join(args, ", ") + ")"
		}
		f.directives = append(f.directives, d)
	}
	// relations
	nRel := g.rnd.Intn(8)
	m2m := 0
	for k := 0; k < nRel; k++ {
		a := g.models[g.rnd.Intn(len(g.models))]
		b := g.models[g.rnd.Intn(len(g.models))]
		g.relation(a, b, &m2m)
	}
	// operations and inputs
	if g.chance(0.3) {
		for _, i := range g.rnd.Perm(len(rInputs))[:1+g.rnd.Intn(2)] {
			t := &rType{keyword: "input", name: rInputs[i]}
			t.fields = append(t.fields, &rField{name: "limit", typ: "Int"}, &rField{name: "term", typ: g.wrap("String")})
			if len(g.enums) > 0 {
				t.fields = append(t.fields, &rField{name: "kind", typ: g.wrap(g.enums[0])})
			}
			g.inputs = append(g.inputs, t.name)
			g.s.types = append(g.s.types, t)
		}
	}
	for _, root := range []string{"Query", "Mutation", "Subscription"} {
		if !g.chance(0.25) {
			continue
		}
		t := &rType{keyword: "type", name: root}
		for k := 0; k < 1+g.rnd.Intn(3); k++ {
			ret := g.pick(rScalars)
			if g.chance(0.5) {
				ret = g.models[g.rnd.Intn(len(g.models))].t.name
			} else if len(g.nonMod) > 0 && g.chance(0.3) {
				ret = g.pick(g.nonMod)
			}
			f := &rField{name: fmt.Sprintf("%sOp%d", strings.ToLower(root), k), typ: g.wrap(ret)}
			for a := 0; a < g.rnd.Intn(3); a++ {
				at := g.pick(rScalars)
				if len(g.inputs) > 0 && g.chance(0.3) {
					at = g.pick(g.inputs)
				} else if len(g.enums) > 0 && g.chance(0.2) {
					at = g.pick(g.enums)
				}
				f.args = append(f.args, fmt.Sprintf("arg%d: %s", a, g.wrap(at)))
			}
			if root == "Query" && g.chance(0.2) {
				f.directives = append(f.directives, `@function(name: "fn-${env}")`)
			}
			if root == "Subscription" && g.chance(0.3) {
				f.directives = append(f.directives, `@aws_subscribe(mutations: ["mutationOp0"])`)
			}
			t.fields = append(t.fields, f)
		}
		g.s.types = append(g.s.types, t)
	}
	g.extras()
	g.rnd.Shuffle(len(g.s.types), func(i, j int) {
		if g.chance(0.3) {
			g.s.types[i], g.s.types[j] = g.s.types[j], g.s.types[i]
		}
	})
	// Extensions and parser corners draw from their own source, so the
	// schemas above stay what they were for every seed.
	e := &rGen{rnd: rand.New(rand.NewSource(seed ^ 0x5eed_e87e)), s: g.s, models: g.models}
	if e.chance(0.4) {
		e.extensions()
	}
	if e.chance(0.1) {
		e.corner()
	}
	return g.s
}

// extensions splits some definitions into a definition and extensions
// (graphql-tools merges them back before the generator runs): fields and
// enum values move to an extension, directives move or are written again
// with other arguments, and extensions land anywhere, before their
// definition too.
func (g *rGen) extensions() {
	var out []*rType
	for _, t := range g.s.types {
		if t.raw != "" || t.ext || !g.chance(0.5) {
			continue
		}
		for n := 1 + g.rnd.Intn(2); n > 0; n-- {
			x := &rType{keyword: t.keyword, ext: true, name: t.name}
			switch t.keyword {
			case "enum":
				if len(t.values) > 1 {
					k := 1 + g.rnd.Intn(len(t.values)-1)
					x.values, t.values = slices.Clone(t.values[k:]), t.values[:k]
				} else {
					x.values = []string{fmt.Sprintf("EXTRA_%d", n)}
				}
			default:
				if len(t.fields) > 1 && g.chance(0.7) {
					k := 1 + g.rnd.Intn(len(t.fields)-1)
					x.fields, t.fields = slices.Clone(t.fields[k:]), t.fields[:k]
				}
				if t.keyword == "type" && len(t.directives) > 0 {
					x.directives = g.extensionDirectives(t)
				}
			}
			if len(x.fields) > 0 || len(x.values) > 0 || len(x.directives) > 0 {
				out = append(out, x)
			}
		}
	}
	if g.chance(0.1) {
		out = append(out, &rType{raw: "extend schema { mutation: Mutation }"})
		if !slices.ContainsFunc(g.s.types, func(t *rType) bool { return t.name == "Mutation" && !t.ext }) {
			out = append(out, &rType{raw: fmt.Sprintf("type Mutation { touch(id: ID!): %s }", g.models[0].t.name)})
		}
	}
	if g.chance(0.1) {
		out = append(out, &rType{raw: "interface Named { name: String }"}, &rType{raw: "extend interface Named { nick: String }"},
			&rType{raw: "union Found = Named2"}, &rType{raw: "type Named2 { a: Int }"}, &rType{raw: "extend union Found = " + g.models[0].t.name})
	}
	for _, x := range out {
		i := g.rnd.Intn(len(g.s.types) + 1)
		g.s.types = slices.Insert(g.s.types, i, x)
	}
}

// extensionDirectives are the type directives of an extension of t: some of
// t's moved there, others written again with other arguments (merged into
// t's: list arguments concatenated, others replaced).
func (g *rGen) extensionDirectives(t *rType) []string {
	var ds []string
	if g.chance(0.3) {
		i := g.rnd.Intn(len(t.directives))
		ds = append(ds, t.directives[i])
		t.directives = slices.Delete(t.directives, i, i+1)
	}
	if g.chance(0.3) {
		ds = append(ds, g.pick([]string{"@model", g.modelDirective(), "@model(timestamps: null)", `@model(subscriptions: null)`}))
	}
	if g.chance(0.4) {
		ds = append(ds, g.authDirective())
	}
	if g.chance(0.2) {
		groups := []string{`"Admin"`, `"Editors"`, `""`, `"b"`, `1`, `true`}
		var gs []string
		for _, i := range g.rnd.Perm(len(groups))[:g.rnd.Intn(4)] {
			gs = append(gs, groups[i])
		}
		ds = append(ds, "@aws_cognito_user_pools(cognito_groups: ["+strings.Join(gs, ", ")+"])")
	}
	if g.chance(0.15) {
		ds = append(ds, g.pick([]string{"@aws_iam", "@aws_api_key", "@aws_oidc", "@searchable"}))
	}
	// a directive once per node: the validator rejects it twice in one
	out := ds[:0]
	seen := map[string]bool{}
	for _, d := range ds {
		name, _, _ := strings.Cut(d, "(")
		if !seen[name] {
			seen[name] = true
			out = append(out, d)
		}
	}
	return out
}

// corner adds one of the parser corners where graphql-js 15 differs from
// other GraphQL parsers (both generators must reject these) or a type named
// like a directive (listed first by graphql-tools).
func (g *rGen) corner() {
	m := g.models[g.rnd.Intn(len(g.models))].t
	switch g.rnd.Intn(6) {
	case 0:
		m.fields = append(m.fields, &rField{name: "braced", typ: "String", directives: []string{`@default(value: "\u{1F600}")`}})
	case 1:
		m.fields = append(m.fields, &rField{name: "old", typ: "Int", directives: []string{"@deprecated(reason: " + g.pick([]string{"5", "true", "LATER", `"ok"`, "null"}) + ")"}})
	case 2:
		g.s.types = append(g.s.types, &rType{raw: "scalar Link @specifiedBy(url: " + g.pick([]string{"5", `"https://example.com"`}) + ")"})
	default:
		name := g.pick([]string{"auth", "model", "index", "hasMany", "aws_iam", "default"})
		g.s.types = append(g.s.types, &rType{keyword: "type", name: name, directives: []string{"@model"}, fields: []*rField{{name: "id", typ: "ID!"}}})
	}
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = `"` + x + `"`
	}
	return strings.Join(q, ", ")
}

func (g *rGen) modelDirective() string {
	switch g.rnd.Intn(12) {
	case 0:
		return "@model(timestamps: null)"
	case 1:
		return `@model(timestamps: {createdAt: "createdOn", updatedAt: "updatedOn"})`
	case 2:
		return `@model(timestamps: {createdAt: null})`
	case 3:
		return "@model(queries: null, subscriptions: null)"
	case 4:
		return `@model(mutations: {create: "makeIt", update: null}, subscriptions: {level: public})`
	}
	return "@model"
}

func (g *rGen) authRule() string {
	ops := func() string {
		var o []string
		for _, i := range g.rnd.Perm(len(rOps))[:1+g.rnd.Intn(3)] {
			o = append(o, rOps[i])
		}
		return "operations: [" + strings.Join(o, ", ") + "]"
	}
	var parts []string
	switch g.rnd.Intn(11) {
	case 0:
		parts = []string{"allow: owner"}
		if g.chance(0.4) {
			parts = append(parts, `ownerField: "author"`)
		}
		if g.chance(0.3) {
			parts = append(parts, `identityClaim: "`+g.pick([]string{"sub", "username", "sub::username"})+`"`)
		}
		if g.chance(0.2) {
			parts = append(parts, "provider: "+g.pick([]string{"userPools", "oidc"}))
		}
	case 1:
		parts = []string{"allow: groups", `groups: ["Admin", "Editors"]`}
	case 2:
		parts = []string{"allow: groups", `groupsField: "members"`}
	case 3:
		parts = []string{"allow: private"}
		if g.chance(0.5) {
			parts = append(parts, "provider: "+g.pick([]string{"userPools", "iam", "oidc", "identityPool"}))
		}
	case 4:
		parts = []string{"allow: public"}
		if g.chance(0.6) {
			parts = append(parts, "provider: "+g.pick([]string{"apiKey", "iam", "identityPool"}))
		}
	case 5:
		parts = []string{"allow: custom"}
		if g.chance(0.5) {
			parts = append(parts, "provider: function")
		}
	case 6:
		parts = []string{"allow: groups", `groups: ["Admin"]`, `groupClaim: "custom:groups"`, "provider: " + g.pick(rAuthProvider)}
	case 7:
		parts = []string{"allow: owner", `identityField: "sub"`, `mutations: [create, delete]`}
	case 8:
		parts = []string{"allow: owner", `ownerField: "ow\"ner\u00e9\t<&>"`, `identityClaim: """block
  claim"""`}
	case 9:
		parts = []string{"allow: groups", `groups: []`, `groupField: ""`}
	default:
		parts = []string{"allow: groups", `groupField: "team"`}
	}
	if g.chance(0.4) {
		parts = append(parts, ops())
	}
	g.rnd.Shuffle(len(parts), func(i, j int) {
		if g.chance(0.3) {
			parts[i], parts[j] = parts[j], parts[i]
		}
	})
	return "{" + strings.Join(parts, ", ") + "}"
}

func (g *rGen) authDirective() string {
	var rules []string
	for k := 0; k < 1+g.rnd.Intn(3); k++ {
		rules = append(rules, g.authRule())
	}
	return "@auth(rules: [" + strings.Join(rules, ", ") + "])"
}

// keyFields are the names of m's primary key components.
func (m *rModel) keyFields() []string { return append([]string{m.pk}, m.sort...) }

func (g *rGen) relation(a, b *rModel, m2m *int) {
	an, bn := a.t.name, b.t.name
	la, lb := lcfirst(an), lcfirst(bn)
	switch g.rnd.Intn(12) {
	case 0, 1: // bidirectional hasMany / belongsTo
		if a.addField(&rField{name: a.fresh(lb + "s"), typ: g.pick([]string{"[" + bn + "]", "[" + bn + "!]!", "[" + bn + "]!"}), directives: []string{"@hasMany"}}) {
			b.addField(&rField{name: b.fresh(la), typ: g.pick([]string{an, an + "!"}), directives: []string{"@belongsTo"}})
		}
	case 2: // unidirectional hasMany
		d := "@hasMany"
		if g.chance(0.3) {
			d = "@hasMany(limit: " + g.pick([]string{"10", "0", "-1", "0.000001", "1e21"}) + ")"
		}
		a.addField(&rField{name: a.fresh(lb + "List"), typ: "[" + bn + "]", directives: []string{d}})
	case 3: // hasMany through a named index
		fk := b.fresh(la + "Key")
		idx := "by" + an + fk
		b.addField(&rField{name: fk, typ: a.pkType, directives: []string{fmt.Sprintf(`@index(name: "%s")`, idx)}})
		a.addField(&rField{name: a.fresh(lb + "Items"), typ: "[" + bn + "]", directives: []string{fmt.Sprintf(`@hasMany(indexName: "%s", fields: [%s])`, idx, quoteList(a.keyFields()[:1]))}})
		if g.chance(0.5) {
			b.addField(&rField{name: b.fresh(la + "Ref"), typ: an, directives: []string{fmt.Sprintf(`@belongsTo(fields: ["%s"])`, fk)}})
		}
	case 4: // unidirectional hasOne
		a.addField(&rField{name: a.fresh("main" + bn), typ: g.pick([]string{bn, bn + "!"}), directives: []string{"@hasOne"}})
	case 5: // hasOne with explicit key fields
		var keys []string
		for i, k := range b.keyFields() {
			name := a.fresh(lb + ucfirst(k))
			typ := b.pkType
			if i > 0 {
				typ = "String"
			}
			if a.addField(&rField{name: name, typ: typ}) {
				keys = append(keys, name)
			}
		}
		a.addField(&rField{name: a.fresh("the" + bn), typ: bn, directives: []string{fmt.Sprintf("@hasOne(fields: [%s])", quoteList(keys))}})
	case 6: // bidirectional hasOne / belongsTo
		if a.addField(&rField{name: a.fresh(lb), typ: bn, directives: []string{"@hasOne"}}) {
			b.addField(&rField{name: b.fresh(la + "Owner"), typ: an, directives: []string{"@belongsTo"}})
		}
	case 7: // manyToMany (a self-relation when a == b)
		*m2m++
		rel := g.pick([]string{an + bn, "link" + fmt.Sprint(*m2m), "Rel-" + fmt.Sprint(*m2m), "my rel " + fmt.Sprint(*m2m), "ßrel" + fmt.Sprint(*m2m), "ﬁx" + fmt.Sprint(*m2m), "élan" + fmt.Sprint(*m2m), "9lives" + fmt.Sprint(*m2m)})
		limit := ""
		if g.chance(0.2) {
			limit = ", limit: " + g.pick([]string{"50", "1e3", "2.5", "100000000000000000000000"})
		}
		a.addField(&rField{name: a.fresh(lb + "Links"), typ: "[" + bn + "]", directives: []string{fmt.Sprintf(`@manyToMany(relationName: "%s"%s)`, rel, limit)}})
		b.addField(&rField{name: b.fresh(la + "Links"), typ: "[" + an + "]", directives: []string{fmt.Sprintf(`@manyToMany(relationName: "%s")`, rel)}})
	case 8: // references: hasMany / belongsTo
		if a == b {
			return
		}
		var refs []string
		for _, k := range a.keyFields() {
			name := b.fresh(la + ucfirst(k) + "Ref")
			b.addField(&rField{name: name, typ: g.pick([]string{"ID!", "String!", "ID"})})
			refs = append(refs, name)
		}
		if g.chance(0.5) {
			a.addField(&rField{name: a.fresh(lb + "Refs"), typ: "[" + bn + "]", directives: []string{fmt.Sprintf("@hasMany(references: [%s])", quoteList(refs))}})
		} else {
			a.addField(&rField{name: a.fresh(lb + "Ref"), typ: bn, directives: []string{fmt.Sprintf("@hasOne(references: [%s])", quoteList(refs))}})
		}
		b.addField(&rField{name: b.fresh(la + "Parent"), typ: an, directives: []string{fmt.Sprintf("@belongsTo(references: [%s])", quoteList(refs))}})
	case 9: // belongsTo with explicit fields and a hasMany with fields
		fk := b.fresh(la + "ID")
		b.addField(&rField{name: fk, typ: a.pkType})
		b.addField(&rField{name: b.fresh(la + "Via"), typ: an, directives: []string{fmt.Sprintf(`@belongsTo(fields: ["%s"])`, fk)}})
		a.addField(&rField{name: a.fresh(lb + "Via"), typ: "[" + bn + "]", directives: []string{fmt.Sprintf(`@hasMany(fields: ["%s"])`, a.pk)}})
	case 10: // a model-typed field without a relation (dropped by the generator)
		a.addField(&rField{name: a.fresh("loose" + bn), typ: bn})
	default: // invalid on purpose: both generators must reject
		switch g.rnd.Intn(3) {
		case 0:
			a.addField(&rField{name: a.fresh("bad" + bn), typ: bn, directives: []string{"@hasMany"}})
		case 1:
			a.addField(&rField{name: a.fresh("orphan" + bn), typ: bn, directives: []string{"@belongsTo"}})
		default:
			a.addField(&rField{name: a.fresh("badOne" + bn), typ: "[" + bn + "]", directives: []string{"@hasOne"}})
		}
	}
}

// extras adds the less common definitions: unions, interfaces, AMPLIFY,
// type extensions, a schema block, descriptions.
func (g *rGen) extras() {
	add := func(raw string) { g.s.types = append(g.s.types, &rType{raw: raw}) }
	model := func() string { return g.models[g.rnd.Intn(len(g.models))].t.name }
	hasQuery := false
	for _, t := range g.s.types {
		hasQuery = hasQuery || t.name == "Query"
	}
	query := func(body string) string {
		if hasQuery {
			return "extend type Query " + body
		}
		hasQuery = true
		return "type Query " + body
	}
	if g.chance(0.08) {
		add("input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }")
	}
	if g.chance(0.08) {
		a, b := model(), model()
		if a != b {
			add(fmt.Sprintf("union SearchHit = %s | %s", a, b))
			add(query("{ search(term: String!): [SearchHit] hello: String }"))
			return
		}
	}
	if g.chance(0.06) {
		add("interface Node { id: ID! }")
		add("type Thing implements Node { id: ID! label: String }")
	}
	if g.chance(0.05) {
		add(fmt.Sprintf("extend type %s { extra: String }", model()))
	}
	if g.chance(0.05) {
		add(`"""A described type."""` + "\ntype Described { \"a field\" v: Int }")
	}
	if g.chance(0.04) && len(g.nonMod) > 0 {
		add(fmt.Sprintf("type Holder { item: %s items: [%s!] }", model(), model()))
	}
	if g.chance(0.04) {
		if hasQuery {
			return
		}
		add("schema { query: RootQuery }")
		add(fmt.Sprintf("type RootQuery { first: %s all(limit: Int): [%s] }", model(), model()))
		add("type Query { notRoot: String }")
	}
	if g.chance(0.04) {
		add(g.pick([]string{"type Bare @model", "enum Hollow", "type Plain", "input Blank", "type Bare2 @model @auth(rules: [{allow: public}])"}))
	}
	if g.chance(0.03) {
		add("scalar Custom")
		add("type WithCustom { c: Custom }")
	}
}
