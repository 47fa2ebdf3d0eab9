package leak

import (
	"net/http"
	"testing"
)

func TestServersAnswerWhileCheckRuns(t *testing.T) {
	StartAll(2, func(urls []string) {
		for _, u := range urls {
			resp, err := http.Get(u)
			if err != nil {
				t.Errorf("GET %s: %v; the server was closed before its URL was used", u, err)
				continue
			}
			resp.Body.Close()
		}
	})
}
