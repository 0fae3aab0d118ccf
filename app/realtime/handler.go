package realtime

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"
)

// Authorizer tells whether the request's user may follow topic, and who the user is (0: nobody).
type Authorizer interface {
	UserOf(c *fiber.Ctx) int64
	MayFollow(c *fiber.Ctx, topic string) bool
}

// Rechecker is an Authorizer whose answers can change while a connection is open: Pass returns,
// for the connection being opened, what tells at every push whether it may still follow a topic
// (its user topic refused once its session has ended), or an error when it cannot tell now.
type Rechecker interface {
	Pass(c *fiber.Ctx) func(topic string) (bool, error)
}

// Handler upgrades GET /ws?topics=a,b to a websocket subscribed to the topics the user may follow;
// without a session it answers 401, from another origin 403.
func (h *Hub) Handler(baseURL string, auth Authorizer) fiber.Handler {
	base, _ := url.Parse(baseURL)
	// Idle connections hold no write buffer: it comes from a pool for each frame.
	upgrader := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}, CheckOrigin: func(r *http.Request) bool {
		o := r.Header.Get("Origin")
		if o == "" {
			return true // not a browser
		}
		u, err := url.Parse(o)
		return err == nil && (u.Host == r.Host || (base != nil && u.Host == base.Host))
	}}
	return func(c *fiber.Ctx) error {
		user := auth.UserOf(c)
		if user == 0 {
			return fiber.ErrUnauthorized
		}
		var topics []string
		for _, t := range strings.Split(c.Query("topics"), ",") {
			if t = strings.TrimSpace(t); t != "" && len(topics) < 10 && auth.MayFollow(c, t) {
				topics = append(topics, t)
			}
		}
		var may func(string) (bool, error)
		if r, ok := auth.(Rechecker); ok {
			may = r.Pass(c)
		}
		return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return // the upgrader answered
			}
			cl := &client{hub: h, conn: conn, userID: user, topics: append(topics, UserTopic(user)), may: may, send: make(chan []byte, sendQueue)}
			cl.serve()
		})(c)
	}
}

// UserTopic is the topic every connection of a user follows.
func UserTopic(userID int64) string { return "user:" + itoa(userID) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
