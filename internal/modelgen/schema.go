package modelgen

import (
	"errors"
	"fmt"
	"slices"

	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// amplifyDirectives declares what graphql-generator 0.5.4 adds to every schema:
// the DefaultDirectives of @aws-amplify/graphql-directives 1.1.1 and the AWS
// scalars. Their enum and input types are never listed in the outputs.
const amplifyDirectives = `
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @auth(rules: [AuthRule!]!) on OBJECT | FIELD_DEFINITION
input AuthRule {
  allow: AuthStrategy!
  provider: AuthProvider
  identityClaim: String
  groupClaim: String
  ownerField: String
  groupsField: String
  groups: [String]
  operations: [ModelOperation]
}
enum AuthStrategy { owner groups private public custom }
enum AuthProvider { apiKey iam identityPool oidc userPools function }
enum ModelOperation { create update delete read list get sync listen search }
directive @belongsTo(fields: [String!], references: [String!]) on FIELD_DEFINITION
directive @default(value: String!) on FIELD_DEFINITION
directive @deprecated(reason: String) on FIELD_DEFINITION | INPUT_FIELD_DEFINITION | ENUM | ENUM_VALUE
directive @function(name: String!, region: String, accountId: String) repeatable on FIELD_DEFINITION
directive @hasMany(indexName: String, fields: [String!], references: [String!], limit: Int = 100) on FIELD_DEFINITION
directive @hasOne(fields: [String!], references: [String!]) on FIELD_DEFINITION
directive @http(method: HttpMethod = GET, url: String!, headers: [HttpHeader] = []) on FIELD_DEFINITION
enum HttpMethod { GET POST PUT DELETE PATCH }
input HttpHeader { key: String value: String }
directive @index(name: String, sortKeyFields: [String], queryField: String) repeatable on FIELD_DEFINITION
directive @manyToMany(relationName: String!, limit: Int = 100) on FIELD_DEFINITION
directive @mapsTo(name: String!) on OBJECT
directive @model(
  queries: ModelQueryMap
  mutations: ModelMutationMap
  subscriptions: ModelSubscriptionMap
  timestamps: TimestampConfiguration
) on OBJECT
input ModelMutationMap { create: String update: String delete: String }
input ModelQueryMap { get: String list: String }
input ModelSubscriptionMap {
  onCreate: [String]
  onUpdate: [String]
  onDelete: [String]
  level: ModelSubscriptionLevel
}
enum ModelSubscriptionLevel { off public on }
input TimestampConfiguration { createdAt: String updatedAt: String }
directive @predictions(actions: [PredictionsActions!]!) on FIELD_DEFINITION
enum PredictionsActions { identifyText identifyLabels convertTextToSpeech translateText }
directive @primaryKey(sortKeyFields: [String]) on FIELD_DEFINITION
directive @refersTo(name: String!) on OBJECT | FIELD_DEFINITION
directive @searchable(queries: SearchableQueryMap) on OBJECT
input SearchableQueryMap { search: String }
directive @sql(statement: String, reference: String) on FIELD_DEFINITION
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
`

// skippedTypes are never listed: AMPLIFY and every enum or input type that
// the directive definitions declare.
var skippedTypes = map[string]bool{
	"AMPLIFY": true, "AuthRule": true, "AuthStrategy": true, "AuthProvider": true, "ModelOperation": true,
	"HttpMethod": true, "HttpHeader": true, "ModelMutationMap": true, "ModelQueryMap": true,
	"ModelSubscriptionMap": true, "ModelSubscriptionLevel": true, "TimestampConfiguration": true,
	"PredictionsActions": true, "SearchableQueryMap": true,
}

// metadataScalars are the scalars the generator knows.
var metadataScalars = map[string]bool{
	"ID": true, "String": true, "Int": true, "Float": true, "Boolean": true, "AWSDate": true,
	"AWSTime": true, "AWSDateTime": true, "AWSTimestamp": true, "AWSEmail": true, "AWSJSON": true,
	"AWSURL": true, "AWSPhone": true, "AWSIPAddress": true,
}

var amplifySource = &ast.Source{Name: "amplify-directives.graphql", Input: amplifyDirectives, BuiltIn: true}

// document is a validated schema, its definitions in SDL order.
type document struct {
	size     int // length of the SDL
	defs     []*ast.Definition
	merger   *merger // set when some definitions are merged
	query    string
	mutation string
	subs     string
}

// parseSchema parses and validates the SDL with the Amplify declarations.
func parseSchema(sdl string) (*document, error) {
	src := &ast.Source{Name: "schema.graphql", Input: sdl}
	user, err := parser.ParseSchema(src)
	if err != nil {
		return nil, gqlErr(err)
	}
	if err := checkEscapes(sdl); err != nil {
		return nil, err
	}
	if len(user.Definitions)+len(user.Extensions)+len(user.Directives)+len(user.Schema)+len(user.SchemaExtension)+len(user.DirectiveExtensions) == 0 {
		// graphql-js rejects a document without definitions.
		line, col := endPosition(sdl)
		return nil, &SchemaError{Line: line, Column: col, Message: "Syntax Error: Unexpected <EOF>."}
	}
	userTypes := make(map[string]bool, len(user.Definitions))
	for _, d := range user.Definitions {
		userTypes[d.Name] = true
	}
	userDirs := make(map[string]bool, len(user.Directives))
	for _, d := range user.Directives {
		userDirs[d.Name] = true
	}
	if len(user.SchemaExtension) > 0 || len(user.Schema) > 1 {
		// graphql-tools merges the schema definition and its extensions,
		// the later operation types replacing the earlier ones.
		all := append(slices.Clone(user.Schema), user.SchemaExtension...)
		user.Schema, user.SchemaExtension = ast.SchemaDefinitionList{mergeSchemaDefinitions(all)}, nil
	}
	amplify := mustParse(amplifySource)
	sd := &ast.SchemaDocument{}
	sd.Merge(user)
	for _, pre := range []*ast.SchemaDocument{validator.PreludeDocument(), amplify} {
		for _, d := range pre.Definitions {
			if !userTypes[d.Name] {
				sd.Definitions = append(sd.Definitions, d)
			}
		}
		for _, d := range pre.Directives {
			if !userDirs[d.Name] {
				sd.Directives = append(sd.Directives, d)
			}
		}
	}
	// graphql-js accepts types without fields (and enums without values);
	// gqlparser's validation does not, so such definitions get a
	// placeholder for the time of validation.
	placeholders := map[any]bool{}
	for _, d := range user.Definitions {
		switch d.Kind {
		case ast.Object, ast.InputObject, ast.Interface:
			if len(d.Fields) == 0 {
				f := &ast.FieldDefinition{Name: "modelgen_placeholder_", Type: ast.NamedType("String", d.Position), Position: d.Position}
				d.Fields = append(d.Fields, f)
				placeholders[f] = true
			}
		case ast.Enum:
			if len(d.EnumValues) == 0 {
				v := &ast.EnumValueDefinition{Name: "MODELGEN_PLACEHOLDER_", Position: d.Position}
				d.EnumValues = append(d.EnumValues, v)
				placeholders[v] = true
			}
		}
	}
	// What each definition held before validation merged its extensions in.
	base := make(map[*ast.Definition][3]int, len(user.Definitions))
	for _, d := range user.Definitions {
		base[d] = [3]int{len(d.Fields), len(d.Directives), len(d.EnumValues)}
	}
	s, err := validator.ValidateSchemaDocument(sd)
	if err != nil {
		return nil, gqlErr(err)
	}
	m := newMerger(user, s, base, amplify)
	if _, err := m.merge(); err != nil {
		return nil, err
	}
	doc := &document{size: len(sdl), defs: m.ordered()}
	if len(m.pieces) > 0 {
		doc.merger = m
	}
	if len(placeholders) > 0 {
		for _, def := range doc.defs {
			def.Fields = slices.DeleteFunc(def.Fields, func(f *ast.FieldDefinition) bool { return placeholders[f] })
			def.EnumValues = slices.DeleteFunc(def.EnumValues, func(v *ast.EnumValueDefinition) bool { return placeholders[v] })
		}
	}
	if err := checkBuiltinDirectives(doc.defs, user.Directives); err != nil {
		return nil, err
	}
	// graphql-tools' mergeTypeDefs fills every root the schema block leaves
	// out with the type of the default name, when there is one.
	for _, r := range []struct {
		root **ast.Definition
		name string
	}{{&s.Query, "Query"}, {&s.Mutation, "Mutation"}, {&s.Subscription, "Subscription"}} {
		if *r.root == nil && (userTypes[r.name] || s.Types[r.name] != nil && s.Types[r.name].Position != nil && s.Types[r.name].Position.Src == src) {
			if def := s.Types[r.name]; def != nil && def.Kind == ast.Object {
				*r.root = def
			}
		}
	}
	if s.Query != nil {
		doc.query = s.Query.Name
	}
	if s.Mutation != nil {
		doc.mutation = s.Mutation.Name
	}
	if s.Subscription != nil {
		doc.subs = s.Subscription.Name
	}
	return doc, nil
}

// endPosition is the line and column just after the last character.
func endPosition(s string) (line, col int) {
	line, col = 1, 1
	for _, r := range s {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func mustParse(src *ast.Source) *ast.SchemaDocument {
	d, err := parser.ParseSchema(src)
	if err != nil {
		panic("modelgen: built-in declarations do not parse: " + err.Error())
	}
	return d
}

// gqlErr turns a gqlparser error into a *SchemaError.
func gqlErr(err error) error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		msg := ge.Message
		if rest, ok := strings.CutPrefix(msg, "Undefined type "); ok {
			// graphql-js says "Unknown type"
			msg = "Unknown type " + strings.Trim(strings.TrimSuffix(rest, "."), `"`)
		}
		se := &SchemaError{Message: msg, Line: 1, Column: 1}
		if len(ge.Locations) > 0 {
			// gqlparser can say column 0 after a multi-line token
			se.Line, se.Column = max(1, ge.Locations[0].Line), max(1, ge.Locations[0].Column)
		}
		return se
	}
	var list gqlerror.List
	if errors.As(err, &list) && len(list) > 0 {
		return gqlErr(list[0])
	}
	return &SchemaError{Message: err.Error(), Line: 1, Column: 1}
}

// errAt returns a *SchemaError at pos.
func errAt(pos *ast.Position, format string, args ...any) error {
	se := &SchemaError{Message: fmt.Sprintf(format, args...), Line: 1, Column: 1}
	if pos != nil {
		se.Line, se.Column = max(1, pos.Line), max(1, pos.Column)
	}
	return se
}

// ---- the generator's view of the schema ----

// directive is a directive as the generator holds it: {name, arguments} and,
// once a scan of its model's field directives has stamped it, fieldName.
type directive struct {
	name      string
	args      *jsObject
	fieldName string
	stamped   bool
	pos       *ast.Position
}

const (
	pkManaged = iota + 1
	pkOptionallyManaged
	pkCustom
)

type primaryKeyInfo struct {
	kind          int
	sortKeyFields []*field // nil entries: sort key fields that do not exist
	sortKeyNames  []any
}

// Tri-state for isListNullable.
const (
	listNullableUnset int8 = iota
	listNullableTrue
	listNullableFalse
)

type field struct {
	name         string
	directives   []*directive
	typ          string
	isNullable   bool
	isList       bool
	listNullable int8
	isReadOnly   bool
	pk           *primaryKeyInfo
	conn         *connectionInfo
	params       []*field
	pos          *ast.Position
}

type connectionKind uint8

const (
	hasMany connectionKind = iota + 1
	hasOne
	belongsTo
)

func (k connectionKind) String() string {
	switch k {
	case hasMany:
		return "HAS_MANY"
	case hasOne:
		return "HAS_ONE"
	}
	return "BELONGS_TO"
}

type connectionInfo struct {
	kind                 connectionKind
	connected            *model
	associatedWith       *field
	associatedWithFields []*field
	targetNames          []any // nil when the generator leaves it undefined
	usingReferences      bool
}

type model struct {
	name       string
	directives []*directive
	fields     []*field
	pos        *ast.Position
	// idx caches lookups over fields; whatever changes fields, or a field's
	// directives or type, resets it to nil.
	idx *fieldIndex
	// visits counts the fields that lookups walked, so a test can check
	// that processing stays linear in the schema.
	visits int
}

// convertValue is graphql-js's valueFromASTUntyped.
func convertValue(v *ast.Value) (any, error) {
	if v == nil {
		return undefinedValue, nil
	}
	switch v.Kind {
	case ast.IntValue, ast.FloatValue:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return f, nil // ±Inf or 0, as JavaScript's parseFloat
			}
			return nil, errAt(v.Position, "invalid number %s", v.Raw)
		}
		return f, nil
	case ast.BlockValue:
		if v.Position != nil && v.Position.Src != nil {
			if raw, ok := rawBlockString(v.Position.Src.Input, v.Position.Start); ok {
				return dedentBlockString(raw), nil
			}
		}
		return v.Raw, nil
	case ast.StringValue:
		if strings.ContainsRune(v.Raw, utf8.RuneError) && v.Position != nil && v.Position.Src != nil {
			// gqlparser turns \u escapes of lone surrogates into U+FFFD;
			// graphql-js keeps them (and JSON.stringify writes them escaped).
			if s, ok := rawStringValue(v.Position.Src.Input, v.Position.Start); ok {
				return s, nil
			}
		}
		return v.Raw, nil
	case ast.EnumValue:
		return v.Raw, nil
	case ast.BooleanValue:
		return v.Raw == "true", nil
	case ast.NullValue:
		return nil, nil
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			x, err := convertValue(c.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case ast.ObjectValue:
		o := newObject(len(v.Children))
		for _, c := range v.Children {
			x, err := convertValue(c.Value)
			if err != nil {
				return nil, err
			}
			o.set(c.Name, x)
		}
		return o, nil
	}
	return nil, errAt(v.Position, "variables are not allowed in a schema")
}

