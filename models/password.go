package models

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/alexedwards/argon2id"
)

// passwordParams are argon2id's cost settings: 64 MiB and one pass is the
// RFC 9106 second recommendation, affordable on a 2-core server.
var passwordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// passwordHashing bounds the argon2id computations running at once in this
// process. Each takes 64 MiB while it runs, so a burst of sign-ins would
// otherwise take memory in proportion to the burst (ten at once: 640 MiB);
// more at once than there are cores would not finish sooner anyway.
type passwordHashing struct {
	slots chan struct{}
	// dummy is the hash compared against when an email matches no user, so
	// a failed sign-in takes as long whether or not the account exists.
	// Made on first use: at start-up it cost every process, command-line
	// runs included, 64 MiB and a hash's time.
	dummy func() string
}

func newPasswordHashing() *passwordHashing {
	p := &passwordHashing{slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
	p.dummy = sync.OnceValue(func() string {
		h, err := argon2id.CreateHash("no such user, constant time", passwordParams)
		if err != nil {
			panic(err) // only crypto/rand failing, which the process cannot survive
		}
		return h
	})
	return p
}

// run waits for a slot (or ctx) and runs fn in it.
func (p *passwordHashing) run(ctx context.Context, fn func()) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("models: wait to hash a password: %w", ctx.Err())
	}
	defer func() { <-p.slots }()
	fn()
	return nil
}

// hash makes a stored hash of password.
func (p *passwordHashing) hash(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if werr := p.run(ctx, func() { h, err = argon2id.CreateHash(password, passwordParams) }); werr != nil {
		return "", werr
	}
	if err != nil {
		return "", fmt.Errorf("models: hash password: %w", err)
	}
	return h, nil
}

// matches reports whether password matches hash; an empty hash (no such
// user, or no password set) is compared against the dummy so that it
// takes as long, and never matches.
func (p *passwordHashing) matches(ctx context.Context, password, hash string) (bool, error) {
	against := hash
	if against == "" {
		against = p.dummy()
	}
	var ok bool
	var err error
	if werr := p.run(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(password, against) }); werr != nil {
		return false, werr
	}
	if err != nil {
		return false, fmt.Errorf("models: compare password: %w", err)
	}
	return ok && hash != "", nil
}
