package tagger

import (
	"bytes"
	"slices"
	"strings"
	"unicode"

	"github.com/tagpipe/tagpipe/rules"
)

// isCommon reports whether word token i is a common word: a stopword, a function word, or a word the article
// also writes in lower case.
func (x *fieldScan) isCommon(i int) bool {
	k := x.lowerKey(i)
	if functionWords[string(k)] {
		return true
	}
	if x.sc.lower.has(string(k)) {
		return true
	}
	return x.tokIn(i, rules.Stopwords)
}

// koreanName reports whether tokens i, i+1 are a Korean surname and a hyphenated given name (`Choi Seong-ryong`).
func (x *fieldScan) koreanName(i int) bool {
	if !x.isCap(i) || !x.isCap(i+1) || !x.adjacent(i+1) || !x.toks[i+1].hyphen || x.toks[i+1].allCaps ||
		x.toks[i].allCaps {
		return false
	}
	if !x.is(i, inKoreanSurnames) {
		return false
	}
	given := x.lowerKey(i + 1)
	if x.toks[i+1].digit || bytes.HasSuffix(given, []byte("-class")) {
		return false
	}
	if x.sc.lower.has(string(given)) {
		return false
	}
	for part := range bytes.SplitSeq(given, []byte("-")) {
		if len(part) < 2 || notNameWords[string(part)] || functionWords[string(part)] {
			return false
		}
	}
	return true
}

// headCue returns the type a cue gives a..b, or "". The cue must be the head noun: the last word before the first
// connector (`Chongjin Shipyard`, `Foreign Ministry`), or the first word when a connector follows it (`Ministry of
// Foreign Affairs`, `Sea of Japan`). A location cue wins over an organization cue in the same place.
func (x *fieldScan) headCue(a, b int) rules.Type {
	end := b
	for i := a; i <= b; i++ {
		if x.isConnector(i) {
			end = i - 1
			break
		}
	}
	for end > a && !x.isWord(end) {
		end--
	}
	if end < a {
		return ""
	}
	if end-a == 1 && x.koreanName(a) {
		return "" // `Park Ji-won`: a person, whatever the words mean in English
	}
	cue := func(i int) rules.Type {
		if !x.isCap(i) || x.cov[i] >= 0 {
			return ""
		}
		switch l := x.listsOf(i); {
		case l.Has(rules.LocationCues):
			return rules.Location
		case l.Has(rules.OrganizationCues):
			return rules.Organization
		}
		return ""
	}
	if end < b {
		// `Bridge of Light Coalition`: a cue ending the whole name is its head.
		if t := cue(b); t != "" {
			return t
		}
	}
	if t := cue(end); t != "" {
		return t
	}
	if end < b {
		return cue(a)
	}
	return ""
}

func (x *fieldScan) typedHead(a, b int) bool { return x.headCue(a, b) != "" }

// isCompound reports whether word token i is a hyphenated adjective such as `European-style` (compoundSuffixes).
func (x *fieldScan) isCompound(i int) bool {
	if !x.isWord(i) || !x.toks[i].hyphen {
		return false
	}
	k := x.lowerKey(i)
	return compoundSuffixes[string(k[bytes.LastIndexByte(k, '-')+1:])]
}

// isCue reports whether word token i is an organization or location cue (`Ministry`, `Sea`).
func (x *fieldScan) isCue(i int) bool {
	return x.listsOf(i).Has(rules.OrganizationCues | rules.LocationCues)
}

