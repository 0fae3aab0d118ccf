// Package s3 stores uploaded files in a bucket of an S3-compatible object store (AWS S3, MinIO,
// versitygw, Ceph…), through minio-go. Settings: endpoint (an http(s) URL), bucket, region,
// access_key, secret_key, path_style ("true": http://host/bucket/key, needed by most
// self-hosted servers; "false": virtual-hosted http://bucket.host/key).
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"passhub/app/storage"
)

func init() {
	storage.Register("s3", func(o storage.Options) (storage.Store, error) {
		return New(Config{
			Endpoint:  o.Settings["endpoint"],
			Bucket:    o.Settings["bucket"],
			Region:    o.Settings["region"],
			AccessKey: o.Settings["access_key"],
			SecretKey: o.Settings["secret_key"],
			PathStyle: o.Settings["path_style"] != "false",
		})
	})
}

// PartSize is the part of a multipart upload held in memory while a stream of unknown length is
// sent; a file or an in-memory reader of known length is sent as it is read.
const PartSize = 16 << 20

// Config names the bucket and how to reach it.
type Config struct {
	Endpoint, Bucket, Region, AccessKey, SecretKey string
	PathStyle                                      bool
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// Store is a bucket of blobs.
type Store struct {
	c      *minio.Client
	bucket string
}

// New returns the store of cfg. It does not contact the server: a wrong endpoint or key shows at
// the first operation (and in /readyz through the first upload).
func New(cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("s3: endpoint must be an http(s) URL, not %q", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("s3: bucket must be set")
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	return &Store{c: c, bucket: cfg.Bucket}, nil
}

// size is the length of r when it is known without reading it: a file, a bytes or strings
// reader; -1 otherwise.
func size(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }: // bytes.Reader, strings.Reader: Size is the whole, Len what is left
		if l, ok := r.(interface{ Len() int }); ok {
			return int64(l.Len())
		}
		return v.Size()
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := v.Seek(0, io.SeekCurrent); err == nil {
				return fi.Size() - off
			}
		}
	}
	return -1
}

// Put uploads r under key. S3 makes an object visible only once it is whole: a failed or
// cancelled upload leaves what was there before (an unfinished multipart upload is aborted).
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := storage.CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.c.PutObject(ctx, s.bucket, key, r, size(r), minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		PartSize:    PartSize,
	})
	if err != nil {
		return fmt.Errorf("s3: put %s: %w", key, err)
	}
	return nil
}

// Open returns a reader over the object under key.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := storage.CheckKey(key); err != nil {
		return nil, err
	}
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("open", key, err)
	}
	// GetObject is lazy: Stat sends the request, so a missing key shows here and not at the first
	// Read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s.fail("open", key, err)
	}
	return obj, nil
}

// Delete removes the object under key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := storage.CheckKey(key); err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if isNotFound(err) {
			return nil
		}
		return s.fail("delete", key, err)
	}
	return nil
}

// List returns the objects whose key starts with prefix.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	var out []storage.Object
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("s3: list %q: %w", prefix, o.Err)
		}
		if strings.HasSuffix(o.Key, "/") {
			continue // a folder marker some servers report
		}
		out = append(out, storage.Object{Key: o.Key, Size: o.Size, ModTime: o.LastModified})
	}
	return out, nil
}

func isNotFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound"
}

func (s *Store) fail(op, key string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("s3: %s: %w", key, storage.ErrNotFound)
	}
	return fmt.Errorf("s3: %s %s: %w", op, key, err)
}

// CreateBucket makes the store's bucket (tests, first installation).
func (s *Store) CreateBucket(ctx context.Context, region string) error {
	if err := s.c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region}); err != nil {
		return fmt.Errorf("s3: create bucket %s: %w", s.bucket, err)
	}
	return nil
}
