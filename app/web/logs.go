package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	fiberlog "github.com/gofiber/fiber/v2/log"
)

// fiberLogger hands what Fiber's own log package says to the program's slog logger, so that every
// line the process writes has the configured format.
type fiberLogger struct{ l *slog.Logger }

func (f fiberLogger) log(level slog.Level, msg string, kv ...any) {
	f.l.Log(context.Background(), level, msg, kv...)
}

const levelTrace = slog.LevelDebug - 4

func (f fiberLogger) Trace(v ...any) { f.log(levelTrace, fmt.Sprint(v...)) }
func (f fiberLogger) Debug(v ...any) { f.log(slog.LevelDebug, fmt.Sprint(v...)) }
func (f fiberLogger) Info(v ...any)  { f.log(slog.LevelInfo, fmt.Sprint(v...)) }
func (f fiberLogger) Warn(v ...any)  { f.log(slog.LevelWarn, fmt.Sprint(v...)) }
func (f fiberLogger) Error(v ...any) { f.log(slog.LevelError, fmt.Sprint(v...)) }
func (f fiberLogger) Fatal(v ...any) { f.log(slog.LevelError, fmt.Sprint(v...)); os.Exit(1) }
func (f fiberLogger) Panic(v ...any) { s := fmt.Sprint(v...); f.log(slog.LevelError, s); panic(s) }

func (f fiberLogger) Tracef(format string, v ...any) { f.log(levelTrace, fmt.Sprintf(format, v...)) }
func (f fiberLogger) Debugf(format string, v ...any) {
	f.log(slog.LevelDebug, fmt.Sprintf(format, v...))
}
func (f fiberLogger) Infof(format string, v ...any) { f.log(slog.LevelInfo, fmt.Sprintf(format, v...)) }
func (f fiberLogger) Warnf(format string, v ...any) { f.log(slog.LevelWarn, fmt.Sprintf(format, v...)) }
func (f fiberLogger) Errorf(format string, v ...any) {
	f.log(slog.LevelError, fmt.Sprintf(format, v...))
}
func (f fiberLogger) Fatalf(format string, v ...any) {
	f.log(slog.LevelError, fmt.Sprintf(format, v...))
	os.Exit(1)
}
func (f fiberLogger) Panicf(format string, v ...any) {
	s := fmt.Sprintf(format, v...)
	f.log(slog.LevelError, s)
	panic(s)
}

func (f fiberLogger) Tracew(msg string, kv ...any) { f.log(levelTrace, msg, kv...) }
func (f fiberLogger) Debugw(msg string, kv ...any) { f.log(slog.LevelDebug, msg, kv...) }
func (f fiberLogger) Infow(msg string, kv ...any)  { f.log(slog.LevelInfo, msg, kv...) }
func (f fiberLogger) Warnw(msg string, kv ...any)  { f.log(slog.LevelWarn, msg, kv...) }
func (f fiberLogger) Errorw(msg string, kv ...any) { f.log(slog.LevelError, msg, kv...) }
func (f fiberLogger) Fatalw(msg string, kv ...any) { f.log(slog.LevelError, msg, kv...); os.Exit(1) }
func (f fiberLogger) Panicw(msg string, kv ...any) { f.log(slog.LevelError, msg, kv...); panic(msg) }

// SetLevel and SetOutput are the slog handler's business: its level and writer are configured.
func (fiberLogger) SetLevel(fiberlog.Level) {}
func (fiberLogger) SetOutput(io.Writer)     {}

func (f fiberLogger) WithContext(context.Context) fiberlog.CommonLogger { return f }
