package parsers

import (
	"bufio"
	"bytes"
	"io"

	"github.com/ssekit/sse/internal/corpus"
)

// floorBufSize is the buffer of the floors: large enough that a floor
// never reads less than the reader offers.
const floorBufSize = 64 << 10

// Copy is the floor of reading: io.Copy to io.Discard, which touches
// every byte once and looks at none.
func Copy() Parser {
	return Parser{Name: "floor: io.Copy to io.Discard", Kind: Floor, Parse: func(r io.Reader, _ *corpus.Tally) (Result, error) {
		n, err := io.Copy(io.Discard, r)
		return Result{DataBytes: n}, err
	}}
}

// IndexByte is the floor of finding lines: Read into a buffer and
// bytes.IndexByte for each LF in it.
func IndexByte() Parser {
	return Parser{Name: "floor: Read + bytes.IndexByte", Kind: Floor, Parse: func(r io.Reader, _ *corpus.Tally) (Result, error) {
		buf := make([]byte, floorBufSize)
		var res Result
		for {
			n, err := r.Read(buf)
			res.DataBytes += int64(n)
			for b := buf[:n]; ; {
				i := bytes.IndexByte(b, '\n')
				if i < 0 {
					break
				}
				res.Events++
				b = b[i+1:]
			}
			if err == io.EOF {
				return res, nil
			}
			if err != nil {
				return res, err
			}
		}
	}}
}

// ReadSlice is the floor that the ratios in the tables use: a line
// splitter, bufio.Reader.ReadSlice('\n'), with no other work. A line
// longer than its buffer comes in pieces (bufio.ErrBufferFull), which it
// takes as they come.
func ReadSlice() Parser {
	return Parser{Name: "floor: bufio ReadSlice", Kind: Floor, Parse: func(r io.Reader, _ *corpus.Tally) (Result, error) {
		br := bufio.NewReaderSize(r, floorBufSize)
		var res Result
		for {
			line, err := br.ReadSlice('\n')
			res.DataBytes += int64(len(line))
			switch err {
			case nil:
				res.Events++
			case bufio.ErrBufferFull:
			case io.EOF:
				return res, nil
			default:
				return res, err
			}
		}
	}}
}
