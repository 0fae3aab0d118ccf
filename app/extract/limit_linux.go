package extract

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// selfExe names the running binary's own file, deleted or replaced as it may be.
const selfExe = "/proc/self/exe"

// sysProcAttr kills the reader when the process that started it dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// addressReserve is the address space a Go program reserves without using it (about 1.3 GiB on
// amd64 at start); the reader may have that much on top of its memory limit.
const addressReserve = 2 << 30

// limit sets the reader's resource limits: memory (RLIMIT_DATA, which counts the heap a Go
// program actually maps, and RLIMIT_AS above the runtime's reservations), CPU seconds (SIGKILL
// one second past them), no files written, no core dump, few descriptors.
func limit(pid int, l Limits) error {
	cpu := uint64((l.CPU + 999_999_999) / 1_000_000_000)
	for _, r := range []struct {
		resource   int
		soft, hard uint64
	}{
		{unix.RLIMIT_DATA, l.Memory, l.Memory},
		{unix.RLIMIT_AS, l.Memory + addressReserve, l.Memory + addressReserve},
		{unix.RLIMIT_CPU, cpu, cpu + 1},
		{unix.RLIMIT_FSIZE, 0, 0},
		{unix.RLIMIT_CORE, 0, 0},
		{unix.RLIMIT_NOFILE, 32, 32},
	} {
		if err := unix.Prlimit(pid, r.resource, &unix.Rlimit{Cur: r.soft, Max: r.hard}, nil); err != nil {
			return err
		}
	}
	return nil
}
