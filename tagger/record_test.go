package tagger

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestRecordMarshalJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("KST", 9*3600))
	meta := Meta{Version: "v1", RulesVersion: "r1", TaggedAt: at}
	tests := []struct {
		name string
		in   string // input article, "" for none
		art  Article
		rec  Record
		want string
	}{
		{
			name: "passthrough order, ours override, ours last",
			in:   `{"source":"wire","title":"T","tagger":"old","id":"x1","body":"B","extra":{"k": [1, 2]}}`,
			rec: Record{
				Topics: []Topic{{Label: "ports", Score: 0.75, Evidence: []Evidence{
					{Rule: "term:harbour", Text: "harbour", Field: "body", Start: 3, End: 10}}}},
				Entities: []Entity{{Text: "Busan", Canonical: "Busan", Type: "LOCATION", ID: "Q16520",
					Source: SourceGazetteer, Field: "title", Start: 0, End: 5}},
				Tagger: meta,
			},
			want: `{"source":"wire","title":"T","id":"x1","body":"B","extra":{"k":[1,2]},` +
				`"topics":[{"label":"ports","score":0.75,"evidence":[{"rule":"term:harbour","text":"harbour","field":"body","start":3,"end":10}]}],` +
				`"entities":[{"text":"Busan","canonical":"Busan","type":"LOCATION","id":"Q16520","source":"gazetteer","field":"title","start":0,"end":5}],` +
				`"tagger":{"version":"v1","rules_version":"r1","tagged_at":"2026-01-01T18:04:05Z","record":"full"}}`,
		},
		{
			name: "built article, derived id first",
			art:  Article{ID: "c0ffee", Title: "<b>&\u2028", Body: "tab\there"},
			rec: Record{Entities: []Entity{{Text: "Ann", Canonical: "Ann", Type: "PERSON", Source: SourceDiscovered,
				Field: "body", Start: 1, End: 4, Demonym: true}}, Tagger: meta},
			want: `{"id":"c0ffee","title":"<b>&\u2028","body":"tab\there","topics":[],` +
				`"entities":[{"text":"Ann","canonical":"Ann","type":"PERSON","source":"discovered","field":"body","start":1,"end":4,"demonym":true}],` +
				`"tagger":{"version":"v1","rules_version":"r1","tagged_at":"2026-01-01T18:04:05Z","record":"full"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.rec
			rec.Article = tt.art
			if tt.in != "" {
				a, err := DecodeArticle([]byte(tt.in))
				if err != nil {
					t.Fatal(err)
				}
				rec.Article = a
			}
			got, err := rec.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			// json.Marshal goes through MarshalJSON and agrees with it (modulo its HTML escaping).
			if !json.Valid(got) {
				t.Error("invalid JSON")
			}
			var back Record
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			again, err := back.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(got) {
				t.Errorf("round trip differs:\n%s\n%s", again, got)
			}
		})
	}
}

func TestRecordMarshalBadField(t *testing.T) {
	r := Record{Article: Article{Fields: []Field{{Name: "x", Value: json.RawMessage(`{bad`)}}}}
	if _, err := r.MarshalJSON(); err == nil {
		t.Error("invalid raw member accepted")
	}
}

func TestRecordLabelsCanonicals(t *testing.T) {
	r := Record{
		Topics: []Topic{{Label: "b"}, {Label: "a"}},
		Entities: []Entity{
			{Canonical: "Busan", Type: "LOCATION"}, {Canonical: "Ann Lee", Type: "PERSON"},
			{Canonical: "Busan", Type: "LOCATION"}, {Canonical: "Busan", Type: "ORGANIZATION"},
		},
	}
	if got := r.Labels(); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("Labels = %v", got)
	}
	want := []EntityKey{{"LOCATION", "Busan"}, {"PERSON", "Ann Lee"}, {"ORGANIZATION", "Busan"}}
	if got := r.Canonicals(); !slices.Equal(got, want) {
		t.Errorf("Canonicals = %v, want %v", got, want)
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s", "\x00\x1f\n\r\t", "é✓😀", "\u2028\u2029", "bad\xffutf8"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("appendString(%q) = %s: %v", s, got, err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("appendString(%q) decodes to %q, want %q", s, back, wantBack)
		}
	}
}
