package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"rapport/models"
)

// Context keys set by middleware.
const (
	ctxActor   = "actor"
	ctxSession = "session"
	ctxUser    = "user"
)

// requestTimeout bounds ordinary requests; uploads, exports and streams are
// registered with longer ones.
const requestTimeout = 30 * time.Second

func (s *Server) middleware() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestID())
	e.Use(s.accessLog())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: false,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic in handler", "err", err, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "stack", string(stack))
			return err
		},
	}))
	e.Use(s.metrics.Middleware)
	e.Use(s.secureHeaders())
	e.Use(gzipResponses())
}

// accessLog writes one structured line per request.
func (s *Server) accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogResponseSize: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case strings.HasPrefix(v.URIPath, "/static/") || v.URIPath == "/healthz" || v.URIPath == "/readyz":
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.Int64("bytes", v.ResponseSize),
				slog.String("ip", v.RemoteIP), slog.String("request_id", v.RequestID),
			}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, slog.String("err", v.Error.Error()))
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// secureHeaders sets the headers every response carries. The content
// security policy allows only our own scripts and styles: htmx is served
// from /static and no template uses inline script or style.
func (s *Server) secureHeaders() echo.MiddlewareFunc {
	hsts := 0
	if s.cfg.SecureCookies() {
		hsts = 31536000
	}
	return middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		HSTSMaxAge:         hsts,
		ReferrerPolicy:     "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; " +
			"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
	})
}

// bodyLimit refuses request bodies above the configured size. File
// uploads (imports) are exempt: they stream to disk and have their own
// limit.
func (s *Server) bodyLimit() echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   fmt.Sprintf("%dB", s.cfg.MaxBodyBytes),
		Skipper: func(c echo.Context) bool { return isUpload(c) },
	})
}

// isUpload reports whether a request is a file upload, which streams to
// disk and may be far larger than other requests.
func isUpload(c echo.Context) bool {
	p := c.Request().URL.Path
	return c.Request().Method == http.MethodPost && (p == "/imports" || p == "/api/v1/imports")
}

// guardUploads lets only signed-in people send a file, and only up to the
// import limit, before anything reads the body: the CSRF check reads a
// form for its token, and an API upload's handler reads its mapping field
// first, each spooling the form's files to disk as they arrive.
func (s *Server) guardUploads(next echo.HandlerFunc) echo.HandlerFunc {
	limited := s.requireUser(func(c echo.Context) error {
		// A declared length past the limit is refused at once on the API,
		// whose handler reads the mapping field before the file; the
		// page's handler (storeUpload) refuses it first thing, with a
		// message on the page.
		r := c.Request()
		limit := s.cfg.ImportMaxBytes + uploadFormRoom
		if isAPI(c) && r.ContentLength > limit {
			return uploadTooLarge(s.cfg.ImportMaxBytes)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	})
	return func(c echo.Context) error {
		if isUpload(c) {
			return limited(c)
		}
		return next(c)
	}
}

// removeSpooledFiles deletes the temporary files a multipart form spilled
// to disk once the request is answered. net/http removes those of the
// request it made, but loadSession and timeout hand on copies of it, and
// a form parsed on a copy stays unknown to the server: every upload
// larger than the 32 MiB held in memory left its whole file in the
// temporary directory. Nothing after this middleware copies the request.
func removeSpooledFiles(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		defer func() {
			for _, r := range []*http.Request{req, c.Request()} {
				if r.MultipartForm != nil {
					_ = r.MultipartForm.RemoveAll()
				}
			}
		}()
		return next(c)
	}
}

// timeout cancels a request's context after d, so a slow query answers 503
// instead of holding the connection.
func timeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if isUpload(c) {
				// An upload of a large file takes as long as the network does.
				return next(c)
			}
			ctx, cancel := context.WithTimeout(req.Context(), d)
			defer cancel()
			c.SetRequest(req.WithContext(ctx))
			err := next(c)
			// The error handler renders after this returns; give it the
			// request's own context, not the one cancelled on return.
			c.SetRequest(req)
			return err
		}
	}
}

