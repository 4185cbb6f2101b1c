package app

// GzipResponses lets the external tests put the compression middleware in
// front of a handler they control, to see streaming and memory directly.
var GzipResponses = gzipResponses
