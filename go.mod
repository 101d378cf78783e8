module github.com/ssekit/sse

go 1.24
