// Package backup writes and restores a whole passhub: a consistent snapshot of the database
// taken while the server runs (SQLite's VACUUM INTO; on PostgreSQL every table of the schema read
// with COPY inside one REPEATABLE READ, read-only transaction), then the uploaded files read
// through the storage port (local folder or S3 bucket), then a manifest with the SHA-256 of every
// part, all in one tar file that appears only when complete.
//
// Restore stages and checks the archive (checksums), rebuilds the database in the configured
// target (refusing a non-empty one unless forced), checks it (row counts, every file a row
// refers to present with its hash), then writes the files to the store. Jobs that had
// finished stay finished; jobs running at snapshot time go back to the queue, as River's rescuer
// would do after a crash.
//
// It knows the database, the storage port, and which columns hold file keys (FileColumns); no
// domain logic.
package backup
