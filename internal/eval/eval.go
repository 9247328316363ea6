// Package eval scores predicted topic labels and entities against gold annotations, as the tagging taxonomy
// defines it: per article, sets of topic labels and sets of (type, canonical) entity pairs, micro-averaged.
//
// The two types to learn first are Gold (one annotated article) and Report (the scores of a whole run).
package eval

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
)

// GoldEntity is one annotated entity. A predicted entity of the same type whose name normalizes to Canonical or
// to any of Alt matches it.
type GoldEntity struct {
	Type      string   `json:"type"`
	Canonical string   `json:"canonical"`
	Alt       []string `json:"alt,omitempty"`
}

// Labels holds the gold annotation of one article.
type Labels struct {
	Topics   []string     `json:"topics"`
	Entities []GoldEntity `json:"entities"`
}

// Gold is one annotated article as it appears in a gold JSONL file: the article's id plus its `gold` member.
type Gold struct {
	ID   string `json:"id"`
	Gold Labels `json:"gold"`
}

// Entity is a predicted entity: its type and canonical name.
type Entity struct {
	Type      string `json:"type"`
	Canonical string `json:"canonical"`
}

// Prediction is what a tagger said about one article.
type Prediction struct {
	Topics   []string
	Entities []Entity
}

// Counts are true positives, false positives and false negatives.
type Counts struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
}

// Precision returns TP/(TP+FP), or 1 when nothing was predicted.
func (c Counts) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall returns TP/(TP+FN), or 1 when there was nothing to find.
func (c Counts) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 returns the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (c *Counts) add(o Counts) { c.TP += o.TP; c.FP += o.FP; c.FN += o.FN }

func ratio(num, den int) float64 {
	if den == 0 {
		return 1
	}
	return float64(num) / float64(den)
}

// Article is the outcome for one article: what was missed and what was predicted wrongly.
type Article struct {
	ID             string   `json:"id"`
	Topics         Counts   `json:"topics"`
	Entities       Counts   `json:"entities"`
	MissedTopics   []string `json:"missed_topics,omitempty"`
	ExtraTopics    []string `json:"extra_topics,omitempty"`
	MissedEntities []string `json:"missed_entities,omitempty"` // "TYPE:canonical"
	ExtraEntities  []string `json:"extra_entities,omitempty"`

	byType map[string]Counts // entity counts per type, for the report
}

// Report holds the scores of a run: micro-averaged counts, counts per topic label and per entity type, and every
// article's outcome in input order.
type Report struct {
	Topics   Counts            `json:"topics"`
	Entities Counts            `json:"entities"`
	PerLabel map[string]Counts `json:"per_label"`
	PerType  map[string]Counts `json:"per_type"`
	Articles []Article         `json:"articles"`
	Unscored []string          `json:"unscored,omitempty"` // gold ids with no prediction
	Rules    []RuleStat        `json:"rules,omitempty"`    // per-rule statistics (RuleStats), when computed
}

