package app

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"rapport/models"
	"rapport/views/account"
)

// signInShow shows the sign-in form, or sends a signed-in user on.
func (s *Server) signInShow(c echo.Context) error {
	if !s.isSetUp(c.Request().Context()) {
		return c.Redirect(http.StatusSeeOther, "/setup")
	}
	next := safeNext(c.QueryParam("next"))
	if userOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.render(c, http.StatusOK, account.SignIn(s.page(c, "Sign in", ""), account.SignInForm{Next: next}))
}

// signInSubmit checks the credentials under per-account and per-address
// throttling. Every failure gets the same message, so the form reveals
// nothing about which emails have accounts.
func (s *Server) signInSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	f := account.SignInForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("next")),
		Remember: c.FormValue("remember") != ""}
	accountKey := "account:" + models.EmailKey(f.Email)
	addressKey := "ip:" + c.RealIP()

	until, err := s.db.SignInBlockedUntil(ctx, accountKey, addressKey)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		_ = s.db.Audit(ctx, models.AuditEntry{ActorLabel: f.Email, Action: "user.sign_in_throttled", ClientIP: c.RealIP(),
			RequestID: requestID(c)})
		return s.signInRefused(c, f, until)
	}

	u, err := s.db.Authenticate(ctx, f.Email, c.FormValue("password"))
	if errors.Is(err, models.ErrBadCredentials) {
		s.log.Warn("failed sign-in", "email", f.Email, "ip", c.RealIP())
		_ = s.db.Audit(ctx, models.AuditEntry{ActorLabel: f.Email, Action: "user.sign_in_failed", ClientIP: c.RealIP(),
			RequestID: requestID(c)})
		u1, err1 := s.db.RecordSignInFailure(ctx, accountKey, models.AccountThrottle)
		u2, err2 := s.db.RecordSignInFailure(ctx, addressKey, models.AddressThrottle)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if later := latest(u1, u2); !later.IsZero() {
			return s.signInRefused(c, f, later)
		}
		f.Error = "That email and password do not match an account. Check both and try again."
		return s.render(c, http.StatusUnauthorized, account.SignIn(s.page(c, "Sign in", ""), f))
	}
	if err != nil {
		return err
	}
	if err := s.db.ClearSignInFailures(ctx, accountKey); err != nil {
		return err
	}
	if err := s.signIn(c, u, f.Remember); err != nil {
		return err
	}
	a := u.Actor("session")
	if err := s.db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "user.sign_in", SubjectType: "user", SubjectID: u.ID,
		ClientIP: c.RealIP(), RequestID: requestID(c)}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

func (s *Server) signInRefused(c echo.Context, f account.SignInForm, until time.Time) error {
	wait := time.Until(until)
	c.Response().Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	f.Error = fmt.Sprintf("Too many failed sign-ins. For your account's safety, wait %s and try again.", humanWait(wait))
	return s.render(c, http.StatusTooManyRequests, account.SignIn(s.page(c, "Sign in", ""), f))
}

// signOut ends the session.
func (s *Server) signOut(c echo.Context) error {
	if a, ok := actorOf(c); ok {
		_ = s.db.Audit(c.Request().Context(), models.AuditEntry{Actor: &a, Action: "user.sign_out", ClientIP: c.RealIP(), RequestID: requestID(c)})
	}
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	s.setFlash(c, "info", "You have signed out.")
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// safeNext keeps post-sign-in redirects on this site: only local paths,
// never "//evil.example" or an absolute URL. Browsers drop tabs and line
// breaks anywhere in a URL and read a backslash as a slash, so
// "/\t/evil.example" and "/\\evil.example" leave the site too: a next with
// any control character, space or backslash is refused whole, as a path
// Rapport writes never holds one unescaped.
func safeNext(next string) string {
	unsafe := func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' || unicode.IsSpace(r) }
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsFunc(next, unsafe) ||
		u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func humanWait(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", max(1, int(math.Ceil(d.Seconds()))))
	}
	m := int(math.Ceil(d.Minutes()))
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }
