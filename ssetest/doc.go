// Package ssetest provides an event stream server for tests, in the spirit
// of [net/http/httptest]: a [Server] on the loopback interface that answers
// each request by playing a scripted [Response], and records every request
// so that a test can check what a client sent.
//
// A script is a list of responses, one for each request in turn, the last
// one repeated for every request after it:
//
//	srv := ssetest.NewServer(
//		ssetest.Status(503, "").With("Retry-After", "1"),
//		ssetest.Stream(
//			ssetest.Event(sse.Event{ID: "1", Data: "hello"}),
//			ssetest.DropAfter(5), // cut the connection 5 bytes into the next event
//			ssetest.Event(sse.Event{ID: "2", Data: "lost"}),
//		),
//		ssetest.Stream(&ssetest.Feed{Events: 100}), // resumes after Last-Event-ID
//	)
//	defer srv.Close()
//
// A [Stream] response plays [Step]s: events written with an [sse.Encoder],
// comments, "retry" fields, raw or random bytes, pauses, and faults: a
// dropped connection, a stall, bytes dripped one at a time, an endless line
// or event. A [Feed] plays a numbered feed that resumes from the
// Last-Event-ID of each request, and can cut its connections at chosen
// byte offsets. [Status], [NoContent] and [NoAnswer] make the other
// answers a server can give.
//
// The package uses only the public API of package sse and the standard
// library.
package ssetest
