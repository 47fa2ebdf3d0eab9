package leak

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

var errDown = errors.New("down")

// fakeFetch answers "body of U" for every URL U but "down", and fails when
// its context is done or has no deadline. It records the contexts it saw.
type fakeFetch struct {
	ctxs    []context.Context
	urls    []string
	maxLive int // the most contexts seen so far that were not yet done
}

func (f *fakeFetch) fetch(ctx context.Context, u string) (string, error) {
	f.ctxs = append(f.ctxs, ctx)
	f.urls = append(f.urls, u)
	live := 0
	for _, c := range f.ctxs {
		if c.Err() == nil {
			live++
		}
	}
	f.maxLive = max(f.maxLive, live)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if _, ok := ctx.Deadline(); !ok {
		return "", errors.New("no deadline")
	}
	if u == "down" {
		return "", errDown
	}
	return "body of " + u, nil
}

func TestFetchAllDoesNotLeakContexts(t *testing.T) {
	var urls []string
	for i := 0; i < 50; i++ {
		urls = append(urls, fmt.Sprintf("u%02d", i))
	}
	f := &fakeFetch{}
	if bodies, err := FetchAll(context.Background(), urls, time.Hour, f.fetch); len(bodies) != len(urls) || err != nil {
		t.Fatalf("FetchAll over %d URLs = %d bodies, %v", len(urls), len(bodies), err)
	}
	if f.maxLive > 1 {
		t.Errorf("leak: %d contexts with an hour's timer live at once while fetching %d URLs; each should be cancelled before the next request", f.maxLive, len(urls))
	}
}

func TestFetchAllBehaviour(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		ctx      context.Context
		urls     []string
		want     []string
		wantErr  string
		wantUrls []string
	}{
		{context.Background(), nil, nil, "", nil},
		{context.Background(), []string{"x", "y"}, []string{"body of x", "body of y"}, "", []string{"x", "y"}},
		{context.Background(), []string{"x", "down", "y"}, nil, "fetch down: down", []string{"x", "down"}},
		{cancelled, []string{"x", "y"}, nil, "fetch x: context canceled", []string{"x"}},
	}
	for _, tt := range tests {
		f := &fakeFetch{}
		got, err := FetchAll(tt.ctx, tt.urls, time.Hour, f.fetch)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if !slices.Equal(got, tt.want) || gotErr != tt.wantErr || !slices.Equal(f.urls, tt.wantUrls) {
			t.Errorf("FetchAll(%q) = %q, %q, fetched %q; want %q, %q, fetched %q", tt.urls, got, gotErr, f.urls, tt.want, tt.wantErr, tt.wantUrls)
		}
		for i, ctx := range f.ctxs {
			if ctx.Err() == nil {
				t.Errorf("FetchAll(%q): the context of request %d is still live after return", tt.urls, i)
			}
		}
	}
}
