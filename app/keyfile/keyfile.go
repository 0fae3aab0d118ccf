// Package keyfile keeps a random secret key in a file of the data folder, for installations that
// configure none: made at the first start, read at every later one, shared by the processes that
// share the folder.
package keyfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Load returns the key kept in dataDir/name (hex, at least size bytes), making one of size bytes
// when the file does not exist yet.
func Load(dataDir, name string, size int) ([]byte, error) {
	path := filepath.Join(dataDir, name)
	if raw, err := os.ReadFile(path); err == nil {
		if k, err := hex.DecodeString(strings.TrimSpace(string(raw))); err == nil && len(k) >= size {
			return k, nil
		}
		return nil, fmt.Errorf("%s is not a hex key of %d bytes", path, size)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key: %w", err)
	}
	k := make([]byte, size)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("key folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it meanwhile
		return Load(dataDir, name, size)
	}
	if err != nil {
		return nil, fmt.Errorf("write key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		return nil, fmt.Errorf("write key: %w", err)
	}
	return k, f.Close()
}
