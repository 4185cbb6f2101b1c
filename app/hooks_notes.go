package app

import "github.com/labstack/echo/v4"

// noteRoutes registers the notes pages and fragments.
func (s *Server) noteRoutes(ui *echo.Group) {
	ui.GET("/contacts/:id/key-facts", s.keyFactsShow)
	ui.GET("/contacts/:id/key-facts/edit", s.keyFactsEdit, requireWriter)
	ui.POST("/contacts/:id/key-facts", s.keyFactsSave, requireWriter)
	ui.GET("/contacts/:id/key-facts/history", s.keyFactsHistory)
	ui.POST("/contacts/:id/notes", s.noteCreate, requireWriter)
	ui.GET("/companies/:id/notes", s.companyNotesShow)
	ui.POST("/companies/:id/notes", s.noteCreate, requireWriter)
	ui.GET("/notes/search", s.noteSearch)
	ui.GET("/notes/:id", s.noteShow)
	ui.GET("/notes/:id/edit", s.noteEdit, requireWriter)
	ui.POST("/notes/:id", s.noteUpdate, requireWriter)
	ui.POST("/notes/:id/delete", s.noteDelete, requireWriter)
	ui.GET("/notes/:id/history", s.noteHistory)
	ui.POST("/notes/:id/restore", s.noteRestore, requireWriter)
	ui.POST("/notes/:id/replies", s.noteReply, requireWriter)
	ui.GET("/notifications", s.notificationsShow)
	ui.POST("/notifications/read", s.notificationsRead)
}

// noteAPIRoutes registers the notes JSON API. Every route is documented in
// openapi.json.
func (s *Server) noteAPIRoutes(api *echo.Group) {
	api.GET("/contacts/:id/notes", s.apiNoteList)
	api.POST("/contacts/:id/notes", s.apiNoteCreate, requireWriter)
	api.GET("/companies/:id/notes", s.apiNoteList)
	api.POST("/companies/:id/notes", s.apiNoteCreate, requireWriter)
	api.GET("/contacts/:id/key-facts", s.apiKeyFactsShow)
	api.PUT("/contacts/:id/key-facts", s.apiKeyFactsSave, requireWriter)
	api.GET("/notes/search", s.apiNoteSearch)
	api.GET("/notes/:id", s.apiNoteShow)
	api.PATCH("/notes/:id", s.apiNoteUpdate, requireWriter)
	api.DELETE("/notes/:id", s.apiNoteDelete, requireWriter)
	api.GET("/notes/:id/revisions", s.apiNoteRevisions)
	api.GET("/notes/:id/replies", s.apiNoteReplies)
	api.POST("/notes/:id/replies", s.apiNoteReply, requireWriter)
	api.GET("/notifications", s.apiNotificationList)
	api.POST("/notifications/read", s.apiNotificationsRead)
}
