package tagger

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrTooLarge is wrapped by MarshalWithin's error for a record too large even after trimming. Its text is the
// start of the dead-letter reason of such a record.
var ErrTooLarge = errors.New("tagged record too large")

// TrimmedMember is the member added to a tagged record that was trimmed to fit the maximum message size; its
// value lists what was dropped.
const TrimmedMember = "tagpipe_trimmed"

// MarshalWithin marshals rec in format f in at most max bytes: first as is, then without topic evidence, then with one
// mention per entity, then without entities. The record says what was dropped in TrimmedMember. An article too
// large even then is an error wrapping ErrTooLarge.
func MarshalWithin(rec *Record, f RecordFormat, max int) ([]byte, error) {
	b, err := rec.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("tag: marshal record: %w", err)
	}
	if len(b) <= max {
		return b, nil
	}
	r := *rec
	r.Article.Fields = append([]Field(nil), rec.Article.Fields...)
	var dropped []string
	steps := []func(){
		func() {
			r.Topics = append([]Topic(nil), rec.Topics...)
			for i := range r.Topics {
				r.Topics[i].Evidence = nil
			}
			dropped = append(dropped, "evidence")
		},
		func() {
			seen := map[EntityKey]bool{}
			var ents []Entity
			for _, e := range rec.Entities {
				k := EntityKey{Type: e.Type, Canonical: e.Canonical}
				if !seen[k] {
					seen[k] = true
					ents = append(ents, e)
				}
			}
			r.Entities = ents
			dropped = append(dropped, "repeated-mentions")
		},
		func() {
			r.Entities = nil
			dropped = append(dropped, "entities")
		},
	}
	size := len(b)
	for _, step := range steps {
		step()
		note, _ := json.Marshal(dropped)
		r.Article.SetField(TrimmedMember, note)
		if b, err = r.Marshal(f); err != nil {
			return nil, fmt.Errorf("tag: marshal record: %w", err)
		}
		if len(b) <= max {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: %d bytes (%d after trimming evidence and entities), max %d", ErrTooLarge, size, len(b), max)
}

// ArticleJSON returns a's JSON object: its members in input order with id, title and body taken from the
// Article's fields (those the input lacked come first; an empty id is left out).
func ArticleJSON(a Article) []byte {
	b, _ := appendArticleMembers([]byte{'{'}, &a, true) // with all, it cannot fail
	if b[len(b)-1] == ',' {
		b = b[:len(b)-1]
	}
	return append(b, '}')
}