// rawBlockString returns the text between the triple quotes of the block
// string that starts at rune offset start, with \""" unescaped.
// (gqlparser's own block string value removes indentation differently
// from graphql-js, which also leaves the first line out.)
func rawBlockString(input string, start int) (string, bool) {
	i, n := 0, 0
	for i < len(input) && n < start {
		_, size := utf8.DecodeRuneInString(input[i:])
		i += size
		n++
	}
	if !strings.HasPrefix(input[i:], `"""`) {
		return "", false
	}
	var b strings.Builder
	for j := i + 3; j < len(input); {
		switch {
		case strings.HasPrefix(input[j:], `\"""`):
			b.WriteString(`"""`)
			j += 4
		case strings.HasPrefix(input[j:], `"""`):
			return b.String(), true
		default:
			b.WriteByte(input[j])
			j++
		}
	}
	return "", false
}

// rawStringValue decodes the string literal at rune offset start as
// graphql-js 15 does, UTF-16 code unit by code unit; an unpaired surrogate
// is kept, encoded as WTF-8 (writeJSONString escapes it back).
func rawStringValue(input string, start int) (string, bool) {
	i, n := 0, 0
	for i < len(input) && n < start {
		_, size := utf8.DecodeRuneInString(input[i:])
		i += size
		n++
	}
	if i >= len(input) || input[i] != '"' {
		return "", false
	}
	var units []uint16
	for j := i + 1; j < len(input); {
		c := input[j]
		switch {
		case c == '"':
			return wtf8(units), true
		case c == '\\' && j+1 < len(input):
			e := input[j+1]
			j += 2
			switch e {
			case 'b':
				units = append(units, '\b')
			case 'f':
				units = append(units, '\f')
			case 'n':
				units = append(units, '\n')
			case 'r':
				units = append(units, '\r')
			case 't':
				units = append(units, '\t')
			case 'u':
				if j+4 > len(input) {
					return "", false
				}
				x, err := strconv.ParseUint(input[j:j+4], 16, 16)
				if err != nil {
					return "", false
				}
				units = append(units, uint16(x))
				j += 4
			default:
				units = append(units, uint16(e))
			}
		default:
			r, size := utf8.DecodeRuneInString(input[j:])
			units = utf16.AppendRune(units, r)
			j += size
		}
	}
	return "", false
}

