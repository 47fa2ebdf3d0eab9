package leak

import (
	"net/http"
	"net/http/httptest"
)

// StartAll starts n test servers and hands their URLs to check; the servers
// stop when StartAll returns. (Reduced from etcd's and grpc-go's tests: the
// URL appended to a slice is used after the loop, so the server must live.)
func StartAll(n int, check func(urls []string)) {
	var urls []string
	for i := 0; i < n; i++ {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer ts.Close()
		urls = append(urls, ts.URL)
	}
	check(urls)
}
