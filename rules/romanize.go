package rules

import "strings"

// Romanization keys (docs/rule-language.md "Korean romanization"). One Korean name has many Latin spellings: the
// Revised Romanization (Jeong, Son-hui), McCune-Reischauer with or without breves (Chŏng, Chong), and popular
// spellings (Jung, Chung, Sun-hee); given names are hyphenated, spaced or joined (Jong-un, Jong Un, Jongun).
// Listing every spelling per person does not scale, so each PERSON entity of Korean shape gets one key that all
// of them share, computed once at compile time; Lookup (which discovery uses for every name it finds) falls back
// to the key when the spelling itself is unknown. Keys of two entities that collide are dropped: a key only ever
// names a person the pack knows, and only one.

// surnameKey maps the irregular spellings of a Korean surname to one form; the rest fold by romanKey.
var surnameKey = map[string]string{
	"lee": "ri", "ri": "ri", "rhee": "ri", "yi": "ri", "rhie": "ri", "i": "ri",
	"park": "pak", "pak": "pak", "bak": "pak", "bahk": "pak",
	"choi": "choe", "choe": "choe", "cho": "choe", "jo": "choe", "chey": "choe", "chwe": "choe",
	"oh": "o", "o": "o", "ahn": "an", "an": "an", "roh": "ro", "noh": "ro", "ro": "ro",
	"lim": "im", "rim": "im", "im": "im", "ryu": "yu", "yoo": "yu", "yu": "yu", "ryang": "yang",
	"shin": "sin", "sohn": "son", "suh": "so", "seo": "so", "koh": "ko", "go": "ko", "joo": "ju", "chu": "ju",
	"woo": "u", "hur": "ho", "heo": "ho",
}

// koreanSurnames are the surnames that make a name Korean-shaped, besides surnameKey's.
var koreanSurnames = func() map[string]bool {
	m := map[string]bool{}
	for k := range surnameKey {
		m[k] = true
	}
	for _, s := range strings.Fields(`kim gim jung jeong chung chong kang gang yoon yun jang chang han hwang kwon gwon
		song jeon jun chon chun hong ko moon mun yang son bae pae baek paek ho nam sim shim kwak sung seong cha ju
		koo ku min jin chin ji chi um eom chae won cheon bang pang kong gong hyun hyon hyeon yeo ryo seok sok sun
		ma gil kil yeon yon pyo myung myong ki ban pan wang geum kum ok yook yuk tak tae kye gye ri sin`) {
		m[s] = true
	}
	return m
}()

// romanKey returns the shared key of the folded spelling s of a Korean syllable string (a given name with its
// syllables joined, or a surname): vowels eo/o/u and eu/u, oo/u, ee/i, ui/i merged; ch/j, g/k, d/t, b/p, sh/s,
// l/r merged; a final ng written as n (Song/Son).
func romanKey(s string) string {
	r := romanPairs.Replace(s)
	return romanSingles.Replace(r)
}

var (
	romanPairs   = strings.NewReplacer("eo", "o", "eu", "u", "oo", "u", "ee", "i", "ui", "i", "ch", "j", "sh", "s", "ng", "n", "wo", "o")
	romanSingles = strings.NewReplacer("g", "k", "d", "t", "b", "p", "l", "r", "u", "o")
)

// koreanKeys returns the romanization keys of a folded PERSON name of Korean shape ("kim jong un"): the full key
// (surname and given name) and the given-name key, or ok false when the name is not Korean-shaped: a known
// surname followed by a given name of one or two syllables of at most six letters each (a hyphen folds to a space).
func koreanKeys(folded string) (full, given string, ok bool) {
	words := strings.Fields(folded)
	if len(words) < 2 || len(words) > 3 {
		return "", "", false
	}
	sur := words[0]
	if !koreanSurnames[sur] {
		return "", "", false
	}
	if k, ok := surnameKey[sur]; ok {
		sur = k
	}
	g := strings.Join(words[1:], "")
	for _, w := range words[1:] {
		if len(w) > 6 || strings.ContainsAny(w, "0123456789") {
			return "", "", false
		}
	}
	given = romanKey(g)
	return romanKey(sur) + " " + given, given, true
}

// romanIndex collects the keys of the pack's romanized persons, dropping keys two entities share.
type romanIndex struct {
	full, given map[string]int32 // key -> entity, -1 when shared
}

func (x *romanIndex) add(folded string, id int32) {
	full, given, ok := koreanKeys(folded)
	if !ok {
		return
	}
	if x.full == nil {
		x.full, x.given = map[string]int32{}, map[string]int32{}
	}
	put := func(m map[string]int32, k string) {
		if old, ok := m[k]; ok && old != id {
			m[k] = -1
			return
		}
		m[k] = id
	}
	put(x.full, full)
	if len(given) >= 4 { // a two-syllable given name; one syllable alone names nobody
		put(x.given, given)
	}
}

// lookupRoman returns the romanized person whose key the folded name has: a full name ("Cho Song Hui" -> Choe
// Son-hui) or, for a name of two short words whose first is no surname key of its own person, a given name
// alone ("Ju Ae" -> Kim Ju-ae).
func (rs *RuleSet) lookupRoman(folded string) (int32, bool) {
	if rs.roman.full == nil {
		return -1, false
	}
	if full, _, ok := koreanKeys(folded); ok {
		if id, ok := rs.roman.full[full]; ok && id >= 0 {
			return id, true
		}
	}
	words := strings.Fields(folded)
	if len(words) != 2 || len(words[0]) > 3 || len(words[1]) > 3 {
		return -1, false
	}
	if id, ok := rs.roman.given[romanKey(words[0]+words[1])]; ok && id >= 0 {
		return id, true
	}
	return -1, false
}

// maybeKorean reports cheaply whether the folded name could have a romanization key: two or three words, the
// first a Korean surname or at most three letters.
func maybeKorean(folded []byte) bool {
	sp := 0
	first := -1
	for i, c := range folded {
		if c == ' ' {
			sp++
			if first < 0 {
				first = i
			}
		}
	}
	if sp < 1 || sp > 2 {
		return false
	}
	return first <= 3 || koreanSurnames[string(folded[:first])]
}
