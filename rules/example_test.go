package rules_test

import (
	"fmt"

	"github.com/tagpipe/tagpipe/rules"
)

func ExampleRuleSet_Match() {
	f, errs := rules.Parse("pack.yaml", []byte(`
entities:
  - {canonical: North Korea, type: LOCATION, aliases: [DPRK], demonyms: [North Korean]}
topics:
  - label: leaflets
    threshold: 2
    terms: [leaflet, balloon]
    near:
      - {a: [balloon], b: [border], within: 5}
`))
	if len(errs) > 0 {
		fmt.Println(errs)
		return
	}
	rs, err := rules.Compile([]*rules.File{f})
	if err != nil {
		fmt.Println(err)
		return
	}
	res := rs.Match(rules.Doc{
		Title: "Balloons drift north",
		Body:  "Activists sent leaflets by balloon across the border; North Korean media protested.",
	})
	for _, t := range res.Topics {
		fmt.Printf("%s %.3f\n", t.Label, t.Score)
		for _, e := range t.Evidence {
			fmt.Printf("  %s %q %s:%d-%d\n", e.Rule, e.Text, e.Field, e.Start, e.End)
		}
	}
	for _, m := range res.Mentions {
		fmt.Printf("%s %q demonym=%v\n", m.Entity.Canonical, m.Text, m.Demonym)
	}
	// Output:
	// leaflets 0.823
	//   leaflets/terms/balloon "Balloons" title:0-8
	//   leaflets/terms/leaflet "leaflets" body:15-23
	//   leaflets/terms/balloon "balloon" body:27-34
	//   leaflets/near/0 "balloon" body:27-34
	// North Korea "North Korean" demonym=true
}

func ExampleParse_errors() {
	_, errs := rules.Parse("bad.yaml", []byte("topics:\n  - label: rain\n    treshold: 2\n"))
	for _, e := range errs {
		fmt.Println(e, "["+e.Code+"]")
	}
	// Output:
	// bad.yaml:3:5: unknown key "treshold" in topic (want one of description, entities, label, near, patterns, relevance, requires, terms, threshold, title_weight, unless) [unknown_key]
}