// classify types the piece a..b (trimmed: it starts and ends with an uncovered capitalized word, or ends with a
// gazetteer mention inside a cued name).
func (x *fieldScan) classify(a, b int, beforeTitle, personHint bool) {
	// `the Harbour Workers Association and the Bridge of Hope Coalition`: two names joined by `and`.
	for i := a + 1; i < b; i++ {
		if !x.isConnector(i) {
			continue
		}
		if string(x.lowerKey(i)) == "and" && x.headCue(a, i-1) != "" {
			x.piece(a, i-1, beforeTitle, personHint)
			x.piece(i+1, b, beforeTitle, personHint)
			return
		}
		break
	}
	if typ := x.headCue(a, b); typ != "" {
		x.cued(a, b, typ)
		return
	}
	// `People for Peace and Democracy`, `Reporters Without Borders`, `Mothers of the Disappeared`: a group of people
	// named with `for`, `of`, `against` or `without` is a civic group.
	if b-a >= 2 && b-a <= 8 && x.is(a, inCivicHeads) && x.isWord(a+1) && x.is(a+1, inCivicLinks) &&
		!slices.ContainsFunc(x.cov[a:b+1], func(c int32) bool { return c >= 0 }) && !x.isConnector(b) {
		x.emit(a, b, rules.Organization)
		return
	}
	// `the group, Stepping Stones for Freedom`, `a charity called Friends of the Hills`: a kind-of-organization
	// noun before a name with connectors makes it one organization, not two pieces split at `for` or `of`.
	if b-a <= 8 && !x.isConnector(b) && !slices.ContainsFunc(x.cov[a:b+1], func(c int32) bool { return c >= 0 }) {
		if before, _ := x.orgContext(a, b); before {
			x.emit(a, b, rules.Organization)
			return
		}
	}
	// Untyped: split at the first connector (or gazetteer mention); each side is trimmed and classified again.
	for i := a; i <= b; i++ {
		if !x.isConnector(i) && x.cov[i] < 0 {
			continue
		}
		if i > a {
			x.piece(a, i-1, beforeTitle, personHint)
		}
		for i <= b && (x.isConnector(i) || x.cov[i] >= 0 || !x.isWord(i)) {
			i++
		}
		if i <= b {
			x.piece(i, b, beforeTitle, personHint)
		}
		return
	}
	x.simple(a, b, beforeTitle, personHint)
}

// cued records a..b, typed by a cue word, taking in a place name written right before it.
func (x *fieldScan) cued(a, b int, typ rules.Type) {
	if m := x.orgBefore(a); m >= 0 && typ == rules.Organization && a < b {
		// `National Assembly Defense Committee`: a body of a known organization; both are mentions.
		for a > 0 && int(x.cov[a-1]) == m {
			a--
		}
	} else if m := x.placeBefore(a); m >= 0 {
		// `Paju Peace Residents' Council`, `NK News`, `South Korean Foreign Ministry`, `Russian River Valley`: the
		// place (or its adjective) is part of the name. A bare cue word takes a place name only.
		demonym := x.ms[m].Demonym
		bare := a == b
		if !(bare && demonym) {
			for a > 0 && int(x.cov[a-1]) == m {
				a--
			}
			// The place stays a mention of its own, except where it only makes a name out of a bare cue word
			// (`NK News`) or is part of the name of a place or site (`Russian River Valley` is not in Russia,
			// `Incheon International Airport` names the airport, not the city).
			if bare || typ == rules.Location {
				x.suppress(m)
			}
		}
	}
	if a == b && !x.resolve(a, b) {
		return // a bare cue word (`Council`) names nothing
	}
	x.emit(a, b, typ)
}

// orgBefore returns the index of the gazetteer ORGANIZATION mention that ends with token a-1, right before a on
// the same line, or -1.
func (x *fieldScan) orgBefore(a int) int {
	if a == 0 || !x.adjacent(a) || x.cov[a-1] < 0 {
		return -1
	}
	k := int(x.cov[a-1])
	m := x.ms[k]
	if m.Implied || m.Demonym || m.Entity.Type != rules.Organization || m.End != x.toks[a-1].rend {
		return -1
	}
	return k
}

// placeBefore returns the index of the gazetteer LOCATION mention (a name or a demonym) that ends with token a-1,
// right before a on the same line, or -1.
func (x *fieldScan) placeBefore(a int) int {
	if a == 0 || !x.adjacent(a) || x.cov[a-1] < 0 {
		return -1
	}
	k := int(x.cov[a-1])
	m := x.ms[k]
	if m.Implied || m.Entity.Type != rules.Location || m.End != x.toks[a-1].rend {
		return -1
	}
	return k
}

// resolve looks a..b up in the gazetteer; a hit is recorded as a gazetteer mention.
func (x *fieldScan) resolve(a, b int) bool {
	text := x.s[x.toks[a].start:x.toks[b].end]
	e := x.lookup(text)
	if e == nil {
		return false
	}
	x.add(candidate{text: text, canonical: e.Canonical, typ: string(e.Type), id: e.ID, source: SourceGazetteer},
		a, b)
	return true
}

func (x *fieldScan) add(c candidate, a, b int) {
	c.fi = x.fi
	c.rstart, c.rend = x.toks[a].rstart, x.toks[b].rend
	x.sc.cands = append(x.sc.cands, c)
}

