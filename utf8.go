package sse

import "unicode/utf8"

// appendReplacingInvalid appends s to dst with each ill-formed UTF-8
// sequence replaced as the WHATWG encoding standard's UTF-8 decoder does:
// one U+FFFD for each maximal subpart of an ill-formed sequence, that is,
// for the longest prefix of a well-formed sequence that it holds, or for a
// single byte that starts none.
func appendReplacingInvalid(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			dst = append(dst, b)
			i++
			continue
		}
		need, lo, hi := leadByte(b)
		if need == 0 {
			dst = append(dst, "\uFFFD"...)
			i++
			continue
		}
		j := i + 1
		for k := 0; k < need; k++ {
			if j >= len(s) || s[j] < lo || s[j] > hi {
				break
			}
			lo, hi = 0x80, 0xBF
			j++
		}
		if j-i == need+1 {
			dst = append(dst, s[i:j]...)
		} else {
			dst = append(dst, "\uFFFD"...)
		}
		i = j
	}
	return dst
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
