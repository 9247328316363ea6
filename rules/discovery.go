package rules

// Discovery is the merged `discovery` lists of a pack, with membership tests on folded words and phrases: "Gen.",
// "gen" and "GEN" are the same title. Compile folds every entry once into one table from folded text to the lists
// that hold it, so a test is one fold of the argument (on the stack for ASCII of up to 64 bytes, no allocation)
// and one map lookup, and Lists answers all six lists at once. The zero value is empty and usable; a Discovery is
// read-only and safe for concurrent use.
type Discovery struct {
	lists map[string]Lists // folded entry -> the lists that hold it
	n     int              // entries counted per list
}

// Lists is a set of discovery lists, as Discovery.Lists reports them.
type Lists uint8

// The discovery lists of a rule file.
const (
	Titles           Lists = 1 << iota // `titles`: stripped before a name (`President`, `Gen.`)
	OrganizationCues                   // `organization_cues`: mark an organization name (`Ministry`)
	LocationCues                       // `location_cues`: mark a place name (`Province`)
	PersonCues                         // `person_cues`: mark a person nearby (`said`, `Mr.`)
	Stopwords                          // `stopwords`: capitalized words that never start an entity (`Monday`)
	Ignored                            // `ignore`: phrases never reported as entities (`Korean War`)
)

// Has reports whether l includes any of the lists in x.
func (l Lists) Has(x Lists) bool { return l&x != 0 }

func (d *Discovery) add(r *DiscoveryRule) {
	for i, l := range [...][]Str{r.Titles, r.OrganizationCues, r.LocationCues, r.PersonCues, r.Stopwords, r.Ignore} {
		bit := Lists(1) << i
		for _, s := range l {
			if d.lists == nil {
				d.lists = map[string]Lists{}
			}
			k := Fold(s.Value)
			if d.lists[k]&bit == 0 {
				d.lists[k] |= bit
				d.n++
			}
		}
	}
}

// Lists returns the lists that hold s (a word or phrase, compared folded); 0 when none does.
func (d Discovery) Lists(s string) Lists {
	if d.lists == nil {
		return 0
	}
	var buf [64]byte
	if n, ok := foldInto(buf[:], s); ok {
		return d.lists[string(buf[:n])]
	}
	return d.lists[Fold(s)]
}

// IsTitle reports whether s is a title stripped before a name (`President`, `Gen.`).
func (d Discovery) IsTitle(s string) bool { return d.Lists(s).Has(Titles) }

// OrganizationCue reports whether s is a word that marks an organization name (`Ministry`, `Agency`).
func (d Discovery) OrganizationCue(s string) bool { return d.Lists(s).Has(OrganizationCues) }

// LocationCue reports whether s is a word that marks a place name (`Province`, `Island`).
func (d Discovery) LocationCue(s string) bool { return d.Lists(s).Has(LocationCues) }

// PersonCue reports whether s is a word that marks a person nearby (`said`, `Mr.`).
func (d Discovery) PersonCue(s string) bool { return d.Lists(s).Has(PersonCues) }

// IsStopword reports whether s is a capitalized word that never starts an entity (`Monday`, `The`).
func (d Discovery) IsStopword(s string) bool { return d.Lists(s).Has(Stopwords) }

// IsIgnored reports whether the phrase s is never reported as an entity (`Korean War`).
func (d Discovery) IsIgnored(s string) bool { return d.Lists(s).Has(Ignored) }

// Len returns the number of distinct folded entries of each list, summed over the lists.
func (d Discovery) Len() int { return d.n }
