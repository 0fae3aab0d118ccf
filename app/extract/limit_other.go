//go:build !linux

package extract

import "syscall"

const selfExe = "" // os.Executable()

func sysProcAttr() *syscall.SysProcAttr { return nil }

// limit sets no resource limits where prlimit does not exist: the wall-clock limit and the
// capped output still stop the reader.
func limit(int, Limits) error { return nil }
