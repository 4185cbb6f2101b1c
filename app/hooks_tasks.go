package app

import "github.com/labstack/echo/v4"

// taskRoutes registers the task pages.
func (s *Server) taskRoutes(ui *echo.Group) {
	ui.GET("/tasks", s.tasksShow)
	ui.POST("/tasks", s.taskCreateUI, requireWriter)
	ui.POST("/tasks/calendar-token", s.calendarTokenSave)
	ui.POST("/tasks/:id", s.taskEditUI, requireWriter)
	ui.POST("/tasks/:id/complete", s.taskCompleteUI, requireWriter)
	ui.POST("/tasks/:id/claim", s.taskClaimUI, requireWriter)
	ui.POST("/tasks/:id/cancel", s.taskCancelUI, requireWriter)
	ui.POST("/tasks/:id/delete", s.taskDeleteUI, requireWriter)
	ui.GET("/contacts/:id/tasks", s.contactTasksShow)
	ui.POST("/contacts/:id/tasks", s.contactTaskCreate, requireWriter)
	ui.POST("/contacts/:id/cadence", s.contactCadenceSave, requireWriter)
}

// taskAPIRoutes registers the tasks JSON API.
func (s *Server) taskAPIRoutes(api *echo.Group) {
	api.GET("/tasks", s.apiTaskList)
	api.POST("/tasks", s.apiTaskCreate, requireWriter)
	api.GET("/tasks/:id", s.apiTaskShow)
	api.PATCH("/tasks/:id", s.apiTaskUpdate, requireWriter)
}

// calendarRoutes registers the per-user iCalendar feeds, which calendar
// apps fetch without a session: the secret in the URL is the credential.
func (s *Server) calendarRoutes(e *echo.Echo) {
	e.GET("/calendar/:secret", s.calendarFeed)
}
