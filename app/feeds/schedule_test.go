package feeds_test

import (
	"net/http"
	"testing"
	"time"

	"rapport/app/feeds"
)

func TestJitterStaysWithinTenPercent(t *testing.T) {
	for _, r := range []float64{0, 0.25, 0.5, 0.999999} {
		d := feeds.Jitter(15*time.Minute, r)
		if d < 810*time.Second || d >= 990*time.Second {
			t.Errorf("Jitter(15m, %v) = %v, want within 13m30s..16m30s", r, d)
		}
	}
	if a, b := feeds.Jitter(time.Hour, 0.1), feeds.Jitter(time.Hour, 0.9); a == b {
		t.Errorf("different draws give the same wait %v", a)
	}
}

func TestBackoffDoublesUpToADay(t *testing.T) {
	const mid = 0.5 // no jitter: 0.9 + 0.2*0.5 = 1
	tests := []struct {
		errors int
		want   time.Duration
	}{
		{1, 15 * time.Minute},
		{2, 30 * time.Minute},
		{3, time.Hour},
		{4, 2 * time.Hour},
		{7, 16 * time.Hour},
	}
	for _, tt := range tests {
		if got := feeds.Backoff(15*time.Minute, tt.errors, mid); got != tt.want {
			t.Errorf("Backoff(15m, %d) = %v, want %v", tt.errors, got, tt.want)
		}
	}
	for _, n := range []int{8, 9, 40, 1000} {
		for _, r := range []float64{0, 0.5, 0.999999} {
			got := feeds.Backoff(15*time.Minute, n, r)
			if got > feeds.MaxBackoff || got < feeds.MaxBackoff*9/10 {
				t.Errorf("Backoff(15m, %d, %v) = %v, want capped at %v with jitter below it", n, r, got, feeds.MaxBackoff)
			}
		}
	}
	// Below the cap the jitter goes both ways.
	if lo, hi := feeds.Backoff(time.Hour, 2, 0), feeds.Backoff(time.Hour, 2, 0.999999); lo != 108*time.Minute || hi <= 2*time.Hour {
		t.Errorf("Backoff(1h, 2) spans %v..%v, want 1h48m..2h12m", lo, hi)
	}
}

func TestNextPoll(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	const mid = 0.5
	tests := []struct {
		name       string
		errors     int
		retryAfter time.Time
		want       time.Time
	}{
		{"success", 0, time.Time{}, now.Add(15 * time.Minute)},
		{"third error", 3, time.Time{}, now.Add(time.Hour)},
		{"retry-after later than the backoff", 1, now.Add(2 * time.Hour), now.Add(2 * time.Hour)},
		{"retry-after sooner than the backoff", 3, now.Add(time.Minute), now.Add(time.Hour)},
		{"retry-after of a year", 1, now.AddDate(1, 0, 0), now.Add(7 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		if got := feeds.NextPoll(now, 15*time.Minute, tt.errors, tt.retryAfter, mid); !got.Equal(tt.want) {
			t.Errorf("%s: next poll %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	date := now.Add(90 * time.Minute)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"120", now.Add(2 * time.Minute)},
		{" 0 ", now},
		{date.Format(http.TimeFormat), date},
		{"Fri, 04 Dec 2026 13:30:00 GMT", date},
		{"-5", time.Time{}},
		{"soon", time.Time{}},
		{"", time.Time{}},
		{"99999999999", now.Add(7 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		if got := feeds.ParseRetryAfter(tt.in, now); !got.Equal(tt.want) {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
