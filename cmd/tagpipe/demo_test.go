package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/internal/samples"
)

// plRun runs the CLI with args and returns the exit code, stdout and stderr.
func plRun(ctx context.Context, t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded broker")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code, out, errOut := plRun(ctx, t, "", "demo")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	sc := bufio.NewScanner(bytes.NewReader(samples.JSONL()))
	n := 0
	for sc.Scan() {
		var a struct{ Title string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		n++
		if !strings.Contains(out, a.Title+"\n  topics:") {
			t.Errorf("demo output lacks the article %q with its topics", a.Title)
		}
	}
	if !strings.Contains(out, "summary: 12 articles") || n != 12 {
		t.Errorf("summary missing or wrong sample count %d:\n%s", n, out)
	}
	for _, want := range []string{"leaflets (", "military (", "russia (", "Kim Jong-un [PERSON]"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

func TestSamplesAreValidArticles(t *testing.T) {
	ids := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(samples.JSONL()))
	for sc.Scan() {
		var a struct{ ID, Title, Body string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("sample line %q: %v", sc.Text(), err)
		}
		if a.ID == "" || a.Title == "" || len(a.Body) < 100 || ids[a.ID] {
			t.Errorf("sample %q: needs a unique id, a title and a body", a.ID)
		}
		ids[a.ID] = true
	}
	if len(ids) < 12 {
		t.Errorf("%d samples, want at least 12", len(ids))
	}
}
