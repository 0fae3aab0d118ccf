package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"passhub/app/apptest"
	"passhub/app/ente"
	"passhub/app/request"
)

// BenchmarkWebsocketFanOut subscribes N websocket clients (gorilla's client, in this process) to
// one workspace and measures, for each message posted, the time from the post to the frame's
// arrival at every client (p50, p99), and the memory an idle connection costs (server and client
// sides together, since both live in this process).
func BenchmarkWebsocketFanOut(b *testing.B) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	for _, n := range []int{100, 1000, 5000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			if uint64(2*n+200) > lim.Cur {
				b.Skipf("%d clients need %d file descriptors, the limit is %d", n, 2*n+200, lim.Cur)
			}
			fanOut(b, n)
		})
	}
}

func fanOut(b *testing.B, n int) {
	s := apptest.Start(b)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"}}); err != nil {
		b.Fatal(err)
	}
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	cookie := s.Login(b, "RSSMRA80A01F205X", "Mario", "Rossi")
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	who := request.Actor{UserID: users[0].ID, Name: "Mario Rossi"}
	reg, _ := s.Enti.Register(ctx, ente.Actor{UserID: who.UserID}, ente.RegistrationForm{EnteID: cantu.ID, Role: "sindaco", Email: "s@c.it", PEC: "c@pec.it"}, "p.pdf", []byte("%PDF-1.7\n%%EOF\n"))
	if _, err := s.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
		b.Fatal(err)
	}
	r, err := s.Requests.File(ctx, who, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi, un solo istruttore.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		b.Fatal(err)
	}
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/ws?topics=request:" + strconv.FormatInt(r.ID, 10)
	h := http.Header{"Cookie": {cookie}}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	conns := make([]*websocket.Conn, 0, n)
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	for i := 0; i < n; i++ {
		c, _, err := dialer.Dial(url, h)
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); s.Hub.Connections() < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perConn := float64((after.HeapInuse+after.StackInuse)-(before.HeapInuse+before.StackInuse)) / float64(n)

	serverOnly := serverMemoryPerConnection(b, s.Hub.Connections, url, cookie, n)

	arrivals := make(chan time.Time, n)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func(c *websocket.Conn) {
			defer wg.Done()
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
				arrivals <- time.Now()
			}
		}(c)
	}
	const rounds = 10
	var lat []time.Duration
	for i := 0; i < rounds; i++ {
		t0 := time.Now()
		if _, err := s.Workspace.Post(ctx, who, r, false, fmt.Sprintf("Messaggio %d", i)); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
		for got := 0; got < n; got++ {
			select {
			case at := <-arrivals:
				lat = append(lat, at.Sub(t0))
			case <-timeout:
				b.Fatalf("round %d: %d of %d clients got the frame", i, got, n)
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	msg := fmt.Sprintf("websocket fan-out on %s, %d clients on one workspace, %d messages: post-to-arrival p50 %v, p99 %v; memory per idle connection: server %.1f KB (clients in another process), server + client %.1f KB; dropped %d",
		database(), n, rounds, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), serverOnly/1024, perConn/1024, s.Hub.Dropped())
	fmt.Println(msg)
	addSummary("%s", msg)
	b.ReportMetric(float64(p99.Microseconds()), "p99_µs")
	b.ReportMetric(perConn/1024, "KB/conn_both")
	b.ReportMetric(serverOnly/1024, "KB/conn_server")
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
}

// serverMemoryPerConnection measures what idle connections cost the server alone: a child process
// (this test binary, run as TestDialHelper) holds n connections while this process, the server,
// reads its own heap and stacks.
func serverMemoryPerConnection(b *testing.B, connections func() int, url, cookie string, n int) float64 {
	b.Helper()
	base := connections()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cmd := exec.Command(os.Args[0], "-test.run=^TestDialHelper$", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), "PASSHUB_DIAL_URL="+url, "PASSHUB_DIAL_COOKIE="+cookie, "PASSHUB_DIAL_N="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	for deadline := time.Now().Add(60 * time.Second); connections() < base+n; {
		if time.Now().After(deadline) {
			b.Fatalf("the helper opened %d of %d connections", connections()-base, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return float64(int64(after.HeapInuse+after.StackInuse)-int64(before.HeapInuse+before.StackInuse)) / float64(n)
}

// TestDialHelper is not a test: run by serverMemoryPerConnection in a child process, it holds
// PASSHUB_DIAL_N websocket connections open until its standard input closes.
func TestDialHelper(t *testing.T) {
	url := os.Getenv("PASSHUB_DIAL_URL")
	if url == "" {
		t.Skip("helper process of BenchmarkWebsocketFanOut; runs only when the benchmark starts it")
	}
	n, _ := strconv.Atoi(os.Getenv("PASSHUB_DIAL_N"))
	h := http.Header{"Cookie": {os.Getenv("PASSHUB_DIAL_COOKIE")}}
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	for i := 0; i < n; i++ {
		c, _, err := dialer.Dial(url, h)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer c.Close()
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
}
