package modelgen

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf16"
)

// Name transformations of the generator's helper libraries: pluralize 8.0.0,
// change-case 4.1.2 and graphql-transformer-common. Type names are GraphQL
// names (ASCII), which is all these functions are given except ucfirst and
// lcfirst, which follow JavaScript's casing of the first UTF-16 code unit.

// ucfirst is s.charAt(0).toUpperCase() + s.slice(1).
func ucfirst(s string) string {
	if s == "" {
		return s
	}
	c := s[0]
	if c < 0x80 {
		if 'a' <= c && c <= 'z' {
			return string(c-32) + s[1:]
		}
		return s
	}
	return caseFirstUnit(s, true)
}

// lcfirst is s.charAt(0).toLowerCase() + s.slice(1).
func lcfirst(s string) string {
	if s == "" {
		return s
	}
	c := s[0]
	if c < 0x80 {
		if 'A' <= c && c <= 'Z' {
			return string(c+32) + s[1:]
		}
		return s
	}
	return caseFirstUnit(s, false)
}

func caseFirstUnit(s string, upper bool) string {
	r := []rune(s)
	if r[0] >= 0x10000 {
		// charAt(0) is a lone high surrogate, which has no case mapping.
		return s
	}
	var first string
	if upper {
		if m, ok := jsUpperSpecial[r[0]]; ok {
			first = m
		} else {
			first = string(unicode.ToUpper(r[0]))
		}
	} else {
		if m, ok := jsLowerSpecial[r[0]]; ok {
			first = m
		} else {
			first = string(unicode.ToLower(r[0]))
		}
	}
	return first + string(r[1:])
}

// JavaScript's full case mappings that expand to several characters
// (SpecialCasing.txt, unconditional entries) for the BMP.
var jsLowerSpecial = map[rune]string{0x0130: "i\u0307"}

var jsUpperSpecial = map[rune]string{
	0x00DF: "SS", 0x0149: "\u02BCN", 0x01F0: "J\u030C", 0x0390: "\u0399\u0308\u0301",
	0x03B0: "\u03A5\u0308\u0301", 0x0587: "\u0535\u0552", 0x1E96: "H\u0331", 0x1E97: "T\u0308",
	0x1E98: "W\u030A", 0x1E99: "Y\u030A", 0x1E9A: "A\u02BE", 0x1F50: "\u03A5\u0313",
	0x1F52: "\u03A5\u0313\u0300", 0x1F54: "\u03A5\u0313\u0301", 0x1F56: "\u03A5\u0313\u0342",
	0xFB00: "FF", 0xFB01: "FI", 0xFB02: "FL", 0xFB03: "FFI", 0xFB04: "FFL", 0xFB05: "ST", 0xFB06: "ST",
	0xFB13: "\u0544\u0546", 0xFB14: "\u0544\u0535", 0xFB15: "\u0544\u053B", 0xFB16: "\u054E\u0546",
	0xFB17: "\u0544\u053D",
}

// toCamelCaseWords is the plugin's toCamelCase: lcfirst of the first word,
// ucfirst of the others, joined.
func toCamelCaseWords(words ...string) string {
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(lcfirst(w))
		} else {
			b.WriteString(ucfirst(w))
		}
	}
	return b.String()
}

