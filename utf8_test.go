package sse

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// replaceRunes is the replacement a loop over utf8.DecodeRune makes: one
// U+FFFD for each byte that starts no valid sequence. It is what the parser
// must not do for truncated sequences.
func replaceRunes(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		b.WriteRune(r)
		s = s[n:]
	}
	return b.String()
}

func TestAppendReplacingInvalid(t *testing.T) {
	const r = "\uFFFD"
	tests := []struct {
		name, in, want string
		// naive says whether strings.ToValidUTF8 or a utf8.DecodeRune loop
		// gets this case wrong, which makes it worth having.
		naive bool
	}{
		{name: "empty", in: "", want: ""},
		{name: "ASCII", in: "data: x\x00\x7f", want: "data: x\x00\x7f"},
		{name: "valid 2, 3 and 4 bytes", in: "é€𝄞\U0010FFFF\u0800\uD7FF\uE000\U00010000", want: "é€𝄞\U0010FFFF\u0800\uD7FF\uE000\U00010000"},
		{name: "BOM is valid", in: "\xef\xbb\xbf", want: "\uFEFF"},

		{name: "lone FF", in: "\xff", want: r},
		{name: "FE FF: one per byte", in: "\xfe\xff", want: r + r, naive: true},
		{name: "lone continuation", in: "a\x80b", want: "a" + r + "b"},
		{name: "two continuations", in: "\x80\xbf", want: r + r, naive: true},
		{name: "C0 80 overlong", in: "\xc0\x80", want: r + r, naive: true},
		{name: "C1 BF overlong", in: "\xc1\xbf", want: r + r, naive: true},
		{name: "E0 80 80 overlong", in: "\xe0\x80\x80", want: r + r + r, naive: true},
		{name: "E0 9F BF overlong", in: "\xe0\x9f\xbf", want: r + r + r, naive: true},
		{name: "F0 80 80 80 overlong", in: "\xf0\x80\x80\x80", want: r + r + r + r, naive: true},
		{name: "F0 8F BF BF overlong", in: "\xf0\x8f\xbf\xbf", want: r + r + r + r, naive: true},
		{name: "surrogate ED A0 80", in: "\xed\xa0\x80", want: r + r + r, naive: true},
		{name: "surrogate ED BF BF", in: "\xed\xbf\xbf", want: r + r + r, naive: true},
		{name: "surrogate pair in CESU-8", in: "\xed\xa0\xbd\xed\xb8\x80", want: strings.Repeat(r, 6), naive: true},
		{name: "F4 90 past U+10FFFF", in: "\xf4\x90\x80\x80", want: r + r + r + r, naive: true},
		{name: "F5 never valid", in: "\xf5\x80\x80\x80", want: r + r + r + r, naive: true},
		{name: "F8 five-byte form", in: "\xf8\x88\x80\x80\x80", want: strings.Repeat(r, 5), naive: true},

		{name: "truncated 2-byte at end", in: "a\xc2", want: "a" + r},
		{name: "truncated 2-byte before ASCII", in: "\xc2a", want: r + "a"},
		{name: "truncated 3-byte at end", in: "\xe2\x82", want: r, naive: true},
		{name: "truncated 3-byte before ASCII", in: "\xe2\x82a", want: r + "a", naive: true},
		{name: "truncated 3-byte before a valid one", in: "\xe2\x82\xe2\x82\xac", want: r + "€", naive: true},
		{name: "truncated E0 A0", in: "\xe0\xa0", want: r, naive: true},
		{name: "truncated ED 9F", in: "\xed\x9f", want: r, naive: true},
		{name: "truncated 4-byte at end", in: "\xf0\x9f\x98", want: r, naive: true},
		{name: "truncated 4-byte before ASCII", in: "\xf0\x9f\x98b", want: r + "b", naive: true},
		{name: "truncated 4-byte after two bytes", in: "\xf0\x9fb", want: r + "b", naive: true},
		{name: "truncated F4 8F BF", in: "\xf4\x8f\xbf", want: r, naive: true},
		{name: "truncated then lone continuation", in: "\xe2\x82\x80\x80", want: "\u2080" + r},
		{name: "lead before a lead", in: "\xc2\xc2\xa9", want: r + "©"},
		{name: "invalid around valid", in: "\xff€\xff", want: r + "€" + r},
		{name: "line ending cuts a sequence", in: "\xe2\n\x82\xac", want: r + "\n" + r + r, naive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("kept:")
			got := appendReplacingInvalid(prefix, []byte(tt.in))
			if diff := cmp.Diff("kept:"+tt.want, string(got)); diff != "" {
				t.Errorf("appendReplacingInvalid(%q) (-want +got):\n%s", tt.in, diff)
			}
			if ref := string(whatwgDecode([]byte(tt.in))); tt.in != "\xef\xbb\xbf" && ref != tt.want {
				t.Errorf("the test's reference decoder gives %q, the table %q", ref, tt.want)
			}
			if naive := strings.ToValidUTF8(tt.in, r) != tt.want || replaceRunes(tt.in) != tt.want; naive != tt.naive {
				t.Errorf("naive replacement differs: %v, the table says %v", naive, tt.naive)
			}
		})
	}
}

func TestAppendReplacingInvalidMatchesDecoder(t *testing.T) {
	// Every sequence of up to two bytes, and every three-byte sequence
	// whose bytes come from the boundaries of the UTF-8 ranges, agree with
	// the standard's decoder written out in fuzz_test.go.
	check := func(in []byte) {
		t.Helper()
		want := string(whatwgDecode(append([]byte("a"), in...)))[1:] // "a" keeps a BOM from being dropped
		if got := string(appendReplacingInvalid(nil, in)); got != want {
			t.Fatalf("appendReplacingInvalid(%q) = %q, want %q", in, got, want)
		}
		if n := replacedLen(in); n != len(want) {
			t.Fatalf("replacedLen(%q) = %d, want %d", in, n, len(want))
		}
	}
	for i := range 256 {
		check([]byte{byte(i)})
		for j := range 256 {
			check([]byte{byte(i), byte(j)})
		}
	}
	edges := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xff}
	for _, a := range edges {
		for _, b := range edges {
			for _, c := range edges {
				for _, d := range edges {
					check([]byte{a, b, c, d})
				}
			}
		}
	}
}

func TestAppendReplacingInvalidOutputIsValid(t *testing.T) {
	// The output is valid UTF-8 and, for valid input, the input itself.
	in := []byte("\xed\xa0\x80€\xf0\x9f\x98\xff\xc2")
	out := appendReplacingInvalid(nil, in)
	if !utf8.Valid(out) {
		t.Errorf("output %q is not valid UTF-8", out)
	}
	if again := appendReplacingInvalid(nil, out); string(again) != string(out) {
		t.Errorf("replacing twice changed %q to %q", out, again)
	}
}
