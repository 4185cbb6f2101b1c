package app

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"rapport/app/config"
	"rapport/models"
)

// Session keys.
const (
	sessUserID    = "user_id"
	sessAuthEpoch = "auth_epoch"
	sessFlash     = "flash"
	// sessTouchedAt is when the session's idle deadline was last moved
	// (Unix seconds); see sessionTouchEvery.
	sessTouchedAt = "touched_at"
)

// sessionTouchEvery is how often a request moves its session's idle
// deadline on. scs does that by marking every loaded session modified, so
// every page view wrote its session back: an upsert of the sessions row
// (a write transaction on SQLite, queued behind imports) and a re-encode.
// Moving it at most hourly keeps the idle timeout within an hour of
// IdleTimeout and leaves page views as reads.
const sessionTouchEvery = time.Hour

func newSessionManager(store scs.Store, cfg *config.Config) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.Lifetime = 30 * 24 * time.Hour
	sm.IdleTimeout = 7 * 24 * time.Hour
	sm.Cookie.Name = "rapport_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies()
	sm.Cookie.Path = "/"
	// Without "remember me" the cookie ends with the browser session; with it
	// the cookie lasts as long as the server-side session.
	sm.Cookie.Persist = false
	return sm
}

// sessionLoader is sm loading sessions without marking each one modified
// for its idle timeout (loadSession moves that on itself). The copy shares
// sm's context key, so sm reads, changes and commits what it loads, with
// sm's idle timeout in the expiry it commits.
func sessionLoader(sm *scs.SessionManager) *scs.SessionManager {
	loader := *sm
	loader.IdleTimeout = 0
	return &loader
}

// signIn starts an authenticated session: a new session id (so a token
// planted before sign-in is worthless), the user and their auth epoch.
func (s *Server) signIn(c echo.Context, u *models.User, remember bool) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessAuthEpoch, u.AuthEpoch)
	s.sessions.Put(ctx, sessTouchedAt, time.Now().Unix())
	s.sessions.RememberMe(ctx, remember)
	return nil
}

// setFlash stores a message for the next page the user sees.
func (s *Server) setFlash(c echo.Context, kind, msg string) {
	s.sessions.Put(c.Request().Context(), sessFlash, kind+"\x00"+msg)
}

// loadSession loads the session for the request and commits it just before
// the response headers go out, when the request changed it or its idle
// deadline is due to move (see sessionTouchEvery). Errors are rendered
// inside, while the session is still open, so error pages can read and
// clear the flash message.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var token string
		if ck, err := c.Cookie(s.sessions.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := s.sessionLoader.Load(c.Request().Context(), token)
		if err != nil {
			return err
		}
		// Only a session found in the store has a token here: a visitor
		// without one gets no session row until something is put in it.
		if s.sessions.Token(ctx) != "" {
			now := time.Now()
			if now.Sub(time.Unix(s.sessions.GetInt64(ctx, sessTouchedAt), 0)) >= sessionTouchEvery {
				s.sessions.Put(ctx, sessTouchedAt, now.Unix())
			}
		}
		c.SetRequest(c.Request().WithContext(ctx))
		c.Set(ctxSession, true)
		c.Response().Before(func() {
			switch s.sessions.Status(ctx) {
			case scs.Modified:
				tok, expiry, err := s.sessions.Commit(ctx)
				if err != nil {
					s.log.Error("commit session", "err", err)
					return
				}
				s.sessions.WriteSessionCookie(ctx, c.Response().Writer, tok, expiry)
			case scs.Destroyed:
				s.sessions.WriteSessionCookie(ctx, c.Response().Writer, "", time.Time{})
			}
		})
		if err := next(c); err != nil {
			c.Error(err)
			return err
		}
		return nil
	}
}
