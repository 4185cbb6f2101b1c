package app

import "encoding/json"

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`{"title":"Internal Server Error","status":500}`)
	}
	return b
}
