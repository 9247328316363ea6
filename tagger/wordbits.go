package tagger

// Discovery asks which built-in word lists (words.go) hold a token's lower-cased text many times per token: a
// connector test alone runs for most tokens of a run, and each test lower-cased the token again and looked it up
// in its own map. fieldScan.is answers from one lookup per token in a table of every list.

// wordBits is a set of built-in word lists.
type wordBits uint32

// The built-in word lists fieldScan.is knows, and wordBitsKnown, which marks a memo entry as looked up.
const (
	inFunctionWords wordBits = 1 << iota
	inConnectors
	inPluralOwners
	inPlatformNouns
	inPostingWords
	inOrgNouns
	inCivicHeads
	inCivicLinks
	inGivenNames
	inOrdinals
	inVesselWords
	inNotNameWords
	inRoleWords
	inSpeechVerbs
	inPlacePrepositions
	inKoreanSurnames
	inArticles
	wordBitsKnown wordBits = 1 << 31
)

// builtinWords maps each word of the lists to the lists that hold it.
var builtinWords = func() map[string]wordBits {
	m := map[string]wordBits{}
	for _, l := range []struct {
		set map[string]bool
		bit wordBits
	}{{functionWords, inFunctionWords}, {connectors, inConnectors}, {pluralOwners, inPluralOwners},
		{platformNouns, inPlatformNouns}, {postingWords, inPostingWords}, {orgNouns, inOrgNouns},
		{civicHeads, inCivicHeads}, {civicLinks, inCivicLinks}, {givenNames, inGivenNames}, {ordinals, inOrdinals},
		{vesselWords, inVesselWords}, {notNameWords, inNotNameWords}, {roleWords, inRoleWords},
		{speechVerbs, inSpeechVerbs}, {placePrepositions, inPlacePrepositions}, {koreanSurnames, inKoreanSurnames},
		{articles, inArticles}} {
		for w, ok := range l.set {
			if ok {
				m[w] |= l.bit
			}
		}
	}
	return m
}()

// is reports whether one of the lists in bits holds token i's lower-cased text (lowerKey), looked up once per
// token of the current field.
func (x *fieldScan) is(i int, bits wordBits) bool {
	memo := x.sc.words[x.fi]
	b := memo[i]
	if b&wordBitsKnown == 0 {
		b = builtinWords[string(x.lowerKey(i))] | wordBitsKnown
		memo[i] = b
	}
	return b&bits != 0
}