// graphqlName is graphql-transformer-common's graphqlName.
func graphqlName(val string) string {
	if strings.TrimFunc(val, isJSWhitespace) == "" {
		return ""
	}
	var b strings.Builder
	leading := true
	for _, r := range val {
		isStart := r == '_' || ('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z')
		if leading {
			if !isStart {
				continue
			}
			leading = false
		}
		if isStart || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return 0x2000 <= r && r <= 0x200A
}

// ---- change-case 4.1.2 ----

// The regexps below are compiled on first use, not at every process start.
var (
	splitRe1 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([a-z0-9])([A-Z])`) })
	splitRe2 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([A-Z])([A-Z][a-z])`) })
	stripRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)[^A-Z0-9]+`) })
)

// noCaseWords splits a name into words as no-case does.
func noCaseWords(input string) []string {
	s := splitRe1().ReplaceAllString(input, "${1}\x00${2}")
	s = splitRe2().ReplaceAllString(s, "${1}\x00${2}")
	s = stripRe().ReplaceAllString(s, "\x00")
	s = strings.Trim(s, "\x00")
	return strings.Split(s, "\x00")
}

// camelCase is change-case's camelCase.
func camelCase(input string) string {
	var b strings.Builder
	for i, w := range noCaseWords(input) {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		if w == "" {
			continue
		}
		first := w[:1]
		rest := strings.ToLower(w[1:])
		if first[0] >= '0' && first[0] <= '9' {
			b.WriteString("_" + first + rest)
		} else {
			b.WriteString(strings.ToUpper(first) + rest)
		}
	}
	return b.String()
}

// constantCase is change-case's constantCase.
func constantCase(input string) string {
	words := noCaseWords(input)
	for i, w := range words {
		words[i] = strings.ToUpper(w)
	}
	return strings.Join(words, "_")
}

// ---- pluralize 8.0.0 ----

type pluralRule struct {
	re   *regexp.Regexp
	repl string
}

var (
	irregularSingles = map[string]string{}
	irregularPlurals = map[string]string{}
	uncountables     = map[string]bool{}
	pluralRules      []pluralRule
	// loadPlurals fills the tables on first use: compiling the rules'
	// regular expressions would otherwise add to every process's start.
	loadPlurals = sync.OnceFunc(buildPlurals)
)

func buildPlurals() {
	for _, p := range [][2]string{
		{"I", "we"}, {"me", "us"}, {"he", "they"}, {"she", "they"}, {"them", "them"},
		{"myself", "ourselves"}, {"yourself", "yourselves"}, {"itself", "themselves"},
		{"herself", "themselves"}, {"himself", "themselves"}, {"themself", "themselves"},
		{"is", "are"}, {"was", "were"}, {"has", "have"}, {"this", "these"}, {"that", "those"},
		{"echo", "echoes"}, {"dingo", "dingoes"}, {"volcano", "volcanoes"}, {"tornado", "tornadoes"},
		{"torpedo", "torpedoes"}, {"genus", "genera"}, {"viscus", "viscera"}, {"stigma", "stigmata"},
		{"stoma", "stomata"}, {"dogma", "dogmata"}, {"lemma", "lemmata"}, {"schema", "schemata"},
		{"anathema", "anathemata"}, {"ox", "oxen"}, {"axe", "axes"}, {"die", "dice"}, {"yes", "yeses"},
		{"foot", "feet"}, {"eave", "eaves"}, {"goose", "geese"}, {"tooth", "teeth"}, {"quiz", "quizzes"},
		{"human", "humans"}, {"proof", "proofs"}, {"carve", "carves"}, {"valve", "valves"},
		{"looey", "looies"}, {"thief", "thieves"}, {"groove", "grooves"}, {"pickaxe", "pickaxes"},
		{"passerby", "passersby"},
	} {
		single, plural := strings.ToLower(p[0]), strings.ToLower(p[1])
		irregularSingles[single] = plural
		irregularPlurals[plural] = single
	}
	for _, r := range [][2]string{
		{`s?$`, "s"},
		{`[^\x00-\x7F]$`, "$0"},
		{`([^aeiou]ese)$`, "$1"},
		{`(ax|test)is$`, "$1es"},
		{`(alias|[^aou]us|t[lm]as|gas|ris)$`, "$1es"},
		{`(e[mn]u)s?$`, "$1s"},
		{`([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$`, "$1"},
		{`(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$`, "$1i"},
		{`(alumn|alg|vertebr)(?:a|ae)$`, "$1ae"},
		{`(seraph|cherub)(?:im)?$`, "$1im"},
		{`(her|at|gr)o$`, "$1oes"},
		{`(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor)(?:a|um)$`, "$1a"},
		{`(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)(?:a|on)$`, "$1a"},
		{`sis$`, "ses"},
		{`(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$`, "$1$2ves"},
		{`([^aeiouy]|qu)y$`, "$1ies"},
		{`([^ch][ieo][ln])ey$`, "$1ies"},
		{`(x|ch|ss|sh|zz)$`, "$1es"},
		{`(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$`, "$1ices"},
		{`\b((?:tit)?m|l)(?:ice|ouse)$`, "$1ice"},
		{`(pe)(?:rson|ople)$`, "$1ople"},
		{`(child)(?:ren)?$`, "$1ren"},
		{`eaux$`, "$0"},
		{`m[ae]n$`, "men"},
		{`^thou$`, "you"},
	} {
		pluralRules = append(pluralRules, pluralRule{regexp.MustCompile("(?i)" + r[0]), r[1]})
	}
	for _, w := range []string{
		"adulthood", "advice", "agenda", "aid", "aircraft", "alcohol", "ammo", "analytics", "anime",
		"athletics", "audio", "bison", "blood", "bream", "buffalo", "butter", "carp", "cash", "chassis",
		"chess", "clothing", "cod", "commerce", "cooperation", "corps", "debris", "diabetes", "digestion",
		"elk", "energy", "equipment", "excretion", "expertise", "firmware", "flounder", "fun", "gallows",
		"garbage", "graffiti", "hardware", "headquarters", "health", "herpes", "highjinks", "homework",
		"housework", "information", "jeans", "justice", "kudos", "labour", "literature", "machinery",
		"mackerel", "mail", "media", "mews", "moose", "music", "mud", "manga", "news", "only", "personnel",
		"pike", "plankton", "pliers", "police", "pollution", "premises", "rain", "research", "rice",
		"salmon", "scissors", "series", "sewage", "shambles", "shrimp", "software", "species", "staff",
		"swine", "tennis", "traffic", "transportation", "trout", "tuna", "wealth", "welfare", "whiting",
		"wildebeest", "wildlife", "you",
	} {
		uncountables[w] = true
	}
	for _, r := range []string{
		`pok[eé]mon$`, `[^aeiou]ese$`, `deer$`, `fish$`, `measles$`, `o[iu]s$`, `pox$`, `sheep$`,
	} {
		pluralRules = append(pluralRules, pluralRule{regexp.MustCompile("(?i)" + r), "$0"})
	}
}

// pluralCache memoizes plural, a pure function the generator calls for every
// model on every run; it stops growing at pluralCacheMax entries.
var pluralCache sync.Map

const pluralCacheMax = 1 << 14

var pluralCacheLen atomic.Int64

// plural is pluralize.plural (and pluralize(word)).
func plural(word string) string {
	if p, ok := pluralCache.Load(word); ok {
		return p.(string)
	}
	p := pluralUncached(word)
	if pluralCacheLen.Load() < pluralCacheMax {
		if _, loaded := pluralCache.LoadOrStore(word, p); !loaded {
			pluralCacheLen.Add(1)
		}
	}
	return p
}

func pluralUncached(word string) string {
	loadPlurals()
	token := strings.ToLower(word)
	if p, ok := irregularPlurals[token]; ok {
		return restoreCase(word, p)
	}
	if p, ok := irregularSingles[token]; ok {
		return restoreCase(word, p)
	}
	if token == "" || uncountables[token] {
		return word
	}
	for i := len(pluralRules) - 1; i >= 0; i-- {
		r := pluralRules[i]
		m := r.re.FindStringSubmatchIndex(word)
		if m == nil {
			continue
		}
		match := word[m[0]:m[1]]
		result := interpolate(r.repl, word, m)
		var rep string
		if match == "" {
			prev := ""
			if m[0] > 0 {
				prev = word[m[0]-1 : m[0]]
			}
			rep = restoreCaseChar(prev, result, m[0] > 0)
		} else {
			rep = restoreCase(match, result)
		}
		return word[:m[0]] + rep + word[m[1]:]
	}
	return word
}

var interpRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$(\d{1,2})`) })

// interpolate replaces $N by the N-th replace() callback argument.
func interpolate(repl, word string, m []int) string {
	return interpRe().ReplaceAllStringFunc(repl, func(s string) string {
		n, _ := strconv.Atoi(s[1:])
		groups := len(m) / 2
		switch {
		case n < groups:
			if m[2*n] < 0 {
				return ""
			}
			return word[m[2*n]:m[2*n+1]]
		case n == groups:
			if m[0] == 0 {
				return "" // the offset 0 is falsy
			}
			return strconv.Itoa(len(utf16.Encode([]rune(word[:m[0]]))))
		case n == groups+1:
			return word
		}
		return ""
	})
}

// restoreCaseChar is restoreCase(word[index-1], token) for an empty match;
// word[-1] is undefined.
func restoreCaseChar(prev, token string, ok bool) string {
	if !ok {
		// restoreCase(undefined, token): undefined.toLowerCase() throws in
		// JavaScript; an empty match at offset 0 happens only for an empty word,
		// which never reaches here.
		return strings.ToLower(token)
	}
	return restoreCase(prev, token)
}

// restoreCase gives token the case pattern of word.
func restoreCase(word, token string) string {
	if word == token {
		return token
	}
	if word == strings.ToLower(word) {
		return strings.ToLower(token)
	}
	if word == strings.ToUpper(word) {
		return strings.ToUpper(token)
	}
	if word[:1] == strings.ToUpper(word[:1]) {
		return ucfirst(token[:min(1, len(token))]) + strings.ToLower(token[min(1, len(token)):])
	}
	return strings.ToLower(token)
}

// indexPrefix is the default @index name prefix: lcfirst(pluralize(model)).
func indexPrefix(model string) string { return lcfirst(plural(model)) }