// wtf8 encodes UTF-16 code units, unpaired surrogates included.
func wtf8(units []uint16) string {
	b := make([]byte, 0, len(units))
	for k := 0; k < len(units); k++ {
		u := rune(units[k])
		if utf16.IsSurrogate(u) {
			if u < 0xDC00 && k+1 < len(units) && units[k+1] >= 0xDC00 && units[k+1] <= 0xDFFF {
				b = utf8.AppendRune(b, utf16.DecodeRune(u, rune(units[k+1])))
				k++
				continue
			}
			b = append(b, 0xED, byte(0xA0|(u>>6)&0x1F), byte(0x80|u&0x3F))
			continue
		}
		b = utf8.AppendRune(b, u)
	}
	return string(b)
}

// dedentBlockString is graphql-js 15's dedentBlockStringValue.
func dedentBlockString(raw string) string {
	lines := splitLines(raw)
	common := -1
	for i, l := range lines {
		if i == 0 {
			continue
		}
		indent := 0
		for indent < len(l) && (l[indent] == ' ' || l[indent] == '\t') {
			indent++
		}
		if indent < len(l) && (common < 0 || indent < common) {
			common = indent
		}
	}
	if common > 0 {
		for i := 1; i < len(lines); i++ {
			if len(lines[i]) < common {
				lines[i] = ""
			} else {
				lines[i] = lines[i][common:]
			}
		}
	}
	blank := func(l string) bool { return strings.Trim(l, " \t") == "" }
	start, end := 0, len(lines)
	for start < end && blank(lines[start]) {
		start++
	}
	for end > start && blank(lines[end-1]) {
		end--
	}
	return strings.Join(lines[start:end], "\n")
}

