package sse_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/ssekit/sse"
)

// A handler starts its Encoder from the request's Last-Event-ID, so that
// the first event of a resumed stream resets the reader's ID when it must.
// KeepAlive writes a heartbeat whenever the events are slow to come.
func ExampleEncoder_SetLastEventID() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		enc := sse.NewEncoder(w)
		enc.SetLastEventID(r.Header.Get("Last-Event-ID"))
		defer enc.KeepAlive(15 * time.Second)() // stopped before the handler returns
		enc.Encode(sse.Event{Data: "no ID"})
		enc.Encode(sse.Event{ID: "7", Data: "seven"})
	}

	fresh := httptest.NewRecorder()
	handler(fresh, httptest.NewRequest("GET", "/events", nil))
	fmt.Printf("fresh:   %q\n", fresh.Body.String())

	resumed := httptest.NewRequest("GET", "/events", nil)
	resumed.Header.Set("Last-Event-ID", "6")
	rec := httptest.NewRecorder()
	handler(rec, resumed)
	fmt.Printf("resumed: %q\n", rec.Body.String())
	// Output:
	// fresh:   "data: no ID\n\nid: 7\ndata: seven\n\n"
	// resumed: "id\ndata: no ID\n\nid: 7\ndata: seven\n\n"
}
