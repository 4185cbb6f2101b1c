package app

import "github.com/labstack/echo/v4"

// importRoutes registers the import pages.
func (s *Server) importRoutes(ui *echo.Group) {
	ui.POST("/imports", s.importUpload, requireWriter)
	ui.GET("/imports/:id", s.importShow)
	ui.GET("/imports/:id/status", s.importStatus)
	ui.GET("/imports/:id/rejected.csv", s.importRejected)
	ui.GET("/imports/:id/problems.csv", s.importProblems)
	ui.POST("/imports/:id/start", s.importStart, requireWriter)
	ui.POST("/imports/:id/preview", s.importPreview, requireWriter)
	ui.POST("/imports/:id/mappings", s.importMappingSave, requireWriter)
	ui.POST("/imports/:id/mappings/apply", s.importMappingApply, requireWriter)
	ui.POST("/imports/:id/mappings/:mapping/delete", s.importMappingDelete, requireWriter)
	ui.POST("/imports/:id/cancel", s.importCancel, requireWriter)
	ui.POST("/imports/:id/undo", s.importUndo, requireWriter)
}

// importAPIRoutes registers the imports JSON API.
func (s *Server) importAPIRoutes(api *echo.Group) {
	api.POST("/imports", s.apiImportCreate, requireWriter)
	api.GET("/imports/:id", s.apiImportShow)
	api.GET("/imports/:id/rejected.csv", s.apiImportRejected)
	api.GET("/imports/:id/problems.csv", s.importProblems)
	api.GET("/import-mappings", s.apiImportMappings)
	api.POST("/import-mappings", s.apiImportMappingCreate, requireWriter)
	api.DELETE("/import-mappings/:id", s.apiImportMappingDelete, requireWriter)
}
