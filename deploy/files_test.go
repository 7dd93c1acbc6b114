package deploy_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/shoal-go/shoal/internal/cli"
)

// yamlDocs decodes the YAML documents of the file at path.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// get returns the value at a dotted path in v ("spec.template.spec"), with
// numeric steps indexing lists, or nil.
func get(v any, path string) any {
	for _, step := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[step]
		case []any:
			var i int
			if _, err := fmt.Sscan(step, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// checkShoalArgs checks that args is a shoal command line the CLI accepts
// (its subcommand exists and its flags parse), and returns the subcommand's
// name and its flags' values.
func checkShoalArgs(t *testing.T, where string, args []string) (string, map[string]string) {
	t.Helper()
	root := cli.NewCommand()
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		t.Fatalf("%s: %q is no shoal command: %v", where, args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("%s: shoal %q: %v", where, args, err)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		t.Fatalf("%s: shoal %q: %v", where, args, err)
	}
	flags := map[string]string{}
	cmd.Flags().Visit(func(f *pflag.Flag) { flags[f.Name] = f.Value.String() })
	return cmd.Name(), flags
}

func TestWorkerDeployment(t *testing.T) {
	const path = "k8s/shoal-worker.yaml"
	docs := yamlDocs(t, path)
	if len(docs) != 1 || docs[0]["kind"] != "Deployment" || docs[0]["apiVersion"] != "apps/v1" {
		t.Fatalf("%s: want one apps/v1 Deployment", path)
	}
	d := docs[0]
	labels := get(d, "spec.template.metadata.labels").(map[string]any)
	for k, v := range get(d, "spec.selector.matchLabels").(map[string]any) {
		if labels[k] != v {
			t.Errorf("%s: the selector's %s=%v does not select the pods", path, k, v)
		}
	}
	pod := get(d, "spec.template.spec").(map[string]any)
	c := get(pod, "containers.0").(map[string]any)

	// The URL comes from the Secret, as an environment variable that the
	// arguments expand.
	env := map[string]any{}
	for _, e := range c["env"].([]any) {
		env[get(e, "name").(string)] = e
	}
	if ref := get(env["SHOAL_URL"], "valueFrom.secretKeyRef"); get(ref, "name") != "shoal-cluster" || get(ref, "key") != "url" {
		t.Errorf("%s: SHOAL_URL comes from %v, want Secret shoal-cluster, key url", path, ref)
	}
	var args []string
	for _, a := range c["args"].([]any) {
		s := fmt.Sprint(a)
		s = regexp.MustCompile(`\$\((\w+)\)`).ReplaceAllStringFunc(s, func(m string) string {
			name := m[2 : len(m)-1]
			if env[name] == nil {
				t.Errorf("%s: argument %q names no variable of the container", path, m)
			}
			return "tls://nats.shoal.svc:4222"
		})
		args = append(args, s)
	}
	name, flags := checkShoalArgs(t, path, args)
	if name != "worker" || flags["connect"] == "" || flags["replicas"] != "3" {
		t.Errorf("%s: shoal %q, want worker with --connect and --replicas 3", path, args)
	}

	// The token and the CA are files of the Secret's volume, readable by
	// the pod's group only.
	mounts := map[string]string{} // volume name: mount path
	for _, m := range c["volumeMounts"].([]any) {
		mounts[get(m, "name").(string)] = get(m, "mountPath").(string)
	}
	files := map[string]bool{}
	for _, v := range pod["volumes"].([]any) {
		if get(v, "secret.secretName") != "shoal-cluster" {
			continue
		}
		if mode := get(v, "secret.defaultMode"); mode != 0o440 {
			t.Errorf("%s: the Secret's files have mode %v, want 0440", path, mode)
		}
		for _, it := range get(v, "secret.items").([]any) {
			files[filepath.Join(mounts[get(v, "name").(string)], get(it, "path").(string))] = true
		}
	}
	for _, flag := range []string{"token-file", "tls-ca"} {
		if !files[flags[flag]] {
			t.Errorf("%s: --%s %s is no file of Secret shoal-cluster's volume (%v)", path, flag, flags[flag], files)
		}
	}
	if get(pod, "securityContext.fsGroup") == nil || get(pod, "securityContext.runAsNonRoot") != true {
		t.Errorf("%s: the pod should run as a non-root user whose group reads the Secret", path)
	}
}

func TestSystemdUnit(t *testing.T) {
	const path = "systemd/shoal-worker.service"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unit := map[string]map[string]string{} // section: key: value
	var section string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			unit[section] = map[string]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: %q is no key=value in a section", path, n, line)
			}
			if _, dup := unit[section][k]; dup {
				t.Errorf("%s:%d: %s set twice", path, n, k)
			}
			unit[section][k] = v
		}
	}
	for _, s := range []string{"Unit", "Service", "Install"} {
		if unit[s] == nil {
			t.Fatalf("%s: no [%s] section", path, s)
		}
	}
	svc := unit["Service"]
	if u := svc["User"]; u == "" || u == "root" {
		t.Errorf("%s: User=%q, want an unprivileged user", path, u)
	}
	if svc["EnvironmentFile"] == "" || svc["KillSignal"] != "SIGTERM" {
		t.Errorf("%s: want an EnvironmentFile for SHOAL_URL, and KillSignal=SIGTERM", path)
	}
	id, src, _ := strings.Cut(svc["LoadCredential"], ":")
	if src == "" {
		t.Fatalf("%s: LoadCredential=%q, want id:path", path, svc["LoadCredential"])
	}
	exec := strings.Fields(svc["ExecStart"])
	if len(exec) < 2 || exec[0] != "/usr/local/bin/shoal" {
		t.Fatalf("%s: ExecStart=%q, want /usr/local/bin/shoal worker ...", path, svc["ExecStart"])
	}
	args := slices.Clone(exec[1:])
	for i, a := range args {
		a = strings.ReplaceAll(a, "${SHOAL_URL}", "tls://nats-1.example.internal:4222")
		args[i] = strings.ReplaceAll(a, "${CREDENTIALS_DIRECTORY}", "/run/credentials/shoal-worker.service")
	}
	name, flags := checkShoalArgs(t, path, args)
	if name != "worker" || flags["replicas"] != "3" || flags["tls-ca"] == "" {
		t.Errorf("%s: shoal %q, want worker with --replicas 3 and --tls-ca", path, args)
	}
	if want := "/run/credentials/shoal-worker.service/" + id; flags["token-file"] != want {
		t.Errorf("%s: --token-file %s, want the credential %q of LoadCredential", path, flags["token-file"], id)
	}
	if !strings.Contains(svc["ExecStart"], "${SHOAL_URL}") {
		t.Errorf("%s: ExecStart does not connect to ${SHOAL_URL} of the EnvironmentFile", path)
	}
}