// articles open an apposition.
var articles = wordSet("a", "an", "the", "its", "their")

// isVessel reports whether a vessel word stands right before or after a..b, or in an apposition after it.
func (x *fieldScan) isVessel(a, b int) bool {
	if x.isWord(b+1) && x.adjacent(b+1) && x.is(b+1, inVesselWords) {
		return true
	}
	if a > 0 && x.isWord(a-1) && x.adjacent(a) && x.is(a-1, inVesselWords) {
		return true
	}
	for i := a; i <= b; i++ {
		if x.isWord(i) && x.toks[i].hyphen && bytes.HasSuffix(x.lowerKey(i), []byte("-class")) {
			return true
		}
	}
	// An apposition: `Choe Hyon, the new destroyer`.
	if n := b + 1; n+1 < len(x.toks) && x.toks[n].kind == tokPunct && x.s[x.toks[n].start] == ',' &&
		x.isWord(n+1) && x.is(n+1, inArticles) {
		for i := n + 2; i <= n+4 && x.isWord(i) && !x.toks[i].upper; i++ {
			if x.is(i, inVesselWords) {
				return true
			}
		}
	}
	return false
}

// emit records a..b as a discovered entity of type typ, unless it is ignored, a gazetteer name or a ship, and
// reports whether it did.
func (x *fieldScan) emit(a, b int, typ rules.Type) bool {
	text := x.s[x.toks[a].start:x.toks[b].end]
	if x.in(text, rules.Ignored) || x.resolve(a, b) || x.isVessel(a, b) {
		return false
	}
	x.add(candidate{text: text, canonical: collapseSpace(text), typ: string(typ), source: SourceDiscovered}, a, b)
	return true
}

// personContext reports whether a..b or the words around it say it names a person: a middle initial, a role word
// right before it (`analyst Lena Hartmann`, `the candidate, Laura Ortega`), a speech verb right after it (`Lena
// Hartmann said`), or an apposition that names a role or starts with `who` (`Lena Hartmann, a researcher at`).
func (x *fieldScan) personContext(a, b int) bool {
	for i := a; i <= b; i++ {
		if x.isInitial(i) {
			return true // `John F. Kennedy`
		}
	}
	p := a - 1
	if p > 0 && x.toks[p].kind == tokPunct && x.s[x.toks[p].start] == ',' {
		p-- // `the party's candidate, Laura Ortega`
	}
	if p >= 0 && x.isWord(p) && !x.toks[p].upper && !x.toks[p+1].nl {
		if k := string(x.lowerKey(p)); roleWords[k] || x.tokIn(p, rules.Titles) {
			return true
		}
	}
	n := b + 1
	if x.isWord(n) && x.adjacent(n) && x.is(n, inSpeechVerbs) {
		return true
	}
	if n < len(x.toks) && x.toks[n].kind == tokPunct && x.s[x.toks[n].start] == ',' {
		for i := n + 1; i <= n+4 && x.isWord(i) && !x.toks[i].upper; i++ {
			k := string(x.lowerKey(i))
			if roleWords[k] || speechVerbs[k] || i == n+1 && k == "who" {
				return true
			}
		}
	}
	return false
}