func splitLines(s string) []string {
	var out []string
	last := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			out = append(out, s[last:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			last = i + 1
		case '\n':
			out = append(out, s[last:i])
			last = i + 1
		}
	}
	return append(out, s[last:])
}

func convertDirectives(list ast.DirectiveList) ([]*directive, error) {
	out := make([]*directive, 0, len(list))
	for _, d := range list {
		args := newObject(len(d.Arguments))
		for _, a := range d.Arguments {
			x, err := convertValue(a.Value)
			if err != nil {
				return nil, err
			}
			args.set(a.Name, x)
			if d.Name == "hasOne" || d.Name == "belongsTo" || d.Name == "hasMany" {
				if r := args.get("references"); truthy(r) {
					if _, isArr := r.([]any); !isArr {
						args.set("references", []any{r})
					}
				}
			}
		}
		out = append(out, &directive{name: d.Name, args: args, pos: d.Position})
	}
	return out, nil
}

// typeInfo fills the type fields of f as getTypeInfo does.
func typeInfo(f *field, t *ast.Type) {
	switch {
	case t.Elem == nil:
		f.typ = t.NamedType
		f.isNullable = !t.NonNull
	default:
		typeInfo(f, t.Elem)
		f.isList = true
		if t.NonNull {
			f.listNullable = listNullableFalse
		} else {
			f.listNullable = listNullableTrue
		}
	}
}

func convertField(fd *ast.FieldDefinition) (*field, error) {
	ds, err := convertDirectives(fd.Directives)
	if err != nil {
		return nil, err
	}
	f := &field{name: fd.Name, directives: ds, pos: fd.Position}
	typeInfo(f, fd.Type)
	for _, a := range fd.Arguments {
		ads, err := convertDirectives(a.Directives)
		if err != nil {
			return nil, err
		}
		p := &field{name: a.Name, directives: ads, pos: a.Position}
		typeInfo(p, a.Type)
		f.params = append(f.params, p)
	}
	return f, nil
}

func convertFields(list ast.FieldList) ([]*field, error) {
	out := make([]*field, 0, len(list)+4)
	for _, fd := range list {
		if len(fd.Name) >= 2 && fd.Name[:2] == "__" {
			continue // introspection fields gqlparser adds to the query type
		}
		f, err := convertField(fd)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
