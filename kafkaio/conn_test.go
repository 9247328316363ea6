package kafkaio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConnNeverPrintsPassword(t *testing.T) {
	c := DefaultConn()
	c.Brokers = []string{"k:9092"}
	c.SASLMechanism, c.SASLUsername, c.SASLPassword = "PLAIN", "user", "hunter2"
	if s := c.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "user") {
		t.Errorf("String() = %q", s)
	}
}

func TestResolveSecretsReadsPasswordFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Conn{SASLPasswordFile: path}
	if err := c.ResolveSecrets(); err != nil || c.SASLPassword != "from-file" {
		t.Fatalf("password %q, err %v", c.SASLPassword, err)
	}
	c = Conn{SASLPasswordFile: path, SASLPassword: "from-env"}
	if err := c.ResolveSecrets(); err != nil || c.SASLPassword != "from-env" {
		t.Fatalf("environment password should win over the file: %q, %v", c.SASLPassword, err)
	}
}
