package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStudioCommand(t *testing.T) {
	code, _, errs := runCLI(t, "", "studio", "--http", "0.0.0.0:0")
	if code != exitUsage || !strings.Contains(errs, "--http-token") {
		t.Errorf("non-loopback without a token: exit %d, %q", code, errs)
	}

	// With no flags but a free port, the studio serves the embedded pack and the demo samples.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"studio", "--http", "127.0.0.1:0"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v (stderr %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(strings.Fields(line)[3])
	resp, err := http.Get(url + "api/state")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Writable bool
		Files    map[string]string
		Corpus   []struct{ ID string }
	}
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || st.Writable || st.Files["topics.yaml"] == "" || len(st.Corpus) == 0 || st.Corpus[0].ID != "sample-01" {
		t.Errorf("state: %v, writable %v, %d files, corpus %v", err, st.Writable, len(st.Files), st.Corpus)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d after the context ended: %s", code, stderr.String())
	}
}
