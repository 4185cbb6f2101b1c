package feeds

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxBackoff caps the wait after repeated failures: a feed broken for a
// week is still tried daily, so it recovers by itself.
const MaxBackoff = 24 * time.Hour

// maxRetryAfter bounds how long a server's Retry-After may push a feed
// back; a year-long value is a misconfiguration, not a request.
const maxRetryAfter = 7 * 24 * time.Hour

// Jitter spreads d by ±10% with r in [0, 1), so feeds added together
// drift apart instead of hitting their servers in step for ever.
func Jitter(d time.Duration, r float64) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*r))
}

// Backoff is the wait after the errors-th consecutive failure:
// interval × 2^(errors−1), capped at MaxBackoff, jittered with r. At the
// cap the jitter only shortens, so the cap holds.
func Backoff(interval time.Duration, errors int, r float64) time.Duration {
	d := interval
	for i := 1; i < errors && d < MaxBackoff; i++ {
		d *= 2
	}
	if d >= MaxBackoff {
		return time.Duration(float64(MaxBackoff) * (0.9 + 0.1*r))
	}
	return min(Jitter(d, r), MaxBackoff)
}

// NextPoll is when a feed polled at now should be polled again: after
// interval on success or 304 (errors = 0), else after the backoff for its
// consecutive errors, or at retryAfter when the server asked for later.
func NextPoll(now time.Time, interval time.Duration, errors int, retryAfter time.Time, r float64) time.Time {
	var next time.Time
	if errors <= 0 {
		next = now.Add(Jitter(interval, r))
	} else {
		next = now.Add(Backoff(interval, errors, r))
	}
	if retryAfter.After(next) {
		next = retryAfter
		if limit := now.Add(maxRetryAfter); next.After(limit) {
			next = limit
		}
	}
	return next
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date, as a time; zero when absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return time.Time{}
		}
		return now.Add(time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}
