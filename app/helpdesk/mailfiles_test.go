package helpdesk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"passhub/app/mail"
	"passhub/app/storage"
)

// memStore is a storage in memory; broken makes Open fail as an unreachable store does.
type memStore struct {
	objs   map[string][]byte
	broken bool
}

func (m *memStore) Put(_ context.Context, key string, r io.Reader) error {
	b, err := io.ReadAll(r)
	m.objs[key] = b
	return err
}

func (m *memStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if m.broken {
		return nil, errors.New("connection refused")
	}
	b, ok := m.objs[key]
	if !ok {
		return nil, fmt.Errorf("mem: %s: %w", key, storage.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	delete(m.objs, key)
	return nil
}

func (m *memStore) List(context.Context, string) ([]storage.Object, error) { return nil, nil }

// TestMailFiles: the files of an answer go with its mail in their order while their total is
// within the bound; one over it is left and named, a smaller one after it still goes; a file the
// storage no longer has is named as missing without failing; an unreachable storage is an error
// (the job retries).
func TestMailFiles(t *testing.T) {
	ctx := context.Background()
	st := &memStore{objs: map[string][]byte{}}
	file := func(id int64, name, ct string, size int) File {
		data := bytes.Repeat([]byte{byte('a' + id)}, size)
		key := fmt.Sprintf("helpdesk/%d", id)
		st.objs[key] = data
		return File{ID: id, Name: name, ContentType: ct, Size: int64(size), StorageKey: key}
	}
	files := []File{file(1, "verbale.pdf", "application/pdf", 400), file(2, "grande.zip", "application/zip", 700),
		file(3, "schermata.png", "image/png", 500), file(4, "cancellato.pdf", "application/pdf", 10)}
	delete(st.objs, "helpdesk/4")

	got, left, err := mailFiles(ctx, st, files, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "verbale.pdf" || got[0].ContentType != "application/pdf" || !bytes.Equal(got[0].Data, st.objs["helpdesk/1"]) ||
		got[1].Name != "schermata.png" || got[1].ContentType != "image/png" || len(got[1].Data) != 500 {
		t.Errorf("attached %+v", names(got))
	}
	if len(left) != 2 || left[0] != (LeftFile{Name: "grande.zip"}) || left[1] != (LeftFile{Name: "cancellato.pdf", Missing: true}) {
		t.Errorf("left %+v", left)
	}

	// Bytes that are more than the row says never pass the bound.
	st.objs["helpdesk/1"] = bytes.Repeat([]byte("x"), 2000)
	if got, left, err := mailFiles(ctx, st, files[:1], 1000); err != nil || len(got) != 0 || len(left) != 1 {
		t.Errorf("grown file: %v %+v %v", names(got), left, err)
	}

	st.broken = true
	if _, _, err := mailFiles(ctx, st, files, 1000); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("an unreachable storage: %v", err)
	}
	if _, _, err := mailFiles(ctx, st, nil, 1000); err != nil {
		t.Errorf("no files: %v", err)
	}
}

func names(as []mail.Attachment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}
