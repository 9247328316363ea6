package tagger

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf16"
)

// A hand-written scanner for the JSON the tagger reads and writes. It accepts exactly what encoding/json's
// scanner accepts (including its nesting limit) and leaves UTF-8 checking to the caller, as encoding/json does.

// maxNesting is encoding/json's nesting limit for one value.
const maxNesting = 10000

// scanError is a syntax error found by the scanner, at byte offset Off.
type scanError struct {
	Off int
	Msg string
}

func (e *scanError) Error() string { return e.Msg }

func syntaxErr(data []byte, i int, what string) *scanError {
	if i >= len(data) {
		return &scanError{Off: i, Msg: "unexpected end of JSON input"}
	}
	return &scanError{Off: i, Msg: "invalid character " + quoteChar(data[i]) + " " + what}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	if c < 0x20 || c >= 0x7f {
		return "'\\x" + string(hexDigits[c>>4]) + string(hexDigits[c&0xF]) + "'"
	}
	return "'" + string(c) + "'"
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// strSafe marks the bytes a JSON string may hold verbatim: not a control character, quote or backslash.
var strSafe = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// scanString scans the JSON string starting with the quote at data[i]. It returns the index just after the
// closing quote and whether the string holds escapes.
func scanString(data []byte, i int) (end int, escaped bool, err error) {
	i++
	for {
		for i+8 <= len(data) && plainWord(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		for i < len(data) && strSafe[data[i]] {
			i++
		}
		if i >= len(data) {
			return 0, false, syntaxErr(data, i, "")
		}
		switch c := data[i]; c {
		case '"':
			return i + 1, escaped, nil
		case '\\':
			escaped = true
			i++
			if i >= len(data) {
				return 0, false, syntaxErr(data, i, "")
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for k := 0; k < 4; k++ {
					if i >= len(data) || !isHex(data[i]) {
						return 0, false, syntaxErr(data, i, "in \\u hexadecimal character escape")
					}
					i++
				}
			default:
				return 0, false, syntaxErr(data, i, "in string escape code")
			}
		default: // a control character
			return 0, false, syntaxErr(data, i, "in string literal")
		}
	}
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainWord reports whether none of the 8 bytes in x is a control character, a quote or a backslash.
func plainWord(x uint64) bool {
	ctl := (x - 0x20*ones) &^ x // high bit set where a byte is < 0x20 (the lowest such byte is exact)
	q := x ^ '"'*ones           // zero bytes where x has '"'
	bs := x ^ '\\'*ones         // zero bytes where x has '\\'
	q = (q - ones) &^ q         // high bit set where q has a zero byte
	bs = (bs - ones) &^ bs
	return (ctl|q|bs)&highs == 0
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber scans the JSON number starting at data[i] ('-' or a digit) and returns the index just after it.
func scanNumber(data []byte, i int) (int, error) {
	if data[i] == '-' {
		i++
	}
	if i >= len(data) || !isDigit(data[i]) {
		return 0, syntaxErr(data, i, "in numeric literal")
	}
	if data[i] == '0' {
		i++
	} else {
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return 0, syntaxErr(data, i, "after decimal point in numeric literal")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return 0, syntaxErr(data, i, "in exponent of numeric literal")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	return i, nil
}

// scanLiteral scans lit (true, false or null) at data[i].
func scanLiteral(data []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(data) || data[i+k] != lit[k] {
			return 0, syntaxErr(data, i+k, "in literal "+lit+" (expecting "+quoteChar(lit[k])+")")
		}
	}
	return i + len(lit), nil
}

// scanValue scans the JSON value starting at data[i] (not whitespace) and returns the index just after it, and
// whether the value holds insignificant whitespace.
func scanValue(data []byte, i int) (end int, spaced bool, err error) {
	var stackBuf [32]byte
	stack := stackBuf[:0] // open containers: '{' or '['
	for {
		// A value starts at data[i].
		if i >= len(data) {
			return 0, false, syntaxErr(data, i, "")
		}
		switch c := data[i]; c {
		case '"':
			if i, _, err = scanString(data, i); err != nil {
				return 0, false, err
			}
		case '{', '[':
			if len(stack) >= maxNesting {
				return 0, false, &scanError{Off: i, Msg: "exceeded max depth"}
			}
			stack = append(stack, c)
			j := skipSpace(data, i+1)
			spaced = spaced || j > i+1
			i = j
			if i < len(data) && data[i] == c+2 { // '}' is '{'+2 and ']' is '['+2
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if i, err = scanKey(data, i, &spaced); err != nil {
					return 0, false, err
				}
			}
			continue
		case 't':
			if i, err = scanLiteral(data, i, "true"); err != nil {
				return 0, false, err
			}
		case 'f':
			if i, err = scanLiteral(data, i, "false"); err != nil {
				return 0, false, err
			}
		case 'n':
			if i, err = scanLiteral(data, i, "null"); err != nil {
				return 0, false, err
			}
		default:
			if c != '-' && !isDigit(c) {
				return 0, false, syntaxErr(data, i, "looking for beginning of value")
			}
			if i, err = scanNumber(data, i); err != nil {
				return 0, false, err
			}
		}
		// A value ended just before data[i]: close containers until one wants another value.
		for {
			if len(stack) == 0 {
				return i, spaced, nil
			}
			j := skipSpace(data, i)
			spaced = spaced || j > i
			i = j
			if i >= len(data) {
				return 0, false, syntaxErr(data, i, "")
			}
			top := stack[len(stack)-1]
			if c := data[i]; c == ',' {
				j := skipSpace(data, i+1)
				spaced = spaced || j > i+1
				i = j
				if top == '{' {
					if i, err = scanKey(data, i, &spaced); err != nil {
						return 0, false, err
					}
				}
				break
			} else if c == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if top == '{' {
				return 0, false, syntaxErr(data, i, "after object key:value pair")
			}
			return 0, false, syntaxErr(data, i, "after array element")
		}
	}
}

// scanKey scans `"key" :` and the whitespace after it, starting at data[i].
func scanKey(data []byte, i int, spaced *bool) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return 0, syntaxErr(data, i, "looking for beginning of object key string")
	}
	i, _, err := scanString(data, i)
	if err != nil {
		return 0, err
	}
	j := skipSpace(data, i)
	if j >= len(data) || data[j] != ':' {
		return 0, syntaxErr(data, j, "after object key")
	}
	k := skipSpace(data, j+1)
	if j > i || k > j+1 {
		*spaced = true
	}
	return k, nil
}

// unquote returns the text of the valid JSON string s (quotes included) as encoding/json decodes it.
func unquote(s []byte, escaped bool) string {
	s = s[1 : len(s)-1]
	if !escaped {
		return string(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for r := 0; r < len(s); {
		k := bytes.IndexByte(s[r:], '\\')
		if k < 0 {
			b.Write(s[r:])
			break
		}
		k += r
		b.Write(s[r:k])
		r = k + 1 // s[r] is the escape letter; scanString checked it
		switch c := s[r]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			rr := getu4(s[r-1:])
			r += 5
			if utf16.IsSurrogate(rr) {
				if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
					r += 6
					b.WriteRune(dec)
					continue
				}
				rr = unicode.ReplacementChar
			}
			b.WriteRune(rr)
			continue
		default: // '"', '\\', '/'
			b.WriteByte(c)
		}
		r++
	}
	return b.String()
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
