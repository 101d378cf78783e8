package corpus

import "io"

// Segment sizes for [Reader]: what a network connection typically hands
// to one Read.
const (
	// MSS is a TCP segment's payload on an Ethernet path (1500-byte MTU).
	MSS = 1460
	// Read4K is a common socket read size.
	Read4K = 4 << 10
	// Read32K is the read size of a busy connection with a large buffer.
	Read32K = 32 << 10
)

// Reader reads a byte slice at most a fixed number of bytes per Read, as a
// network connection delivers a stream in segments. It returns io.EOF, with
// no bytes, after the last byte, unless it loops. It does not allocate.
type Reader struct {
	data []byte
	off  int
	size int
	loop bool
}

// NewReader returns a Reader over data that returns at most size bytes per
// Read. A size of zero or less means no limit.
func NewReader(data []byte, size int) *Reader {
	r := &Reader{}
	r.Reset(data, size)
	return r
}

// NewLoopReader returns a Reader that reads data over and over, at most
// size bytes per Read, and never returns io.EOF: a stream without end, for
// measuring a parser in its steady state. No Read crosses the end of data,
// so each pass ends with a short Read, as a network read often does.
func NewLoopReader(data []byte, size int) *Reader {
	r := NewReader(data, size)
	r.loop = len(data) > 0
	return r
}

// Reset makes r read data from the start, at most size bytes per Read,
// and to its end only.
func (r *Reader) Reset(data []byte, size int) {
	if size <= 0 {
		size = len(data)
	}
	r.data, r.off, r.size, r.loop = data, 0, size, false
}

// Read copies at most size bytes, and at most len(p), of what is left.
func (r *Reader) Read(p []byte) (int, error) {
	if r.off >= len(r.data) {
		if !r.loop {
			return 0, io.EOF
		}
		r.off = 0
	}
	if len(p) > r.size {
		p = p[:r.size]
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}
