package leak

import "context"

// A DB is a store opened under a context.
type DB struct{ ctx context.Context }

func (db *DB) Close() {}

// Setup opens a store under its own context and returns a cleanup that closes
// the store and cancels the context. When open fails, no cleanup is handed
// out, so nothing ever cancels the context. (Reduced from containerd's
// metadata fuzzer, which go vet's lostcancel reports.)
func Setup(parent context.Context, open func(context.Context) (*DB, error)) (*DB, func(), error) {
	ctx, cancel := context.WithCancel(parent)
	db, err := open(ctx)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		db.Close()
		cancel()
	}
	return db, cleanup, nil
}
