// Command prosepeer is peer (a) of tagpipe's benchmark: prose v2's named-entity recognizer alone (tokenizer,
// part-of-speech tagger and maximum-entropy classifier), with one model loaded once and shared, as an
// obvious Go tagger would use it. It times the recognizer on a JSONL corpus (tagpipe bench --write-corpus) and,
// given a gold file, scores its entities the way `tagpipe eval` does. prose has no topics, so only entities are
// scored.
//
//	go run ./bench/prosepeer --corpus corpus.jsonl [--devset ../shared/devset/seed-articles.jsonl] [--json out.json]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"time"

	"github.com/jdkato/prose/v2"

	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/tagger"
)

// types maps prose's labels to the taxonomy's entity types (prose knows only these three).
var types = map[string]string{"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "ORG": "ORGANIZATION"}

// result is what prosepeer writes as JSON.
type result struct {
	Name           string    `json:"name"`
	Articles       int       `json:"articles"`
	ArticlesPerSec float64   `json:"articles_per_sec"`
	Runs           []float64 `json:"runs_articles_per_sec"`
	// ArticlesPerCPUSec is articles per second of process CPU time: the 1-core rate on a machine shared with
	// other work.
	ArticlesPerCPUSec float64   `json:"articles_per_cpu_sec"`
	CPURuns           []float64 `json:"runs_articles_per_cpu_sec"`
	LoadSeconds       float64   `json:"model_load_seconds"`
	EntityP           *float64  `json:"entity_precision,omitempty"`
	EntityR           *float64  `json:"entity_recall,omitempty"`
	EntityF1          *float64  `json:"entity_f1,omitempty"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "prosepeer: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("prosepeer", flag.ContinueOnError)
	corpusPath := fs.String("corpus", "", "JSONL corpus to time (required)")
	devset := fs.String("devset", "", "gold JSONL to score entities on (optional)")
	jsonPath := fs.String("json", "", "write the result as JSON to this file")
	duration := fs.Duration("duration", 10*time.Second, "minimum time of each timed run")
	repeat := fs.Int("repeat", 3, "timed runs (the median is reported; 0: no timing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *corpusPath == "" {
		return errors.New("--corpus is required")
	}
	articles, err := readArticles(*corpusPath)
	if err != nil {
		return err
	}
	runtime.GOMAXPROCS(1) // per core, as tagpipe bench's 1-core figure
	start := time.Now()
	doc, err := prose.NewDocument("", prose.WithSegmentation(false))
	if err != nil {
		return fmt.Errorf("loading the model: %w", err)
	}
	model := doc.Model
	res := result{Name: "prose v2 NER (shared model)", Articles: len(articles), LoadSeconds: time.Since(start).Seconds()}

	for range *repeat {
		n := 0
		start, cpu0 := time.Now(), cputime.Process()
		for time.Since(start) < *duration {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := entities(model, articles[n%len(articles)]); err != nil {
				return err
			}
			n++
		}
		res.Runs = append(res.Runs, float64(n)/time.Since(start).Seconds())
		if cpu := cputime.Process() - cpu0; cpu > 0 {
			res.CPURuns = append(res.CPURuns, float64(n)/cpu.Seconds())
		}
	}
	res.ArticlesPerSec = median(res.Runs)
	res.ArticlesPerCPUSec = median(res.CPURuns)
	if *repeat > 0 {
		fmt.Fprintf(os.Stderr, "prose: %.1f articles/s on 1 core, %.1f per CPU second (runs %.1f)\n", res.ArticlesPerSec,
			res.ArticlesPerCPUSec, res.Runs)
	}

	if *devset != "" {
		if err := score(model, *devset, &res); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if *jsonPath == "" {
		_, err = fmt.Fprintf(stdout, "%s\n", data)
		return err
	}
	return os.WriteFile(*jsonPath, append(data, '\n'), 0o644)
}

// entities runs prose on the title and the body of a and returns the entities of the three types.
func entities(model *prose.Model, a tagger.Article) ([]eval.Entity, error) {
	var out []eval.Entity
	for _, text := range []string{a.Title, a.Body} {
		d, err := prose.NewDocument(text, prose.UsingModel(model), prose.WithSegmentation(false))
		if err != nil {
			return nil, fmt.Errorf("prose: %w", err)
		}
		for _, e := range d.Entities() {
			if typ, ok := types[e.Label]; ok {
				out = append(out, eval.Entity{Type: typ, Canonical: e.Text})
			}
		}
	}
	return out, nil
}

// score tags the gold articles and scores the entities with internal/eval, as `tagpipe eval` does.
func score(model *prose.Model, path string, res *result) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var golds []eval.Gold
	preds := map[string]eval.Prediction{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, tagger.MaxLineBytes)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		g, err := eval.ParseGold(sc.Bytes())
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		a, err := tagger.DecodeArticle(sc.Bytes())
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		ents, err := entities(model, a)
		if err != nil {
			return err
		}
		golds = append(golds, g)
		preds[g.ID] = eval.Prediction{Entities: ents}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	rep := eval.Run(golds, func(id string) (eval.Prediction, bool) { p, ok := preds[id]; return p, ok })
	p, r, f1 := rep.Entities.Precision(), rep.Entities.Recall(), rep.Entities.F1()
	res.EntityP, res.EntityR, res.EntityF1 = &p, &r, &f1
	fmt.Fprintf(os.Stderr, "prose on %s: entity P %.3f R %.3f F1 %.3f (%d articles)\n", path, p, r, f1, len(golds))
	return nil
}

func readArticles(path string) ([]tagger.Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var as []tagger.Article
	err = tagger.ReadArticles(f, tagger.FormatJSONL, func(a tagger.Article, err error) error {
		if err != nil {
			return err
		}
		as = append(as, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(as) == 0 {
		return nil, fmt.Errorf("%s: no articles", path)
	}
	return as, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
