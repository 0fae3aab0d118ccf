// Package storagetest is the contract every storage plugin passes: the local folder and S3 run
// the same suite, so the application cannot tell them apart.
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"passhub/app/storage"
)

// LargeSize is the size of the streamed object of the suite: more than one S3 multipart part.
const LargeSize = 40 << 20

// Run runs the contract against the stores newStore returns; each call must give an empty store.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("PutOpenDelete", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		put(t, s, "requests/1/a.pdf", "%PDF-1.7 one")
		if got := read(t, s, "requests/1/a.pdf"); got != "%PDF-1.7 one" {
			t.Errorf("read %q", got)
		}
		if err := s.Delete(ctx, "requests/1/a.pdf"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, "requests/1/a.pdf"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("deleted object: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "requests/1/a.pdf"); err != nil {
			t.Errorf("deleting a missing key: %v", err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		if r, err := s.Open(context.Background(), "nothing/here.txt"); !errors.Is(err, storage.ErrNotFound) {
			if r != nil {
				r.Close()
			}
			t.Errorf("Open of a missing key: %v, want ErrNotFound", err)
		}
	})
	t.Run("EmptyObject", func(t *testing.T) {
		s := newStore(t)
		put(t, s, "e/empty.txt", "")
		if got := read(t, s, "e/empty.txt"); got != "" {
			t.Errorf("read %q", got)
		}
	})
	t.Run("Overwrite", func(t *testing.T) {
		s := newStore(t)
		put(t, s, "o/x.txt", "first version, longer than the second")
		put(t, s, "o/x.txt", "second")
		if got := read(t, s, "o/x.txt"); got != "second" {
			t.Errorf("after overwrite read %q", got)
		}
	})
	t.Run("InvalidKeys", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"../x", "/etc/passwd", "a/../../x", "", "A B", "a//b", "a/./b"} {
			if err := s.Put(context.Background(), k, strings.NewReader("x")); err == nil {
				t.Errorf("key %q accepted", k)
			}
		}
	})
	t.Run("FailedPutLeavesNothing", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		boom := errors.New("reader broke")
		err := s.Put(ctx, "f/new.bin", io.MultiReader(strings.NewReader(strings.Repeat("x", 100<<10)), errReader{boom}))
		if err == nil {
			t.Fatal("Put of a broken reader succeeded")
		}
		if _, err := s.Open(ctx, "f/new.bin"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a failed Put left an object: %v", err)
		}
		put(t, s, "f/old.txt", "kept")
		if err := s.Put(ctx, "f/old.txt", io.MultiReader(strings.NewReader("half"), errReader{boom})); err == nil {
			t.Fatal("Put of a broken reader succeeded")
		}
		if got := read(t, s, "f/old.txt"); got != "kept" {
			t.Errorf("a failed overwrite changed the object: %q", got)
		}
		if objs := list(t, s, "f/"); len(objs) != 1 || objs[0].Key != "f/old.txt" {
			t.Errorf("after failed Puts List gives %v", objs)
		}
	})
	t.Run("CancelledContext", func(t *testing.T) {
		s := newStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Put(ctx, "c/before.txt", strings.NewReader("x")); err == nil {
			t.Error("Put with a cancelled context succeeded")
		}
		ctx, cancel = context.WithCancel(context.Background())
		defer cancel()
		// the reader cancels the context halfway through
		r := &cancelReader{r: io.LimitReader(zeros{}, 8<<20), after: 1 << 20, cancel: cancel}
		if err := s.Put(ctx, "c/during.bin", r); err == nil {
			t.Error("Put whose context was cancelled during the copy succeeded")
		}
		if _, err := s.Open(context.Background(), "c/during.bin"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a cancelled Put left an object: %v", err)
		}
	})
	t.Run("LargeStreamedObject", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		// a reader of unknown length (neither a file nor a bytes.Reader): the store must stream it
		src := &hashingReader{r: io.LimitReader(rand.New(rand.NewSource(7)), LargeSize), h: sha256.New()}
		if err := s.Put(ctx, "big/object.bin", struct{ io.Reader }{src}); err != nil {
			t.Fatal(err)
		}
		r, err := s.Open(ctx, "big/object.bin")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		h := sha256.New()
		n, err := io.Copy(h, r)
		if err != nil {
			t.Fatal(err)
		}
		if n != LargeSize || !bytes.Equal(h.Sum(nil), src.h.Sum(nil)) {
			t.Errorf("read %d bytes, hash differs: %v", n, !bytes.Equal(h.Sum(nil), src.h.Sum(nil)))
		}
		objs := list(t, s, "big/")
		if len(objs) != 1 || objs[0].Size != LargeSize {
			t.Errorf("List gives %v", objs)
		}
	})
	t.Run("List", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		before := time.Now().Add(-time.Minute)
		put(t, s, "requests/1/a.pdf", "aa")
		put(t, s, "requests/1/b.pdf", "bbb")
		put(t, s, "requests/12/c.pdf", "c")
		put(t, s, "protocols/1/p.pdf", "pppp")
		objs := list(t, s, "requests/1/")
		if got := keys(objs); got != "requests/1/a.pdf requests/1/b.pdf" {
			t.Errorf("List(requests/1/) = %s", got)
		}
		for _, o := range objs {
			if o.ModTime.Before(before) || o.ModTime.After(time.Now().Add(time.Minute)) {
				t.Errorf("%s: modification time %v", o.Key, o.ModTime)
			}
			if want := map[string]int64{"requests/1/a.pdf": 2, "requests/1/b.pdf": 3}[o.Key]; o.Size != want {
				t.Errorf("%s: size %d, want %d", o.Key, o.Size, want)
			}
		}
		if got := keys(list(t, s, "")); got != "protocols/1/p.pdf requests/1/a.pdf requests/1/b.pdf requests/12/c.pdf" {
			t.Errorf("List() = %s", got)
		}
		if got := list(t, s, "nothing/"); len(got) != 0 {
			t.Errorf("List(nothing/) = %v", got)
		}
		if err := s.Delete(ctx, "requests/1/a.pdf"); err != nil {
			t.Fatal(err)
		}
		if got := keys(list(t, s, "requests/")); got != "requests/1/b.pdf requests/12/c.pdf" {
			t.Errorf("after Delete List(requests/) = %s", got)
		}
	})
}

func put(t *testing.T, s storage.Store, key, body string) {
	t.Helper()
	if err := s.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

func read(t *testing.T, s storage.Store, key string) string {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open %s: %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b)
}

func list(t *testing.T, s storage.Store, prefix string) []storage.Object {
	t.Helper()
	objs, err := s.List(context.Background(), prefix)
	if err != nil {
		t.Fatalf("List %q: %v", prefix, err)
	}
	return objs
}

func keys(objs []storage.Object) string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.Key)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type cancelReader struct {
	r      io.Reader
	n      int64
	after  int64
	cancel func()
}

func (c *cancelReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n >= c.after {
		c.cancel()
		// give the store's transport a moment to notice, as a client gone away would
		time.Sleep(10 * time.Millisecond)
	}
	return n, err
}

type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}
