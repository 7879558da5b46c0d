// Package modelgen turns an Amplify GraphQL transformer v2 schema into the two
// outputs of GenerateBackendAPIModels: the DataStore model schema and the model
// introspection schema, equal (key order, formatting and version hash
// included) to what @aws-amplify/appsync-modelgen-plugin 2.15.3 produces
// through @aws-amplify/graphql-generator 0.5.4 with its default options.
//
// The rules are those of testdata/FORMAT.md and of the plugin's source; the
// code follows the plugin's steps one for one, including the JavaScript
// semantics that reach the output (jsvalue.go: property order, undefined
// properties, truthiness, spread, JSON.stringify with ECMAScript number
// formatting; naming.go: pluralize 8.0.0, change-case 4.1.2, graphqlName).
// Each file holds one group of the plugin's functions (its lib/utils files,
// and "visitor" for visitors/appsync-visitor.js); the doc comments name the
// function each Go function reproduces:
//
//	schema.go      parsing and the visitor's view of the schema (getTypeInfo,
//	               graphql-js valueFromASTUntyped and dedentBlockStringValue)
//	merge.go       @graphql-tools/merge 8.4.2: mergeTypeDefs, which folds
//	               every extend definition into its type before codegen
//	graphqljs.go   what graphql-js 15 rejects and gqlparser accepts: braced
//	               \u{...} escapes, non-string @deprecated/@specifiedBy
//	               arguments (buildASTSchema's getDirectiveValues)
//	process.go     visitor: the walk (ObjectTypeDefinition and the other
//	               node visits), sortFields, processDirectives
//	fields.go      fieldUtils: addFieldToModel, removeFieldFromModel,
//	               getDirective, getOtherSideBelongsToField;
//	               process-connections: flattenFieldDirectives
//	keys.go        process-primary-key, process-index; visitor:
//	               ensurePrimaryKeyField, ensureIdField; fieldUtils:
//	               getModelPrimaryKeyComponentFields
//	timestamps.go  visitor: addTimestampFields
//	relations.go   visitor: processConnectionDirectivesV2;
//	               process-connections-v2: processConnectionsV2,
//	               getConnectedFieldV2, getConnectedFieldForReferences;
//	               process-connections: makeConnectionAttributeName
//	hasone.go      process-has-one
//	hasmany.go     process-has-many
//	belongsto.go   process-belongs-to
//	manytomany.go  visitor: processManyToManyDirectives,
//	               generateIntermediateModel, convertManyToManyDirectives,
//	               getSortKeyFields, determinePrimaryKeyFieldname
//	auth.go        visitor: processAuthDirectives; process-auth
//	output.go      the metadata and introspection visitors (generate,
//	               getType, getFieldAssociation, ...); visitor: computeVersion
//
// graphql-generator hands the same parsed schema to codegen once per file it
// writes, and each codegen merges it again, changing directive arguments in
// place: schema.js is written after four merges, model-introspection.json
// after one (merge.go), which shows when a type and its extension both carry
// a directive with a list of objects.
//
// Text form: Result.Models is exactly the schema.js that the javascript target
// writes, "export const schema = " + JSON.stringify(object, null, 4) + ";"
// (4-space indentation, no trailing newline; FORMAT.md sections 1 and 2);
// Result.ModelIntrospectionSchema is JSON.stringify(object, null, 4), as
// model-introspection.json.
//
// Where it differs from the official generator, always by rejecting input the
// official one accepts: the SDL is parsed and validated by gqlparser against
// the Amplify directive definitions, while graphql-generator builds its
// schema with validation off. So unknown directives (including @generation
// and @conversation, which graphql-directives 1.1.1 does not declare) and
// unknown or missing required directive arguments, non-repeatable directives
// repeated in one place, duplicate type definitions (graphql-tools would
// merge them), fields and enum values defined twice (also across an
// extension), an extension of another kind than its type and invalid
// interface implementations are errors here; README.md lists them all. Directive
// argument values of the wrong kind where the generator would use them as
// field names (e.g. fields: [1], timestamps: {createdAt: 5}) are errors here
// instead of odd output.
//
// Tests: golden files (testdata/expected, from the shared conformance
// fixtures) for both primary-key options; the naming vectors; a differential
// test against the pinned official generator, run as one node process
// (testdata/ref/driver.mjs, installed by scripts/deps.d/20-modelgen-ref.sh),
// over seeded random schemas (MODELGEN_DIFF_N, MODELGEN_DIFF_SEED; about
// two in five with extend definitions), hand-written edge cases and the
// extension schemas of testdata/extensions; FuzzGenerate; generated
// schemas with a hub model related to every other one (scaling_test.go),
// pinned by golden files (testdata/manytomany) and checked to cost linear
// work.
// BenchmarkProcess_ManyToMany and BenchmarkProcess_BelongsToHub time those
// at 500 to 4,000 models, BenchmarkProcess_Extensions a model and an enum
// extended 500 to 4,000 times. BenchmarkGenerateLarge and
// BenchmarkGenerateLargeProcess time the 200-model schema of gen-large.mjs;
// node testdata/ref/bench.mjs testdata/large/17-large-200-models.graphql
// times the official generator (testdata/ref holds copies of the shared
// reference.mjs, bench.mjs and gen-large.mjs that default to the install
// there).
package modelgen
