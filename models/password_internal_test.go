package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPasswordHashingWaitsForASlot: with every slot taken, a hash waits
// (a burst of sign-ins queues instead of taking 64 MiB each at once) and
// gives up when its request does; once a slot frees, it runs.
func TestPasswordHashingWaitsForASlot(t *testing.T) {
	p := newPasswordHashing()
	for range cap(p.slots) {
		p.slots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.hash(ctx, "correct horse battery"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hash with no free slot: %v, want the request's deadline", err)
	}
	<-p.slots
	h, err := p.hash(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.matches(context.Background(), "correct horse battery", h); err != nil || !ok {
		t.Fatalf("matches own hash: %v %v", ok, err)
	}
	if ok, err := p.matches(context.Background(), "correct horse battery", ""); err != nil || ok {
		t.Fatalf("an empty hash matched: %v %v", ok, err)
	}
}