// Normalize folds a name as the taxonomy compares names: ignoring case, spaces, hyphens, dots and apostrophes.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '-', r == '.', r == '\'', r == '’', r == '‘', r == '‐', r == '–':
			continue
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Score compares one prediction with its gold labels and returns the article's outcome.
func Score(id string, gold Labels, pred Prediction) Article {
	a := Article{ID: id, byType: map[string]Counts{}}
	count := func(typ string, f func(*Counts)) {
		c := a.byType[typ]
		f(&c)
		a.byType[typ] = c
	}

	goldTopics := setOf(gold.Topics, strings.ToLower)
	predTopics := setOf(pred.Topics, strings.ToLower)
	for _, t := range sortedKeys(predTopics) {
		if goldTopics[t] {
			a.Topics.TP++
		} else {
			a.Topics.FP++
			a.ExtraTopics = append(a.ExtraTopics, t)
		}
	}
	for _, t := range sortedKeys(goldTopics) {
		if !predTopics[t] {
			a.Topics.FN++
			a.MissedTopics = append(a.MissedTopics, t)
		}
	}

	// Each gold entity is matched at most once; predictions are deduplicated by (type, normalized name).
	seen := map[Entity]bool{}
	matched := make([]bool, len(gold.Entities))
	for _, p := range pred.Entities {
		key := Entity{strings.ToUpper(p.Type), Normalize(p.Canonical)}
		if seen[key] {
			continue
		}
		seen[key] = true
		hit := false
		for i, g := range gold.Entities {
			if !matched[i] && strings.EqualFold(g.Type, p.Type) && g.matches(key.Canonical) {
				matched[i], hit = true, true
				break
			}
		}
		if hit {
			a.Entities.TP++
			count(key.Type, func(c *Counts) { c.TP++ })
		} else {
			a.Entities.FP++
			count(key.Type, func(c *Counts) { c.FP++ })
			a.ExtraEntities = append(a.ExtraEntities, key.Type+":"+p.Canonical)
		}
	}
	for i, g := range gold.Entities {
		if !matched[i] {
			typ := strings.ToUpper(g.Type)
			a.Entities.FN++
			count(typ, func(c *Counts) { c.FN++ })
			a.MissedEntities = append(a.MissedEntities, typ+":"+g.Canonical)
		}
	}
	slices.Sort(a.ExtraEntities)
	return a
}

func (g GoldEntity) matches(normalized string) bool {
	if Normalize(g.Canonical) == normalized {
		return true
	}
	return slices.ContainsFunc(g.Alt, func(alt string) bool { return Normalize(alt) == normalized })
}

// Run scores every gold article against predict's output and aggregates the report. predict returns false when it
// has no prediction for an id; such articles count as all-missed and are listed in Unscored.
func Run(golds []Gold, predict func(id string) (Prediction, bool)) Report {
	r := Report{PerLabel: map[string]Counts{}, PerType: map[string]Counts{}}
	for _, g := range golds {
		p, ok := predict(g.ID)
		if !ok {
			r.Unscored = append(r.Unscored, g.ID)
		}
		a := Score(g.ID, g.Gold, p)
		r.Topics.add(a.Topics)
		r.Entities.add(a.Entities)
		r.Articles = append(r.Articles, a)
		perLabel(r.PerLabel, g.Gold.Topics, p.Topics)
		for typ, c := range a.byType {
			sum := r.PerType[typ]
			sum.add(c)
			r.PerType[typ] = sum
		}
	}
	return r
}

func perLabel(m map[string]Counts, gold, pred []string) {
	gs, ps := setOf(gold, strings.ToLower), setOf(pred, strings.ToLower)
	for l := range ps {
		c := m[l]
		if gs[l] {
			c.TP++
		} else {
			c.FP++
		}
		m[l] = c
	}
	for l := range gs {
		if !ps[l] {
			c := m[l]
			c.FN++
			m[l] = c
		}
	}
}

// ParseGold reads one gold JSONL line.
func ParseGold(line []byte) (Gold, error) {
	var g Gold
	if err := json.Unmarshal(line, &g); err != nil {
		return Gold{}, fmt.Errorf("gold record: %w", err)
	}
	if g.ID == "" {
		return Gold{}, fmt.Errorf("gold record has no id")
	}
	return g, nil
}

func setOf(xs []string, f func(string) string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[f(x)] = true
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare)
	return keys
}

// ReadGold reads a gold JSONL file: each non-empty line's labels, and the line itself (the article, for the
// caller to decode). Errors name the file and line; an id used twice and an empty file are errors.
func ReadGold(path string) ([]Gold, [][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var (
		golds []Gold
		lines [][]byte
		seen  = map[string]int{}
	)
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			g, gerr := ParseGold(line)
			if gerr != nil {
				return nil, nil, fmt.Errorf("%s:%d: %w", path, n, gerr)
			}
			if prev, dup := seen[g.ID]; dup {
				return nil, nil, fmt.Errorf("%s:%d: id %q already used on line %d", path, n, g.ID, prev)
			}
			seen[g.ID] = n
			golds = append(golds, g)
			lines = append(lines, line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(golds) == 0 {
		return nil, nil, fmt.Errorf("%s: no gold articles", path)
	}
	return golds, lines, nil
}
