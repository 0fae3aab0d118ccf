package web

import (
	"time"

	"github.com/valyala/fasthttp"
)

// BodyDeadline returns the hook that gives each request's body a read budget proportional to
// its size, once its headers have arrived within the server's ReadTimeout (the header timeout):
// headerTimeout + size/minRate, so a 20 MB document sent at a rural 32 KiB/s uplink arrives while
// a client trickling its headers is still cut after headerTimeout. A body of unknown length
// (chunked) gets the budget of the largest body accepted, and one declared larger than that the
// budget of the few KiB read before it is refused (readBody). Requests without a body keep the
// header deadline.
func BodyDeadline(headerTimeout time.Duration, minRate, bodyLimit int) func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
	return func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		n := h.ContentLength()
		switch {
		case n == 0:
			return fasthttp.RequestConfig{}
		case n < 0: // chunked
			n = bodyLimit
		case n > bodyLimit: // refused once fasthttp has read the start of the body
			n = min(bodyLimit, streamPrefetch)
		}
		return fasthttp.RequestConfig{ReadTimeout: headerTimeout + time.Duration(n)*time.Second/time.Duration(minRate)}
	}
}
