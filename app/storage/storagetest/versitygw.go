package storagetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passhub/app/config"
	"passhub/plugins/s3"
)

// S3Server is a real S3 server for tests: versitygw on its posix backend in a temporary folder,
// listening on a free loopback port.
type S3Server struct {
	Endpoint             string // http://127.0.0.1:PORT
	AccessKey, SecretKey string
	Region               string
	Root                 string // the posix backend's folder: one sub-folder per bucket
}

// VersityGWEnv names the variable that gives the versitygw binary; `make test` sets it to the
// binary it builds (bin/versitygw).
const VersityGWEnv = "PASSHUB_TEST_VERSITYGW"

// versitygwBinary finds the server: $PASSHUB_TEST_VERSITYGW, else bin/versitygw at the module's
// root. Under make the variable is set and a missing binary fails the test; under a plain
// `go test` a missing binary skips it, saying how to get one.
func versitygwBinary(t testing.TB) string {
	if p := os.Getenv(VersityGWEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v (make test builds it: `make bin/versitygw`)", VersityGWEnv, p, err)
		}
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "bin", "versitygw")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no S3 server to test against: %s is missing and %s is not set; `make bin/versitygw` builds it (make test does, and then fails instead of skipping)", p, VersityGWEnv)
	}
	return p
}

// StartS3 starts a versitygw for the test; it is stopped when the test ends.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	bin := versitygwBinary(t)
	srv, stop, err := startVersityGW(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return srv
}

func startVersityGW(bin, root string) (*S3Server, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := l.Addr().String()
	l.Close()
	srv := &S3Server{Endpoint: "http://" + addr, AccessKey: "passhubtest", SecretKey: "passhubtestsecret", Region: "us-east-1", Root: root}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--port", addr, "--region", srv.Region, "--quiet", "posix", root)
	// the keys travel in the environment, not on the command line
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+srv.AccessKey, "ROOT_SECRET_KEY="+srv.SecretKey)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("start versitygw: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop := func() { cancel(); <-done }
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(srv.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return srv, stop, nil
		}
		select {
		case <-done:
			cancel()
			return nil, nil, fmt.Errorf("versitygw exited before answering: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("versitygw did not answer on %s within 20s: %s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewS3Store starts a server for the test and returns an S3 store on a new bucket of it, made
// through the S3 API.
func NewS3Store(t testing.TB) *s3.Store {
	t.Helper()
	srv := StartS3(t)
	return srv.Store(t)
}

// Store returns an S3 store on a new empty bucket of the server.
func (srv *S3Server) Store(t testing.TB) *s3.Store {
	t.Helper()
	return srv.open(t, srv.Bucket(t))
}

// Bucket makes a new empty bucket on the server through the S3 API and returns its name.
func (srv *S3Server) Bucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("passhub-%d", bucketSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.open(t, name).CreateBucket(ctx, srv.Region); err != nil {
		t.Fatal(err)
	}
	return name
}

// Configure returns what sets a configuration to keep uploaded files in bucket of the server, as
// PASSHUB_STORAGE=s3 and the PASSHUB_S3_* variables would (an apptest.Option).
func (srv *S3Server) Configure(bucket string) func(*config.Config) {
	return func(c *config.Config) {
		c.Storage, c.S3Endpoint, c.S3Bucket, c.S3Region = "s3", srv.Endpoint, bucket, srv.Region
		c.S3AccessKey, c.S3SecretKey, c.S3PathStyle = srv.AccessKey, srv.SecretKey, true
	}
}

func (srv *S3Server) open(t testing.TB, bucket string) *s3.Store {
	t.Helper()
	st, err := s3.New(s3.Config{Endpoint: srv.Endpoint, Region: srv.Region, Bucket: bucket,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var bucketSeq atomic.Int64