// simple classifies a piece without connectors.
func (x *fieldScan) simple(a, b int, beforeTitle, personHint bool) {
	text := x.s[x.toks[a].start:x.toks[b].end]
	// A lone surname the matcher left uncovered names someone else (`Daniil Medvedev ... Medvedev`): coreference
	// decides, not the gazetteer.
	surname := a == b && x.lookup(text) != nil && x.lookup(text).Type == rules.Person
	if x.in(text, rules.Ignored) || !surname && x.resolve(a, b) || x.isVessel(a, b) {
		return
	}
	words := 0
	for i := a; i <= b; i++ {
		if x.isWord(i) && !x.isInitial(i) {
			words++
		}
	}
	// A platform (`posted on X`, `Telegram channels`) or a name after the common noun it is an instance of (`the
	// K-pop group Blue Orbit`, `its agency Starline Entertainment`): an organization.
	// `Distributor CinemaLane said`: a capitalized kind-of-organization noun that starts the sentence.
	if x.init[a] && a < b && x.isWord(a+1) && x.is(a, inOrgNouns) && !x.tokIn(a, rules.OrganizationCues) {
		if b-a <= 4 && !x.koreanName(a+1) && !x.is(a+1, inGivenNames) && !x.resolve(a+1, b) {
			x.emit(a+1, b, rules.Organization)
		} else {
			x.simple(a+1, b, beforeTitle, personHint)
		}
		return
	}
	if b-a <= 4 && !x.koreanName(a) && !x.is(a, inGivenNames) {
		// A place name right before the piece may start the name: `the restaurant, Hamhung Table`.
		start := a
		if m := x.placeBefore(a); m >= 0 && !x.ms[m].Demonym {
			for start > 0 && int(x.cov[start-1]) == m {
				start--
			}
		}
		before, after := x.orgContext(start, b)
		if x.platformContext(a, b) || before && (words >= 2 || start < a || x.toks[a].rend-x.toks[a].rstart >= 3 && !x.toks[a].digit) ||
			after && words >= 2 {
			x.emit(start, b, rules.Organization)
			return
		}
	}
	// A lower-case location cue after the name: `Kursk region`, `Sunan area`; not after an indefinite article,
	// where the word is an adjective (`a Buddhist temple`).
	indef := a > 0 && x.isWord(a-1) && x.adjacent(a) && (string(x.lowerKey(a-1)) == "a" || string(x.lowerKey(a-1)) == "an")
	if x.isWord(b+1) && !x.toks[b+1].upper && x.adjacent(b+1) && x.tokIn(b+1, rules.LocationCues) && words <= 3 && !indef {
		x.emit(a, b, rules.Location)
		return
	}
	if words == 1 {
		if x.isInitial(a) {
			return
		}
		// `a man surnamed Lee`: the press's way of naming someone by surname only.
		if p := a - 1; x.isWord(p) && x.adjacent(a) && string(x.lowerKey(p)) == "surnamed" {
			x.emit(a, b, rules.Person)
			return
		}
		x.sc.cands = append(x.sc.cands, candidate{fi: x.fi, rstart: x.toks[a].rstart, rend: x.toks[b].rend,
			text: text, single: true, key: rules.Fold(text), place: x.placeContext(a)})
		return
	}
	if beforeTitle {
		return
	}
	// `Professor Emeritus John Smith`: words before the name that cannot be part of one.
	for words > 2 && x.isWord(a) && !x.isInitial(a) && !x.nameLike(a, true) {
		a++
		words--
	}
	if x.personName(a, b, personHint) {
		strong := personHint || x.koreanName(a) || x.is(a, inKoreanSurnames) || x.personContext(a, b) ||
			x.is(a, inGivenNames)
		if x.emit(a, b, rules.Person) && !strong {
			x.sc.cands[len(x.sc.cands)-1].weak = true
		}
		return
	}
	// A longer piece ending in a Korean name: `Vice Marshal Pak Jong-chon` when the titles are unknown.
	if b-a >= 2 && x.koreanName(b-1) {
		x.emit(b-1, b, rules.Person)
	}
}

// placeContext reports whether the single word a stands where a place name does: right after `in`, `near` or
// `outside` (`talks in Uppsala`), or after a lower-case location cue and `of` (`the border town of Tumangang`). The
// word must not be common, an acronym, a cue, a title or a name-excluded word, nor be followed by a possessive.
func (x *fieldScan) placeContext(a int) bool {
	t := x.toks[a]
	if t.allCaps || t.digit || t.rend-t.rstart < 3 || !x.adjacent(a) || a < 1 {
		return false
	}
	if n := a + 1; n < len(x.toks) && (x.toks[n].kind == tokPoss || x.adjacent(n) && (x.isCap(n) || x.toks[n].digit)) {
		return false // `in Trump's`, `in Room 101`
	}
	if !x.nameLike(a, false) {
		return false
	}
	p := x.lowerKey(a - 1)
	if x.isWord(a-1) && !x.toks[a-1].upper && placePrepositions[string(p)] {
		return !(x.isCap(a-2) && x.adjacent(a-1)) // not inside a name: `Nobel Prize in Medicine`
	}
	if string(p) == "of" && a >= 2 && x.isWord(a-2) && !x.toks[a-2].upper && x.adjacent(a-1) &&
		x.tokIn(a-2, rules.LocationCues) {
		return true
	}
	return false
}

