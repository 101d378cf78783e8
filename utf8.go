package sse

import "unicode/utf8"

// appendReplacingInvalid appends s to dst with each ill-formed UTF-8
// sequence replaced as the WHATWG encoding standard's UTF-8 decoder does:
// one U+FFFD for each maximal subpart of an ill-formed sequence, that is,
// for the longest prefix of a well-formed sequence that it holds, or for a
// single byte that starts none.
func appendReplacingInvalid(dst, s []byte) []byte {
	if n := len(dst) + replacedLen(s); n > cap(dst) {
		// Grow once, to the exact size: growing as append does would
		// hold up to twice the result, three times the input's length.
		dst = append(make([]byte, 0, n), dst...)
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			dst = append(dst, s[i])
			i++
			continue
		}
		j, ok := scanSequence(s, i)
		if ok {
			dst = append(dst, s[i:j]...)
		} else {
			dst = append(dst, "\uFFFD"...)
		}
		i = j
	}
	return dst
}

// replacedLen returns the length of s once appendReplacingInvalid has
// replaced each maximal subpart of an ill-formed sequence with the three
// bytes of U+FFFD: up to three times len(s).
func replacedLen(s []byte) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		j, ok := scanSequence(s, i)
		if ok {
			n += j - i
		} else {
			n += len("\uFFFD")
		}
		i = j
	}
	return n
}

// scanSequence returns the end of the sequence that starts with the
// non-ASCII byte s[i], and whether it is a well-formed character rather
// than a maximal subpart of an ill-formed sequence.
func scanSequence(s []byte, i int) (end int, ok bool) {
	need, lo, hi := leadByte(s[i])
	end = i + 1
	for k := 0; k < need; k++ {
		if end >= len(s) || s[end] < lo || s[end] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
		end++
	}
	return end, need > 0 && end-i == need+1
}

// leadByte returns how many continuation bytes follow the lead byte b of a
// well-formed UTF-8 sequence, and the range the first of them must fall
// in; need is 0 for a byte that cannot start a sequence.
func leadByte(b byte) (need int, lo, hi byte) {
	switch {
	case b >= 0xC2 && b <= 0xDF:
		return 1, 0x80, 0xBF
	case b == 0xE0:
		return 2, 0xA0, 0xBF
	case b == 0xED:
		return 2, 0x80, 0x9F
	case b >= 0xE1 && b <= 0xEF:
		return 2, 0x80, 0xBF
	case b == 0xF0:
		return 3, 0x90, 0xBF
	case b >= 0xF1 && b <= 0xF3:
		return 3, 0x80, 0xBF
	case b == 0xF4:
		return 3, 0x80, 0x8F
	}
	return 0, 0, 0
}
