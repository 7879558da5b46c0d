package modelgen

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// This file holds what graphql-js 15 rejects and gqlparser accepts: the
// lexer's escapes and the built-in directives buildASTSchema reads.

// checkEscapes rejects a \u escape in a string literal that is not followed
// by four hexadecimal digits (graphql-js 15's lexer has no braced \u{...}
// form), as "Syntax Error: Invalid character escape sequence: \u....", at
// the u. Comments and block strings (which have no escapes) are
// skipped.
func checkEscapes(sdl string) error {
	if !strings.Contains(sdl, `\u`) {
		return nil
	}
	line, col := 1, 1
	advance := func(s string) {
		for _, r := range s {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
	}
	for i := 0; i < len(sdl); {
		switch {
		case sdl[i] == '#':
			j := strings.IndexAny(sdl[i:], "\r\n")
			if j < 0 {
				return nil
			}
			advance(sdl[i : i+j])
			i += j
		case strings.HasPrefix(sdl[i:], `"""`):
			j := i + 3
			for j < len(sdl) && !strings.HasPrefix(sdl[j:], `"""`) {
				if strings.HasPrefix(sdl[j:], `\"""`) {
					j += 4
				} else {
					j++
				}
			}
			j = min(j+3, len(sdl))
			advance(sdl[i:j])
			i = j
		case sdl[i] == '"':
			j := i + 1
			for j < len(sdl) && sdl[j] != '"' && sdl[j] != '\n' && sdl[j] != '\r' {
				if sdl[j] == '\\' && j+1 < len(sdl) {
					if sdl[j+1] == 'u' && !isHex4(sdl[j+2:]) {
						advance(sdl[i:j])
						end := min(j+6, len(sdl))
						return &SchemaError{Line: line, Column: col + 1, Message: "Syntax Error: Invalid character escape sequence: " + sdl[j:end] + "."}
					}
					j++
				}
				j++
			}
			j = min(j+1, len(sdl))
			advance(sdl[i:j])
			i = j
		default:
			advance(sdl[i : i+1])
			i++
		}
	}
	return nil
}

func isHex4(s string) bool {
	if len(s) < 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkBuiltinDirectives does what buildASTSchema's getDeprecationReason and
// getSpecifiedByUrl do with graphql-js's own definitions, @deprecated(reason:
// String) and @specifiedBy(url: String!): read the first such directive on
// every field, argument, input field and enum value, and every scalar but
// the standard ones, and
// reject an argument value of another type ("Argument "reason" has invalid
// value 5.").
func checkBuiltinDirectives(defs []*ast.Definition, dirs ast.DirectiveDefinitionList) error {
	checkArgs := func(args ast.ArgumentDefinitionList) error {
		for _, a := range args {
			if err := checkBuiltinDirective(a.Directives, "deprecated", "reason", false); err != nil {
				return err
			}
		}
		return nil
	}
	for _, def := range defs {
		if def.Kind == ast.Scalar && !standardScalars[def.Name] {
			if err := checkBuiltinDirective(def.Directives, "specifiedBy", "url", true); err != nil {
				return err
			}
		}
		for _, f := range def.Fields {
			if err := checkBuiltinDirective(f.Directives, "deprecated", "reason", false); err != nil {
				return err
			}
			if err := checkArgs(f.Arguments); err != nil {
				return err
			}
		}
		for _, v := range def.EnumValues {
			if err := checkBuiltinDirective(v.Directives, "deprecated", "reason", false); err != nil {
				return err
			}
		}
	}
	for _, d := range dirs {
		if err := checkArgs(d.Arguments); err != nil {
			return err
		}
	}
	return nil
}

// standardScalars are the scalars buildASTSchema takes from graphql-js
// rather than from the schema's definition of them.
var standardScalars = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

func checkBuiltinDirective(list ast.DirectiveList, name, arg string, required bool) error {
	d := list.ForName(name)
	if d == nil {
		return nil
	}
	var a *ast.Argument
	for _, x := range d.Arguments {
		if x.Name == arg {
			a = x // graphql-js keys arguments by name: the last one counts
		}
	}
	switch {
	case a == nil:
		if required {
			return errAt(d.Position, "Argument %q of required type \"String!\" was not provided.", arg)
		}
	case a.Value.Kind == ast.NullValue:
		if required {
			return errAt(a.Value.Position, "Argument %q of non-null type \"String!\" must not be null.", arg)
		}
	case a.Value.Kind != ast.StringValue && a.Value.Kind != ast.BlockValue:
		return errAt(a.Value.Position, "Argument %q has invalid value %s.", arg, printValue(a.Value))
	}
	return nil
}

// printValue is graphql-js's print of a value node.
func printValue(v *ast.Value) string {
	var b strings.Builder
	var write func(v *ast.Value)
	write = func(v *ast.Value) {
		switch v.Kind {
		case ast.StringValue, ast.BlockValue:
			s, _ := convertValue(v)
			str, _ := s.(string)
			writeJSONString(&b, str)
		case ast.NullValue:
			b.WriteString("null")
		case ast.Variable:
			b.WriteString("$" + v.Raw)
		case ast.ListValue:
			b.WriteByte('[')
			for i, c := range v.Children {
				if i > 0 {
					b.WriteString(", ")
				}
				write(c.Value)
			}
			b.WriteByte(']')
		case ast.ObjectValue:
			b.WriteByte('{')
			for i, c := range v.Children {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(c.Name + ": ")
				write(c.Value)
			}
			b.WriteByte('}')
		default:
			b.WriteString(v.Raw)
		}
	}
	write(v)
	return b.String()
}