// personName reports whether a..b looks like a person's name.
func (x *fieldScan) personName(a, b int, personHint bool) bool {
	if b == a+1 && x.koreanName(a) {
		return true
	}
	words := 0
	for i := a; i <= b; i++ {
		if !x.isWord(i) {
			if x.s[x.toks[i].start] == '.' && i > a && x.isInitial(i-1) {
				continue
			}
			return false
		}
		if x.isInitial(i) {
			continue
		}
		words++
		if !x.nameLike(i, personHint) {
			return false
		}
	}
	if words == 3 && x.is(a, inKoreanSurnames) {
		// `Kim Jong Un`: three short syllables.
		for i := a + 1; i <= b; i++ {
			if x.toks[i].rend-x.toks[i].rstart > 5 {
				return false
			}
		}
		return true
	}
	return words == 2 || words == 3
}

// nameLike reports whether word token i can be part of a person's name.
func (x *fieldScan) nameLike(i int, personHint bool) bool {
	t := x.toks[i]
	if !t.upper || t.allCaps || t.digit || t.rend-t.rstart < 2 {
		return false
	}
	k := string(x.lowerKey(i))
	if notNameWords[k] || functionWords[k] {
		return false
	}
	for _, suf := range notNameSuffixes {
		if strings.HasSuffix(k, suf) {
			return false
		}
	}
	if x.tokIn(i, rules.OrganizationCues|rules.LocationCues|rules.Titles|rules.Stopwords) {
		return false
	}
	if !personHint {
		if x.sc.lower.has(k) {
			return false
		}
	}
	return true
}

// collapseSpace replaces each run of white space in s by one space.
func collapseSpace(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) &&
		!strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// platformContext reports whether a..b stands where an online platform does: after `on` or `via` that follows a
// posting word within three words (`wrote on X`, `posted a video on Truth Social`), or before a platform noun
// (`Telegram channels`, `an X account`).
func (x *fieldScan) platformContext(a, b int) bool {
	if n := b + 1; x.isWord(n) && !x.toks[n].upper && x.adjacent(n) && x.is(n, inPlatformNouns) {
		return true
	}
	p := a - 1
	if !x.isWord(p) || x.toks[p].upper || !x.adjacent(a) {
		return false
	}
	if k := string(x.lowerKey(p)); k != "on" && k != "via" {
		return false
	}
	for i := p - 1; i >= p-3 && x.isWord(i); i-- {
		if x.is(i, inPostingWords) {
			return true
		}
	}
	return false
}

// orgContext reports whether a..b names an instance of a lower-case common noun for a kind of organization:
// right after the noun (`the K-pop group Blue Orbit`, `shipbuilder Hanwha Ocean`), after the noun and `called` or
// `named` (`a group called Free Sky Korea`), after the noun and a comma (`a private promoter, Arte Stage`), or
// before a comma and an article that introduce the noun (`Aurora, a Russian carrier`). after reports a noun after
// the name, with at most one lower-case word between (`the Vostok Intur travel agency`).
func (x *fieldScan) orgContext(a, b int) (before, after bool) {
	lowerNoun := func(i int) bool { return x.isWord(i) && !x.toks[i].upper && x.is(i, inOrgNouns) }
	p := a - 1
	if x.isWord(p) && !x.toks[p].upper && x.adjacent(a) {
		if k := string(x.lowerKey(p)); (k == "called" || k == "named") && x.adjacent(p) {
			p--
		}
		if lowerNoun(p) {
			return true, false
		}
	}
	if x.isComma(p) && lowerNoun(p-1) {
		return true, false
	}
	n := b + 1
	if x.isComma(n) && x.isWord(n+1) && x.is(n+1, inArticles) {
		for i := n + 2; i <= n+4 && x.isWord(i); i++ {
			if lowerNoun(i) && (i+1 >= len(x.toks) || !x.isWord(i+1) || x.toks[i+1].upper ||
				!x.is(i+1, inConnectors) && !x.is(i+1, inSpeechVerbs)) {
				return true, false // not `Aurora, a group of artists`, nor `in the South, the foundation said`
			}
		}
	}
	if x.isWord(n) && !x.toks[n].upper && x.adjacent(n) {
		if lowerNoun(n) || x.isWord(n+1) && !x.toks[n+1].upper && x.adjacent(n+1) && lowerNoun(n+1) &&
			!x.is(n, inOrgNouns) {
			return false, true
		}
	}
	return false, false
}

// isComma reports whether token i is a comma.
func (x *fieldScan) isComma(i int) bool {
	return i > 0 && i < len(x.toks) && x.toks[i].kind == tokPunct && x.s[x.toks[i].start] == ','
}
