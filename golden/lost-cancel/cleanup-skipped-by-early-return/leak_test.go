package leak

import (
	"context"
	"errors"
	"testing"
)

func TestAFailedSetupCancelsItsContext(t *testing.T) {
	var seen context.Context
	_, _, err := Setup(context.Background(), func(ctx context.Context) (*DB, error) {
		seen = ctx
		return nil, errors.New("open failed")
	})
	if err == nil {
		t.Fatal("Setup succeeded, want the open error")
	}
	if seen.Err() == nil {
		t.Error("leak: the context of a failed Setup is never cancelled")
	}
}

func TestTheCleanupCancelsTheContext(t *testing.T) {
	var seen context.Context
	db, cleanup, err := Setup(context.Background(), func(ctx context.Context) (*DB, error) {
		seen = ctx
		return &DB{ctx: ctx}, nil
	})
	if err != nil || db == nil {
		t.Fatalf("Setup = %v, %v", db, err)
	}
	if seen.Err() != nil {
		t.Fatal("the context ended before the cleanup ran")
	}
	cleanup()
	if seen.Err() == nil {
		t.Error("the cleanup did not cancel the context")
	}
}
