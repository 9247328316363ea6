package rules

// Discovery is the merged `discovery` lists of a pack, with membership tests on folded words and phrases. Every
// method folds its argument first, so "Gen.", "gen" and "GEN" are the same title. The zero value is empty and
// usable; a Discovery is read-only and safe for concurrent use.
type Discovery struct {
	sets [nDiscovery]map[string]struct{}
}

const (
	dTitles = iota
	dOrganization
	dLocation
	dPerson
	dStopwords
	dIgnore
	nDiscovery
)

func (d *Discovery) add(r *DiscoveryRule) {
	for i, l := range [nDiscovery][]Str{r.Titles, r.OrganizationCues, r.LocationCues, r.PersonCues, r.Stopwords, r.Ignore} {
		for _, s := range l {
			if d.sets[i] == nil {
				d.sets[i] = map[string]struct{}{}
			}
			d.sets[i][Fold(s.Value)] = struct{}{}
		}
	}
}

func (d Discovery) has(i int, s string) bool {
	if d.sets[i] == nil {
		return false
	}
	var buf [64]byte
	if n, ok := foldInto(buf[:], s); ok {
		_, ok = d.sets[i][string(buf[:n])]
		return ok
	}
	_, ok := d.sets[i][Fold(s)]
	return ok
}

// IsTitle reports whether s is a title stripped before a name (`President`, `Gen.`).
func (d Discovery) IsTitle(s string) bool { return d.has(dTitles, s) }

// OrganizationCue reports whether s is a word that marks an organization name (`Ministry`, `Agency`).
func (d Discovery) OrganizationCue(s string) bool { return d.has(dOrganization, s) }

// LocationCue reports whether s is a word that marks a place name (`Province`, `Island`).
func (d Discovery) LocationCue(s string) bool { return d.has(dLocation, s) }

// PersonCue reports whether s is a word that marks a person nearby (`said`, `Mr.`).
func (d Discovery) PersonCue(s string) bool { return d.has(dPerson, s) }

// IsStopword reports whether s is a capitalized word that never starts an entity (`Monday`, `The`).
func (d Discovery) IsStopword(s string) bool { return d.has(dStopwords, s) }

// IsIgnored reports whether the phrase s is never reported as an entity (`Korean War`).
func (d Discovery) IsIgnored(s string) bool { return d.has(dIgnore, s) }

// Len returns the number of distinct folded entries over all lists.
func (d Discovery) Len() int {
	n := 0
	for _, s := range d.sets {
		n += len(s)
	}
	return n
}
