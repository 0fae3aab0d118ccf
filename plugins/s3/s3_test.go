package s3_test

import (
	"testing"

	"passhub/app/storage"
	"passhub/app/storage/storagetest"
)

// The storage contract against a real S3 server (versitygw, which `make test` builds).
func TestContract(t *testing.T) {
	srv := storagetest.StartS3(t)
	storagetest.Run(t, func(t *testing.T) storage.Store { return srv.Store(t) })
}
