// Package sse consumes Server-Sent Events: a streaming [Parser] that reads
// each [Event] from any [io.Reader] exactly as the WHATWG HTML standard
// says, and a fetch-style [Client] that opens a stream from an ordinary
// [http.Request] (any method, headers and body) and reconnects it after
// failures, when the request may be sent again.
//
// Parse any reader, with [Read] or [NewParser]:
//
//	for ev, err := range sse.Read(r) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.Type, ev.ID, ev.Data)
//	}
//
// Follow a feed: a GET stream (any stream, with [WithReopen]) reconnects
// with backoff, by default never sooner than [DefaultMinDelay] whatever
// the server's "retry" says, and resumes after the last event ID it
// received ([Client.Events], or [Client.Connect] for a [Stream] with Next,
// Event, Err and Close):
//
//	req, _ := http.NewRequestWithContext(ctx, "GET", "https://example.com/events", nil)
//	for ev, err := range sse.NewClient().Events(req) { ... }
//
// Stream an LLM answer: a POST is sent once, and [DecodeJSON] decodes each
// event's data, up to OpenAI's "[DONE]":
//
//	req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
//	req.Header.Set("Authorization", "Bearer "+key)
//	chunks := sse.DecodeJSON[Chunk](sse.NewClient().Events(req), sse.JSONOptions{Done: "[DONE]"})
//
// Serve events with an [Encoder]. Options such as [WithRetryPolicy],
// [WithIdleTimeout], [WithHooks] and [WithLimits] configure a Client.
//
// A stream that fails ends with a typed error: a [*ResponseError] (status,
// headers and the body, its message naming the server's reason) for a
// rejected response that no retry mends, such as a 401; a [*RetryError],
// wrapping the last failure, when its [RetryPolicy] gives up; a
// [*LimitError] for an oversized line or event (unless
// [WithSkipOversized]). A connection on which no byte arrives for the idle
// timeout ([DefaultIdleTimeout], five minutes) is cut with
// [ErrIdleTimeout]: a GET then reconnects, while a POST, which is not sent
// again by default, ends with an error that wraps it.
// [DecodeJSON] yields [ErrTruncated] for an answer that ended before its
// end marker. [Stream.Response] holds the status and headers of the
// latest response.
package sse
