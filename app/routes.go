package app

// routes registers every route Rapport serves: the whole HTTP surface in
// one screen.
func (s *Server) routes() {
	s.middleware()
	e := s.echo

	// Unauthenticated probes and assets: no session, no CSRF.
	e.GET("/healthz", s.healthCheck)
	e.GET("/readyz", s.readinessCheck)
	e.GET("/static/*", s.staticFile)

	// Everything else runs with a session, CSRF protection and a bounded
	// body and duration.
	g := e.Group("", s.loadSession, s.csrf(), s.bodyLimit(), timeout(requestTimeout), s.authenticate)

	g.GET("/setup", s.setupShow)
	g.POST("/setup", s.setupSave)
	g.GET("/signin", s.signInShow)
	g.POST("/signin", s.signInSubmit)
	g.POST("/signout", s.signOut)

	ui := g.Group("", s.requireUser)
	ui.GET("", s.homeShow)
	ui.GET("/", s.homeShow)
	ui.GET("/contacts", s.sectionShow("contacts", "Contacts"))
	ui.GET("/inbox", s.sectionShow("inbox", "Inbox"))
	ui.GET("/tasks", s.sectionShow("tasks", "Tasks"))
	ui.GET("/import-export", s.sectionShow("import-export", "Import/Export"))
	ui.GET("/settings", s.settingsShow)

	api := g.Group("/api/v1", s.requireUser)
	api.GET("/me", s.apiMe)

}