// chartConf renders v, a value of the NATS chart's config, as the chart
// does: NATS configuration in JSON syntax, with "<< x >>" written as x.
func chartConf(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%q: ", k)
			chartConf(b, x[k])
		}
		b.WriteString("}")
	case string:
		if m := regexp.MustCompile(`^<< (.+) >>$`).FindStringSubmatch(x); m != nil {
			b.WriteString(m[1])
			return
		}
		j, _ := json.Marshal(x)
		b.Write(j)
	default:
		j, _ := json.Marshal(x)
		b.Write(j)
	}
}

func TestHelmValues(t *testing.T) {
	const path = "k8s/nats-values.yaml"
	docs := yamlDocs(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents, want 1", path, len(docs))
	}
	v := docs[0]
	for _, c := range []struct {
		key  string
		want any
	}{
		{"config.cluster.enabled", true},
		{"config.cluster.replicas", 3},
		{"config.cluster.tls.enabled", true},
		{"config.nats.tls.enabled", true},
		{"config.jetstream.enabled", true},
		{"config.jetstream.fileStore.enabled", true},
		{"config.jetstream.fileStore.pvc.enabled", true},
		{"config.jetstream.memoryStore.enabled", true},
		{"config.jetstream.merge.sync_interval", "always"},
		{"config.merge.authorization.token", "<< $SHOAL_TOKEN >>"},
		{"container.env.SHOAL_TOKEN.valueFrom.secretKeyRef.name", "shoal-cluster"},
		{"container.env.SHOAL_TOKEN.valueFrom.secretKeyRef.key", "token"},
	} {
		if got := get(v, c.key); got != c.want {
			t.Errorf("%s: %s = %#v, want %#v", path, c.key, got, c.want)
		}
	}
	for _, key := range []string{"config.cluster.tls.secretName", "config.nats.tls.secretName", "config.jetstream.fileStore.pvc.size", "config.jetstream.memoryStore.maxSize"} {
		if get(v, key) == nil {
			t.Errorf("%s: %s is not set", path, key)
		}
	}

	// The NATS configuration the values add, as the chart renders it
	// (files/config/jetstream.yaml and the merges), must be valid for
	// nats-server.
	js := get(v, "config.jetstream").(map[string]any)
	jsConf := map[string]any{
		"store_dir":        get(js, "fileStore.dir"),
		"max_memory_store": "<< " + get(js, "memoryStore.maxSize").(string) + " >>",
		"max_file_store":   "<< " + get(js, "fileStore.maxSize").(string) + " >>",
	}
	for k, x := range js["merge"].(map[string]any) {
		jsConf[k] = x
	}
	natsConf := map[string]any{"jetstream": jsConf}
	for k, x := range get(v, "config.merge").(map[string]any) {
		natsConf[k] = x
	}
	var b strings.Builder
	chartConf(&b, natsConf)
	t.Setenv("SHOAL_TOKEN", "s3cret")
	var opts server.Options
	if err := opts.ProcessConfigString(b.String()); err != nil {
		t.Fatalf("%s: nats-server rejects the configuration it renders:\n%s\n%v", path, b.String(), err)
	}
	if !opts.JetStream || !opts.SyncAlways || opts.Authorization != "s3cret" || opts.JetStreamMaxMemory != 2<<30 {
		t.Errorf("%s renders: JetStream %v, sync always %v, token from $SHOAL_TOKEN %v, max memory %d; want true, true, true, 2 GiB",
			path, opts.JetStream, opts.SyncAlways, opts.Authorization == "s3cret", opts.JetStreamMaxMemory)
	}
}

