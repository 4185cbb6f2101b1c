package app

import "github.com/labstack/echo/v4"

// socialRoutes registers the Inbox, watch terms, feed health and the
// listening dashboard pages (docs/SOCIAL.md).
func (s *Server) socialRoutes(ui *echo.Group) {
	ui.GET("/inbox", s.inboxShow)
	ui.POST("/inbox/:id/assign", s.inboxAssignUI, requireWriter)
	ui.POST("/inbox/:id/reply", s.inboxReplyUI, requireWriter)
	ui.POST("/inbox/:id/close", s.inboxCloseUI, requireWriter)
	ui.POST("/inbox/:id/reopen", s.inboxReopenUI, requireWriter)
	ui.GET("/listening", s.listeningShow)
	ui.GET("/listening/terms", s.watchTermsShow)
	ui.POST("/listening/terms", s.watchTermCreateUI, requireAdmin)
	ui.POST("/listening/terms/:id/delete", s.watchTermDeleteUI, requireAdmin)
	ui.GET("/contacts/:id/feeds", s.contactFeedsShow)
	ui.POST("/contacts/:id/feeds/:feed/poll", s.contactFeedPoll, requireWriter)
}

// socialAPIRoutes registers the social JSON API: pushed posts, watch
// terms, the Inbox and listening statistics.
func (s *Server) socialAPIRoutes(api *echo.Group) {
	api.POST("/social/items", s.apiSocialItemPush, requireWriter)
	api.POST("/social/feeds/:id/poll", s.apiSocialFeedPoll, requireWriter)
	api.GET("/watch-terms", s.apiWatchTermList)
	api.POST("/watch-terms", s.apiWatchTermCreate, requireAdmin)
	api.DELETE("/watch-terms/:id", s.apiWatchTermDelete, requireAdmin)
	api.GET("/inbox", s.apiInboxList)
	api.GET("/inbox/:id", s.apiInboxShow)
	api.PATCH("/inbox/:id", s.apiInboxUpdate, requireWriter)
	api.POST("/inbox/:id/replies", s.apiInboxReply, requireWriter)
	api.GET("/listening/stats", s.apiListeningStats)
}
