package tagger

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// A RecordFormat names a record format: the JSON shape of a Record on the wire.
type RecordFormat string

// Record formats. RecordFull is the default and today's record; RecordCompact carries the same labels and
// entities in a fraction of the bytes.
const (
	// RecordFull writes one entity entry per mention and one evidence entry per rule hit (Record.MarshalJSON).
	RecordFull RecordFormat = "full"
	// RecordCompact writes one entry per distinct entity with its mentions as [field, start, end] spans, and per
	// topic, for each rule that fired, its first span and a count (Record.MarshalCompact). The text of a mention
	// or hit is the article's field sliced at the span (code points).
	RecordCompact RecordFormat = "compact"
)

// ParseRecordFormat returns the RecordFormat named s ("full" or "compact"; "" is full).
func ParseRecordFormat(s string) (RecordFormat, error) {
	switch RecordFormat(s) {
	case "", RecordFull:
		return RecordFull, nil
	case RecordCompact:
		return RecordCompact, nil
	}
	return "", fmt.Errorf("record format %q: want full or compact", s)
}

// Marshal encodes r in format f. Both formats are deterministic and share the article's members and the tagger
// member, whose "record" names the format.
func (r *Record) Marshal(f RecordFormat) ([]byte, error) {
	bp := recordBufs.Get().(*[]byte)
	b, err := appendArticleMembers(append((*bp)[:0], '{'), &r.Article, false)
	if err != nil {
		recordBufs.Put(bp)
		return nil, err
	}
	if f == RecordCompact {
		b = r.appendCompactTags(b)
	} else {
		b = r.appendFullTags(b)
	}
	return finishRecord(bp, b), nil
}

// MarshalCompact writes the record in RecordCompact: the article's members as MarshalJSON writes them, then
//
//	"topics":   [{"label", "score", "rules": [{"rule", "field", "start", "end", "count"}]}]
//	"entities": [{"canonical", "type", "id"?, "source", "count", "mentions": [[field, start, end], ...]}]
//	"tagger":   {"version", "rules_version", "tagged_at", "record": "compact"}
//
// Scores are rounded to four decimals. Topics keep the record's order; a topic's rules are in order of their
// first hit. Entities are in order of their first mention, each (type, canonical) pair once, its mentions in text order (title first). Flags of single
// mentions (demonym, implied) are not carried. Cost: linear in the number of hits and mentions.
func (r *Record) MarshalCompact() ([]byte, error) { return r.Marshal(RecordCompact) }