// TestReadme checks the commands and Go names that README.md uses: every
// "shoal ..." command line in its code blocks parses, and every cluster.X
// and shoal.X it mentions is exported by those packages.
func TestReadme(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	// Command lines, with their continuation lines joined.
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	n := 0
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "shoal ") {
			continue
		}
		n++
		checkShoalArgs(t, "README.md", strings.Fields(line)[1:])
	}
	for _, m := range regexp.MustCompile("`(shoal (?:worker|status|up)[^`]*)`").FindAllStringSubmatch(text, -1) {
		n++
		checkShoalArgs(t, "README.md", strings.Fields(m[1])[1:])
	}
	if n < 3 {
		t.Errorf("README.md: %d shoal command lines, want the worker's and status's at least", n)
	}

	for pkg, dir := range map[string]string{"cluster": "../cluster", "shoal": ".."} {
		names := exported(t, dir)
		seen := map[string]bool{}
		for _, m := range regexp.MustCompile(`\b`+pkg+`\.([A-Z]\w*)`).FindAllStringSubmatch(string(b), -1) {
			if !names[m[1]] && !seen[m[1]] {
				t.Errorf("README.md mentions %s.%s, which package %s does not export", pkg, m[1], pkg)
			}
			seen[m[1]] = true
		}
	}
}

// exported returns the exported top-level names of the Go package in dir.
func exported(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, path := range matches {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = d.Name.IsExported()
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = s.Name.IsExported()
					case *ast.ValueSpec:
						for _, id := range s.Names {
							names[id.Name] = id.IsExported()
						}
					}
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("no Go declarations in %s", dir)
	}
	return names
}
