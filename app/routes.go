package app

import (
	"net/http"
	"net/http/pprof"

	"github.com/labstack/echo/v4"
)

// routes registers every route Rapport serves: the whole HTTP surface in
// one screen.
func (s *Server) routes() {
	s.middleware()
	e := s.echo
	// Before every route, the unauthenticated and streaming ones too: text
	// no database can store is a 400, not a failed query.
	e.Use(checkInputText(s.cfg.MaxBodyBytes))

	// Unauthenticated probes and assets: no session, no CSRF.
	e.GET("/healthz", s.healthCheck)
	e.GET("/readyz", s.readinessCheck)
	e.GET("/static/*", s.staticFile)

	// Operations, for admins only (a scraper sends an admin's API token).
	// Outside the request timeout: a CPU profile runs for 30 s by default.
	ops := []echo.MiddlewareFunc{s.loadSession, s.authenticate, s.requireUser, requireAdmin}
	e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()), ops...)
	e.GET("/debug/pprof", echo.WrapHandler(http.HandlerFunc(pprof.Index)), ops...)
	e.GET("/debug/pprof/*", echo.WrapHandler(http.HandlerFunc(pprof.Index)), ops...)
	e.GET("/debug/pprof/cmdline", echo.WrapHandler(http.HandlerFunc(pprof.Cmdline)), ops...)
	e.GET("/debug/pprof/profile", echo.WrapHandler(http.HandlerFunc(pprof.Profile)), ops...)
	e.GET("/debug/pprof/symbol", echo.WrapHandler(http.HandlerFunc(pprof.Symbol)), ops...)
	e.GET("/debug/pprof/trace", echo.WrapHandler(http.HandlerFunc(pprof.Trace)), ops...)

	// Exports stream for as long as they take, so they run outside the
	// request timeout (the handler lifts the write deadline too).
	e.GET("/export/contacts", s.exportDownload, s.loadSession, s.csrf(), s.authenticate, s.requireUser)

	// Everything else runs with a session, CSRF protection and a bounded
	// body and duration. The body is bounded, and an upload refused to
	// anyone not signed in, before the CSRF check, which may read a form
	// for its token: a form's files spill to disk as they are read.
	g := e.Group("", s.bodyLimit(), s.loadSession, timeout(requestTimeout), s.authenticate, s.guardUploads,
		removeSpooledFiles, s.csrf())

	g.GET("/setup", s.setupShow)
	g.POST("/setup", s.setupSave)
	g.GET("/signin", s.signInShow)
	g.POST("/signin", s.signInSubmit)
	g.POST("/signout", s.signOut)
	g.GET("/join/:secret", s.joinShow)
	g.POST("/join/:secret", s.joinSave)

	ui := g.Group("", s.requireUser)
	ui.GET("", s.homeShow)
	ui.GET("/", s.homeShow)
	ui.GET("/contacts", s.contactsList)
	ui.GET("/contacts/new", s.contactNew, requireWriter)
	ui.POST("/contacts", s.contactCreate, requireWriter)
	ui.POST("/contacts/bulk", s.contactsBulk, requireWriter)
	ui.GET("/contacts/duplicates", s.duplicatesList)
	ui.GET("/contacts/merge", s.mergeShow, requireWriter)
	ui.POST("/contacts/merge", s.mergeSave, requireWriter)
	ui.POST("/contacts/merges/:id/undo", s.mergeUndo, requireWriter)
	ui.GET("/contacts/picker", s.contactPicker)
	ui.GET("/contacts/picker/chip", s.contactChip)
	ui.GET("/colleagues/picker", s.colleaguePicker, requireWriter)
	ui.GET("/colleagues/picker/chip", s.colleagueChip, requireWriter)
	ui.GET("/users/picker", s.userPicker)
	ui.GET("/users/picker/choice", s.userChoice)
	ui.GET("/contacts/:id", s.contactShow)
	ui.GET("/contacts/:id/timeline", s.timelineItems)
	ui.POST("/contacts/:id/interactions", s.interactionLog, requireWriter)
	ui.GET("/interactions/:id/edit", s.interactionEdit, requireWriter)
	ui.POST("/interactions/:id", s.interactionUpdate, requireWriter)
	ui.POST("/interactions/:id/delete", s.interactionDelete, requireWriter)
	ui.GET("/contacts/:id/edit", s.contactEdit, requireWriter)
	ui.POST("/contacts/:id", s.contactUpdate, requireWriter)
	ui.POST("/contacts/:id/delete", s.contactDelete, requireWriter)
	ui.GET("/companies", s.companiesList)
	ui.GET("/companies/:id", s.companyShow)
	ui.GET("/companies/:id/edit", s.companyEdit, requireWriter)
	ui.POST("/companies/:id", s.companyUpdate, requireWriter)
	ui.GET("/companies/:id/timeline", s.companyTimelineItems)
	ui.GET("/activity", s.activityItems)
	ui.GET("/import-export", s.transferShow)
	ui.GET("/settings", s.settingsShow)
	ui.POST("/settings/profile", s.profileSave)
	ui.POST("/settings/password", s.passwordSave)
	ui.POST("/settings/tokens", s.tokenCreate)
	ui.POST("/settings/tokens/:id/revoke", s.tokenRevoke)

	s.noteRoutes(ui)
	s.importRoutes(ui)
	s.taskRoutes(ui)
	s.socialRoutes(ui)
	s.calendarRoutes(e)

	adm := ui.Group("/admin", requireAdmin)
	adm.GET("/users", s.usersShow)
	adm.POST("/invitations", s.invitationCreate)
	adm.POST("/invitations/:id/revoke", s.invitationRevoke)
	adm.POST("/users/:id", s.userAccessSave)
	adm.POST("/departments", s.departmentCreate)
	adm.GET("/audit", s.auditShow)
	adm.GET("/custom-fields", s.customFieldsShow)
	adm.POST("/custom-fields", s.customFieldCreate)
	adm.POST("/custom-fields/:id", s.customFieldUpdate)
	adm.POST("/custom-fields/:id/delete", s.customFieldDelete)

	g.GET("/api/v1/openapi.json", s.openAPIShow)
	api := g.Group("/api/v1", s.requireUser)
	api.GET("/me", s.apiMe)
	s.contactAPIRoutes(api)
	s.timelineAPIRoutes(api)
	s.noteAPIRoutes(api)
	s.importAPIRoutes(api)
	s.taskAPIRoutes(api)
	s.socialAPIRoutes(api)
}
