package modelgen

import "testing"

// edgeCases are hand-written schemas for rules the random generator rarely
// or never hits; each is compared with the official generator.
var edgeCases = []string{
	"type A @model",
	"type A @model\nextend type A { x: Int }",
	"enum E\ntype A @model { e: E }",
	"type N\ninput I\ntype Query { q(i: I): N }",
	`enum E { _1 _2 _10 a A fooBar FOO_BAR }  type A @model { e: E }`,
	`type A @model { a: [A] @manyToMany(relationName: "s") b: [A] @manyToMany(relationName: "s") }`,
	`type A @model { x: Int } type B @model { as: [A] @manyToMany(relationName: "A") } type C @model { bs: [B] @manyToMany(relationName: "A") }`,
	`type A @model(timestamps: {createdAt: "u", updatedAt: "u"}) { x: Int }`,
	`type A @model(timestamps: {createdAt: "x"}) { x: Int! }`,
	`type A @model { id: ID @primaryKey x: Int }`,
	`type A @model { id: String! x: Int }`,
	`type A @model { k: ID! @primaryKey(sortKeyFields: ["nope"]) }`,
	`type A @model { k: ID! @primaryKey(sortKeyFields: []) }`,
	`type A @model { k: ID! @primaryKey(sortKeyFields: "s") s: Int }`,
	`type A @model { k: ID! @index(sortKeyFields: "s") s: Int }`,
	`type A @model { k: ID! @index(name: "x") @index(name: "x", queryField: "q") }`,
	`type A @model @auth(rules: [{allow: groups, groupField: ""}, {allow: groups, groups: null}, {allow: owner, ownerField: null}]) { x: Int }`,
	`type A @model @auth(rules: []) { x: Int }`,
	`type A @model @auth(rules: [{allow: public, operations: []}, {allow: private, mutations: [create]}]) { x: Int }`,
	`type A @model { b: B @belongsTo(fields: "xyz") } type B @model { a: A @hasOne }`,
	`type A @model { b: B @hasOne(fields: ["q", "r"]) } type B @model { id: ID! }`,
	`type A @model { bs: [B] @hasMany(references: "aId") } type B @model { aId: ID a: A @belongsTo(references: "aId") }`,
	`type A @model { bs: [B] @hasMany(references: ["nope"]) } type B @model { a: A @belongsTo(references: ["nope"]) }`,
	`type A @model { b: B @hasOne(references: ["aId"]) } type B @model { aId: ID a: A @belongsTo(references: ["aId"]) }`,
	`type A @model { bs: [B] @hasMany(indexName: "byA", fields: ["id"]) } type B @model { aId: ID @index(name: "byA") a: A @belongsTo(fields: ["aId"]) }`,
	`type A @model { bs: [B] @hasMany(fields: ["id"]) } type B @model { a: A @belongsTo }`,
	`type A @model { bs: [B] @hasMany(fields: ["id"]) } type B @model { k: ID! @primaryKey }`,
	`type A @model { b: B } type B @model { x: Int }`,
	`type A @model { b: B! @hasOne c: B @hasOne } type B @model { x: Int }`,
	`type A { b: B @hasOne } type B @model { x: Int }`,
	`type A @model { s: String @default(value: "x") @auth(rules: [{allow: owner}]) }`,
	`type A @model @searchable @aws_iam @aws_cognito_user_pools(cognito_groups: ["a"]) @mapsTo(name: "B") { x: Int }`,
	`type A @model(queries: null, mutations: {create: "mk"}, subscriptions: {level: off}) { x: Int }`,
	`schema { query: Q mutation: M } type Q { a: Int } type M { b(x: Int = 1): String } type Subscription { c: Int @aws_subscribe(mutations: ["b"]) }`,
	`type A @model { x: Int } union U = A type Query { u: U us: [U!]! n: Int }`,
	`interface I { x: Int } type A @model { x: Int } type Query { i: I n: Int }`,
	"type A @model { x: Int }\n\"\"\"doc\"\"\"\ntype B { y: String @deprecated(reason: \"old\") }",
	`type A @model { n: Int @hasMany(limit: 12345678901234567890) }`,
	`type A @model { s: [[Int!]]! t: [[String]] }`,
	`type A @model @auth(rules: [{allow: owner, ownerField: "a\u0000b\u2028c\"d"}]) { x: Int }`,
	`type A @model { x: Int } type B @model { as: [A] @hasMany }`,
	`type Post @model { id: ID! tags: [Tag] @manyToMany(relationName: "PostTags") } type Tag @model { id: ID! posts: [Post] @manyToMany(relationName: "PostTags") } type PostTags { x: Int }`,
	`type constructor @model { x: Int }`,
	`enum toString { A } type T @model { c: toString }`,
	`type valueOf { x: Int } type T @model { v: valueOf }`,
	`type T @model { v: hasOwnProperty @hasOne } type hasOwnProperty @model { x: Int }`,
	`type A @model { b: B @hasOne @belongsTo } type B @model { a: A @hasOne }`,
	`type A @model { b: B @belongsTo @hasOne } type B @model { a: A @hasOne }`,
	`type A @model { k1: ID! @primaryKey k2: ID! @primaryKey }`,
	`type A @model { id: Int k: ID! @primaryKey }`,
	`type Query @model { x: Int }`,
	`type A @model { n: N @hasOne } type N { x: Int }`,
	`type A @model { b: B @hasOne(fields: ["x"], references: ["y"]) x: ID } type B @model { y: ID a: A @belongsTo(references: ["y"]) }`,
	`type A @model { op: ModelOperation }`,
	`type AMPLIFY { x: Int } type A @model { x: Int }`,
	`type A @model { u: U } type B { x: Int } union U = B`,
	`type A @model { bs: [B] @hasMany } type B @model { a: A @belongsTo c: A @belongsTo }`,
	`type A @model { bs: [B] @hasMany b2: [B] @hasMany } type B @model { a: A @belongsTo }`,
	`type A @model { b: B @hasOne } type B @model { a1: A @belongsTo a2: A @belongsTo(fields: ["x"]) x: ID }`,
	`type A @model { k: String! @primaryKey(sortKeyFields: ["s", "t"]) s: Int! t: AWSDate! bs: [B] @hasMany c: C @hasOne } type B @model { a: A @belongsTo } type C @model { x: Int }`,
	`type A @model { k: String! @primaryKey(sortKeyFields: ["s"]) s: Int! cs: [C] @manyToMany(relationName: "AC") } type C @model { id: ID! @primaryKey(sortKeyFields: ["v"]) v: [Int]! as: [A] @manyToMany(relationName: "AC") }`,
	`type A @model { x: Int } extend type A @auth(rules: [{allow: public}])`,
	`type A @model @auth(rules: [{allow: owner}]) @auth(rules: [{allow: public}]) { x: Int }`,
	`type A @model @model(timestamps: null) { x: Int }`,
	`type A @aws_iam @model { x: Int }`,
	"\ufefftype A @model { x: Int }",
	"type A @model {\r\n  x: Int @auth(rules: [{allow: owner, ownerField: \"\"\"\r\n   a\r\n     b\r\n\"\"\"}])\r\n}",
	`type A @model @auth(rules: [{allow: owner, ownerField: "\ud83d\ude00"}]) { x: Int }`,
	"type A @model { x: Int }\n# trailing comment",
	"type A @model { x: Int, y: Int, }",
	`type A @model @auth(rules: [{allow: owner, ownerField: "x\ud800y\udc00\ud83d"}]) { x: Int }`,
	`type A @model { b: B @hasOne } type B @model { k: ID! @primaryKey a: A @belongsTo(fields: ["k"]) }`,
	`type A @model { bs: [B] @hasMany } type B @model { k: ID! @primaryKey(sortKeyFields: ["s"]) s: Int! a: A @belongsTo(fields: ["k"]) }`,
	`type A @model { b: B @hasOne } type B @model { as: [A] @belongsTo }`,
	`type A @model { bs: [B] @hasMany } type B @model { a: A @belongsTo(references: ["x"]) x: ID }`,
	`type A @model { bs: [B] @hasMany(references: ["x"]) } type B @model { a: A @belongsTo x: ID }`,
	`type A @model { b: B @hasOne(references: ["x"]) } type B @model { x: ID }`,
	`type A @model { bs: [B] @hasMany(indexName: "nope", fields: ["id"]) } type B @model { x: ID }`,
	`type A @model { b: B @hasOne } type B @model { a: A @belongsTo(fields: ["123", "7", "x"]) }`,
	`type A @model { b: B @hasOne(fields: ["2", "10"]) } type B @model { k: ID! @primaryKey(sortKeyFields: ["s"]) s: Int! }`,
	`type A @model { bs: [B] @hasMany(fields: ["id"]) } type B @model { a: A @belongsTo(fields: ["aId"]) aId: ID }`,
	`type A @model { bs: [B] @hasMany(indexName: "byA") } type B @model { aId: ID @index(name: "byA") }`,
	`directive @foo(x: Int, s: [String]) on OBJECT | FIELD_DEFINITION  type A @model @foo(x: 1, s: ["a"]) { y: Int @foo }`,
	`scalar AWSJSON  type A @model { j: AWSJSON }`,
	`enum AuthStrategy { owner }  type A @model @auth(rules: [{allow: owner}]) { x: Int }`,
	`type A @model { x: Int } type B { a: A as: [A]! }`,
}

func TestGenerate_DifferentialEdgeCases(t *testing.T) {
	ref := startReference(t)
	for i, s := range edgeCases {
		for _, opts := range []Options{{}, {RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)}} {
			d, err := disagreement(ref, s, opts)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("case %d (options %s): %s\n%s", i, optString(opts), d, s)
			}
		}
	}
}
