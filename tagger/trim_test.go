package tagger

import "testing"

func TestArticleJSONRoundTrip(t *testing.T) {
	inputs := []string{
		`{"id":"1","title":"T","body":"B","url":"http://x","tags":[1,2]}`,
		`{"url":"u","body":"only body"}`,
		`{"title":"<b>&</b>","extra":{"a":null}}`,
	}
	for _, in := range inputs {
		a, err := DecodeArticle([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		a.ID = "set-" + a.ID
		b, err := DecodeArticle(ArticleJSON(a))
		if err != nil {
			t.Fatalf("%s: ArticleJSON output does not decode: %v (%s)", in, err, ArticleJSON(a))
		}
		if b.ID != a.ID || b.Title != a.Title || b.Body != a.Body || len(b.Fields) < len(a.Fields) {
			t.Errorf("%s: round trip gave %+v", in, b)
		}
		for _, f := range a.Fields {
			if v, _ := b.Field(f.Name); f.Name != "id" && f.Name != "title" && f.Name != "body" && string(v) != string(f.Value) {
				t.Errorf("%s: member %s = %s, want %s", in, f.Name, v, f.Value)
			}
		}
	}
}
