package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/workarea"
)

// BenchmarkWorkAreaTopic opens a topic of a work area with 60 people and 600 replies, as a
// member: it reports the bytes and the median time of the topic's page (its newest posts), of the
// live update a page fetches after one new reply, and of the members' directory.
func BenchmarkWorkAreaTopic(b *testing.B) {
	s := apptest.Start(b)
	ctx := context.Background()
	const people, replies = 60, 600
	var cookie string
	var ids []int64
	for i := 0; i < people; i++ {
		code := apptest.FiscalCode(fmt.Sprintf("MMBMMB80A01F%03d", i))
		c := s.Login(b, code, "Persona", fmt.Sprintf("N%03d", i))
		if i == 0 {
			cookie = c
		}
		users, _, _ := s.Identity.Users(ctx, fmt.Sprintf("N%03d", i), 1)
		ids = append(ids, users[0].ID)
	}
	admin := workarea.Actor{UserID: ids[0], Name: "admin"}
	a, err := s.Areas.Create(ctx, admin, workarea.Form{Name: "Stazione Appaltante"})
	if err != nil {
		b.Fatal(err)
	}
	for i, id := range ids {
		role := "member"
		if i == 1 {
			role = "coordinator"
		}
		if _, err := s.Areas.AddMember(ctx, admin, a.ID, workarea.MemberForm{UserID: id, Role: role}); err != nil {
			b.Fatal(err)
		}
	}
	who := func(i int) workarea.Actor {
		return workarea.Actor{UserID: ids[i%people], Name: fmt.Sprintf("Persona N%03d", i%people)}
	}
	t, _, err := s.Areas.OpenTopic(ctx, who(1), a.ID, workarea.PostForm{Title: "Capitolato tipo", Body: "Apriamo la discussione."})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < replies; i++ {
		if _, err := s.Areas.Reply(ctx, who(i), t, workarea.PostForm{Body: fmt.Sprintf("Risposta n. %d: **osservazioni** sul capitolato, con un [riferimento](https://www.example.it/%d).", i, i)}); err != nil {
			b.Fatal(err)
		}
	}
	idle, cancel := context.WithTimeout(ctx, 10*time.Minute)
	if err := s.Jobs.WaitIdle(idle); err != nil {
		b.Fatal(err)
	}
	cancel()
	page := workarea.TopicURL(a.ID, t.ID)
	get := func(p string, htmx bool) (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+p, nil)
		req.Header.Set("Cookie", cookie)
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		t0 := time.Now()
		res, body := s.Do(b, req)
		d := time.Since(t0)
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		return len(body), d
	}
	median := func(p string, htmx bool, n int) (int, time.Duration) {
		var ds []time.Duration
		var size int
		for i := 0; i < n; i++ {
			sz, d := get(p, htmx)
			size, ds = sz, append(ds, d)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return size, ds[len(ds)/2]
	}
	for i := 0; i < b.N; i++ {
		pageBytes, pageTime := median(page, false, 21)
		last, err := s.Areas.LastPost(ctx, t.ID)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Areas.Reply(ctx, who(2), t, workarea.PostForm{Body: "Una risposta nuova."}); err != nil {
			b.Fatal(err)
		}
		live := workarea.URL(a.ID) + "/aggiornamenti?argomento=" + strconv.FormatInt(t.ID, 10) + "&dopo=" + strconv.FormatInt(last, 10)
		liveBytes, liveTime := median(live, true, 21)
		membersBytes, membersTime := median(workarea.URL(a.ID)+"/membri", false, 21)
		msg := fmt.Sprintf("work area topic with %d replies and %d people on %s: page (newest %d posts) %d bytes in %v, live update after one reply %d bytes in %v, members %d bytes in %v",
			replies+i, people, database(), workarea.ThreadPage, pageBytes, pageTime.Round(100*time.Microsecond), liveBytes, liveTime.Round(100*time.Microsecond),
			membersBytes, membersTime.Round(100*time.Microsecond))
		fmt.Println(msg)
		addSummary("%s", msg)
		b.ReportMetric(float64(pageBytes), "page_bytes")
		b.ReportMetric(float64(pageTime.Microseconds())/1000, "page_ms")
		b.ReportMetric(float64(liveTime.Microseconds())/1000, "live_ms")
		b.ReportMetric(float64(membersTime.Microseconds())/1000, "members_ms")
	}
}