// csrf protects every state-changing request made with the session cookie:
// forms send the token as _csrf and htmx as X-CSRF-Token (static/js/app.js).
// Browsers that send Sec-Fetch-Site are judged on that alone. Requests
// authenticated by a bearer token carry no ambient credential and are exempt.
func (s *Server) csrf() echo.MiddlewareFunc {
	refuse := func(err error, c echo.Context) error {
		if isAPI(c) {
			return echo.NewHTTPError(http.StatusForbidden, "A cookie-authenticated API call must send the page's CSRF token "+
				"as the X-CSRF-Token header. Scripts should use a bearer token instead.").SetInternal(err)
		}
		return echo.NewHTTPError(http.StatusForbidden,
			"This form has expired or did not come from Rapport. Reload the page and try again.").SetInternal(err)
	}
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "rapport_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		CookieSecure:   s.cfg.SecureCookies(),
		CookieMaxAge:   7 * 24 * 3600,
		Skipper:        func(c echo.Context) bool { return bearerToken(c) != "" },
		ErrorHandler:   refuse,
		// A browser's write from another site, a sibling subdomain
		// included, is refused on its fetch metadata. echo would let a
		// same-site one through on a token matching the token cookie,
		// but the token is not tied to the session, and a sibling
		// subdomain can set that cookie; Rapport takes no writes from
		// another origin.
		AllowSecFetchSiteFunc: func(c echo.Context) (bool, error) {
			return false, refuse(errors.New("Sec-Fetch-Site: "+c.Request().Header.Get(echo.HeaderSecFetchSite)), c)
		},
	})
}

// csrfToken is the request's CSRF token, as the csrf middleware keeps it
// under its default context key. A fragment that needs only the token reads
// it here rather than building the whole page chrome, which queries the
// navigation counts.
func csrfToken(c echo.Context) string {
	tok, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	return tok
}

func bearerToken(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate finds who is asking: a bearer token on the API, otherwise the
// session. It never fails the request; requireUser does that.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if tok := bearerToken(c); tok != "" {
			return s.authenticateToken(c, tok, next)
		}
		id := s.sessions.GetInt64(ctx, sessUserID)
		if id == 0 {
			return next(c)
		}
		u, err := s.db.UserByID(ctx, id)
		switch {
		case errors.Is(err, models.ErrNotFound):
			_ = s.sessions.Destroy(ctx)
			return next(c)
		case err != nil:
			return err
		}
		// A password change bumps the epoch: every older session ends here.
		if u.DisabledAt != nil || u.AuthEpoch != s.sessions.GetInt64(ctx, sessAuthEpoch) {
			_ = s.sessions.Destroy(ctx)
			return next(c)
		}
		c.Set(ctxUser, u)
		c.Set(ctxActor, u.Actor("session"))
		return next(c)
	}
}

// authenticateToken is filled in by the API token support; until a token
// matches, a bearer request is anonymous.
func (s *Server) authenticateToken(c echo.Context, tok string, next echo.HandlerFunc) error {
	u, err := s.db.UserByAPIToken(c.Request().Context(), tok)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return echo.NewHTTPError(http.StatusUnauthorized, "The API token is unknown, expired or revoked.")
	case err != nil:
		return err
	}
	c.Set(ctxUser, u)
	c.Set(ctxActor, u.Actor("token"))
	return next(c)
}

// requireUser sends anonymous visitors to sign in (or answers 401 on the API).
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := actorOf(c); ok {
			return next(c)
		}
		if isAPI(c) {
			return echo.NewHTTPError(http.StatusUnauthorized, "Sign in, or send an API token as 'Authorization: Bearer <token>'.")
		}
		if !s.isSetUp(c.Request().Context()) {
			return c.Redirect(http.StatusSeeOther, "/setup")
		}
		next := c.Request().URL.RequestURI()
		return c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(next))
	}
}

// requireWriter refuses viewers on routes that change records.
func requireWriter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a, ok := actorOf(c); !ok || !a.CanWrite() {
			return echo.NewHTTPError(http.StatusForbidden, "Your role can read but not change records. Ask an admin for member access.")
		}
		return next(c)
	}
}

// requireAdmin refuses everyone but admins.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a, ok := actorOf(c); !ok || !a.IsAdmin() {
			return echo.NewHTTPError(http.StatusForbidden, "Only admins can do this.")
		}
		return next(c)
	}
}

func actorOf(c echo.Context) (models.Actor, bool) {
	a, ok := c.Get(ctxActor).(models.Actor)
	return a, ok
}

func userOf(c echo.Context) *models.User {
	u, _ := c.Get(ctxUser).(*models.User)
	return u
}

func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// isSetUp reports whether the first admin exists.
func (s *Server) isSetUp(ctx context.Context) bool {
	if s.setupDone.Load() {
		return true
	}
	done, err := s.db.IsSetUp(ctx)
	if err != nil || !done {
		return false
	}
	s.setupDone.Store(true)
	return true
}