// appendCompactTags appends the RecordCompact topics, entities and tagger members and closes the object.
func (r *Record) appendCompactTags(b []byte) []byte {
	b = append(b, `"topics":[`...)
	type ruleAgg struct {
		first Evidence
		count int
	}
	var rules []ruleAgg
	idx := map[string]int{}
	for i, t := range r.Topics {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"label":`...)
		b = appendString(b, t.Label)
		b = append(b, `,"score":`...)
		b = strconv.AppendFloat(b, math.Round(t.Score*1e4)/1e4, 'f', -1, 64)
		b = append(b, `,"rules":[`...)
		rules = rules[:0]
		clear(idx)
		for _, ev := range t.Evidence {
			if k, ok := idx[ev.Rule]; ok {
				rules[k].count++
				continue
			}
			idx[ev.Rule] = len(rules)
			rules = append(rules, ruleAgg{first: ev, count: 1})
		}
		for j, ra := range rules {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"rule":`...)
			b = appendString(b, ra.first.Rule)
			b = appendSpan(b, ra.first.Field, ra.first.Start, ra.first.End)
			b = append(b, `,"count":`...)
			b = appendInt(b, ra.count)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"entities":[`...)
	groups := groupMentions(r.Entities)
	for i, g := range groups {
		if i > 0 {
			b = append(b, ',')
		}
		e := r.Entities[g[0]]
		b = append(b, `{"canonical":`...)
		b = appendString(b, e.Canonical)
		b = append(b, `,"type":`...)
		b = appendString(b, e.Type)
		if e.ID != "" {
			b = append(b, `,"id":`...)
			b = appendString(b, e.ID)
		}
		b = append(b, `,"source":`...)
		b = appendString(b, e.Source)
		b = append(b, `,"count":`...)
		b = appendInt(b, len(g))
		b = append(b, `,"mentions":[`...)
		for j, k := range g {
			if j > 0 {
				b = append(b, ',')
			}
			m := &r.Entities[k]
			b = append(b, '[')
			b = appendString(b, m.Field)
			b = append(b, ',')
			b = appendInt(b, m.Start)
			b = append(b, ',')
			b = appendInt(b, m.End)
			b = append(b, ']')
		}
		b = append(b, "]}"...)
	}
	b = append(b, "],"...)
	b = r.Tagger.appendJSON(b, RecordCompact)
	return append(b, '}')
}

// groupMentions returns the indexes of ents grouped by (type, canonical), groups in order of first mention and
// each group's indexes in order.
func groupMentions(ents []Entity) [][]int {
	var groups [][]int
	at := make(map[EntityKey]int, 16)
	for i := range ents {
		k := EntityKey{Type: ents[i].Type, Canonical: ents[i].Canonical}
		g, ok := at[k]
		if !ok {
			g = len(groups)
			at[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// appendJSON appends the tagger member: `"tagger":{...}`, naming the record format f.
func (m *Meta) appendJSON(b []byte, f RecordFormat) []byte {
	b = append(b, `"tagger":{"version":`...)
	b = appendString(b, m.Version)
	b = append(b, `,"rules_version":`...)
	b = appendString(b, m.RulesVersion)
	b = append(b, `,"tagged_at":"`...)
	b = m.TaggedAt.UTC().AppendFormat(b, time.RFC3339Nano) // nothing in it needs escaping
	b = append(b, `","record":`...)
	b = appendString(b, string(f))
	return append(b, '}')
}

// compactTopic and compactEntity are the RecordCompact shapes, for decoding.
type compactTopic struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
	Rules []struct {
		Rule  string `json:"rule"`
		Field string `json:"field"`
		Start int    `json:"start"`
		End   int    `json:"end"`
		Count int    `json:"count"`
	} `json:"rules"`
}

type compactEntity struct {
	Canonical string              `json:"canonical"`
	Type      string              `json:"type"`
	ID        string              `json:"id"`
	Source    string              `json:"source"`
	Mentions  [][]json.RawMessage `json:"mentions"`
}

// expandCompact turns RecordCompact topics and entities into the Record's per-hit and per-mention form. Each
// rule's first hit becomes one Evidence (its text sliced from the article); each mention one Entity.
func (r *Record) expandCompact(topics, entities json.RawMessage) error {
	var ts []compactTopic
	if len(topics) > 0 {
		if err := json.Unmarshal(topics, &ts); err != nil {
			return fmt.Errorf("tagger: record member \"topics\": %w", err)
		}
	}
	var es []compactEntity
	if len(entities) > 0 {
		if err := json.Unmarshal(entities, &es); err != nil {
			return fmt.Errorf("tagger: record member \"entities\": %w", err)
		}
	}
	r.Topics = nil
	for _, t := range ts {
		tp := Topic{Label: t.Label, Score: t.Score}
		for _, ru := range t.Rules {
			tp.Evidence = append(tp.Evidence, Evidence{Rule: ru.Rule, Field: ru.Field, Start: ru.Start, End: ru.End,
				Text: r.Article.spanText(ru.Field, ru.Start, ru.End)})
		}
		r.Topics = append(r.Topics, tp)
	}
	r.Entities = nil
	for _, e := range es {
		for _, m := range e.Mentions {
			var field string
			var start, end int
			if len(m) != 3 || json.Unmarshal(m[0], &field) != nil || json.Unmarshal(m[1], &start) != nil ||
				json.Unmarshal(m[2], &end) != nil {
				return fmt.Errorf("tagger: record member \"entities\": %s: mention is not [field, start, end]", e.Canonical)
			}
			r.Entities = append(r.Entities, Entity{Text: r.Article.spanText(field, start, end), Canonical: e.Canonical,
				Type: e.Type, ID: e.ID, Source: e.Source, Field: field, Start: start, End: end})
		}
	}
	sortEntities(r.Entities)
	return nil
}

// spanText returns the text of field ("title" or "body") between code points start and end (end exclusive), or
// "" when the span does not fit the field.
func (a *Article) spanText(field string, start, end int) string {
	switch field {
	case "title":
		return runeSlice(a.Title, start, end)
	case "body":
		return runeSlice(a.Body, start, end)
	}
	return ""
}

// runeSlice returns s between code points start and end, or "" when they do not fit s.
func runeSlice(s string, start, end int) string {
	if start < 0 || end < start {
		return ""
	}
	bs, be, n := -1, -1, 0
	for i := range s {
		if n == start {
			bs = i
		}
		if n == end {
			be = i
			break
		}
		n++
	}
	if bs < 0 && n == start {
		bs = len(s)
	}
	if be < 0 && n == end {
		be = len(s)
	}
	if bs < 0 || be < 0 {
		return ""
	}
	return s[bs:be]
}

// sortEntities puts mentions in text order, title first, as Tag emits them.
func sortEntities(ents []Entity) {
	slices.SortStableFunc(ents, func(x, y Entity) int {
		if x.Field != y.Field {
			if x.Field == "title" {
				return -1
			}
			if y.Field == "title" {
				return 1
			}
		}
		return cmp.Compare(x.Start, y.Start)
	})
}
